// circle: the root namespace (tenant). Owns its elements and API keys.
import { Type } from '@sinclair/typebox'
import { SCOPES } from '../../auth/actor.ts'
import { createApiKey, presentKey } from '../../auth/api-keys.ts'
import { E, PlatformError } from '../../errors.ts'
import { defineElement } from '../element.ts'
import { CircleRuntime, circleOperation, circleSpec } from './circle-runtime.ts'
import { circleStatsOperation } from './circle-stats.ts'
import { eventsOperation } from './events-operation.ts'

const createKeyInput = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' })),
    scopes: Type.Array(Type.Union(SCOPES.map((s) => Type.Literal(s))), {
      minItems: 1,
      maxItems: 4,
      uniqueItems: true,
    }),
  },
  { additionalProperties: false },
)

export const circleType = defineElement({
  type: 'circle',
  name: 'Circle',
  description: 'A tenant namespace: owns elements, members and API keys.',
  symbol: 'Ci',
  category: 'namespace',
  form: 'namespace',
  container: true,
  spec: circleSpec,
  states: ['ready', 'disabled', 'deleted'],
  initialState: 'ready',
  capabilities: ['activity-scope-all', 'api-keys'],
  events: ['api_key.created', 'api_key.revoked'],
  runtime: (platform) => new CircleRuntime(platform),
  operations: [
    circleStatsOperation,
    eventsOperation,
    circleOperation({
      name: 'types',
      method: 'GET',
      auth: 'read',
      summary: 'The element types that can be created in this circle, with their spec schemas',
      description:
        'What a "new element" palette or form needs: each type’s name, description, symbol, category, form, states and its spec as JSON Schema.',
      async handler(ctx) {
        const types = ctx.elements.registry
          .list()
          .filter((t) => t.type !== 'circle')
          .map((t) => ({
            type: t.type,
            name: t.name,
            description: t.description,
            symbol: t.symbol,
            category: t.category,
            form: t.form,
            container: t.container ?? false,
            states: t.states,
            spec_schema: t.spec,
          }))
        return { types }
      },
    }),
    circleOperation({
      name: 'api_keys',
      method: 'POST',
      auth: 'admin',
      summary: 'Create an API key for this circle',
      description:
        'The key value is returned once and stored hashed. Scopes: read, write, execute, admin (admin implies all).',
      input: createKeyInput,
      async handler(ctx) {
        const { row, key } = await createApiKey(ctx.elements.apiKeys, ctx.element.id, ctx.input, ctx.actor)
        await ctx.elements.note(ctx.element, ctx.actor, 'api_key.created', {
          key_id: row.id,
          scopes: row.scopes,
        })
        ctx.reply.status(201)
        return { ...presentKey(row), key }
      },
    }),
    circleOperation({
      name: 'api_keys',
      method: 'GET',
      auth: 'admin',
      summary: 'List the API keys of this circle (never their values)',
      async handler(ctx) {
        const keys = await ctx.elements.apiKeys.listApiKeys(ctx.element.id)
        return { api_keys: keys.map(presentKey) }
      },
    }),
    circleOperation({
      name: 'api_key_revoke',
      path: 'api_keys/:id',
      method: 'DELETE',
      auth: 'admin',
      summary: 'Revoke an API key; it stops working at once',
      async handler(ctx) {
        const id = ctx.params['id']!
        const ok = await ctx.elements.apiKeys.revokeApiKey(ctx.element.id, id, new Date().toISOString())
        if (!ok)
          throw new PlatformError(E.API_KEY_NOT_FOUND, `no live API key ${id.slice(0, 80)} in this circle`)
        await ctx.elements.note(ctx.element, ctx.actor, 'api_key.revoked', { key_id: id })
        return { revoked: true, id }
      },
    }),
  ],
})
