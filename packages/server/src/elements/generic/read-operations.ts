// Generic read operations: get, version, schema, intention, readme (and readme_update).
import { Type } from '@sinclair/typebox'
import { validationError } from '../../errors.ts'
import { defineOperation } from '../element.ts'
import { operationTools } from './operation-tools.ts'

const MAX_README_BYTES = 1024 * 1024

export const readOperations = [
  defineOperation({
    name: 'get',
    method: 'GET',
    auth: 'read',
    summary: 'Get the element (GET on the element path does the same)',
    allowWhenDisabled: true,
    async handler(ctx) {
      return ctx.elements.present(ctx.element)
    },
  }),
  defineOperation({
    name: 'version',
    method: 'GET',
    auth: 'read',
    summary: 'Current version, or the history with ?history=true&limit=N (newest first, default 50)',
    input: Type.Object(
      {
        history: Type.Boolean({ default: false }),
        limit: Type.Integer({ minimum: 1, maximum: 1000, default: 50 }),
      },
      { additionalProperties: false },
    ),
    allowWhenDisabled: true,
    async handler(ctx) {
      const { element } = ctx
      const current = { element_id: element.id, version: element.version, updated_at: element.updated_at }
      if (!ctx.input.history) return current
      const [rows, total] = await Promise.all([
        ctx.elements.records.listVersions(element.id, ctx.input.limit),
        ctx.elements.records.countVersions(element.id),
      ])
      const history = rows.map((v) => ({
        version: v.version,
        name: v.name,
        intention: v.intention,
        spec: ctx.type.presentSpec ? ctx.type.presentSpec(v.spec) : v.spec,
        message: v.message,
        created_by: v.created_by,
        created_at: v.created_at,
      }))
      return { ...current, history, total }
    },
  }),
  defineOperation({
    name: 'schema',
    method: 'GET',
    auth: 'read',
    summary: 'The type’s operations as MCP tools (tools/list shape) and its spec schema',
    allowWhenDisabled: true,
    async handler(ctx) {
      return {
        element_type: ctx.type.type,
        spec_schema: ctx.type.spec,
        tools: operationTools(ctx.type, ctx.elements.registry.operationsOf(ctx.type)),
      }
    },
  }),
  defineOperation({
    name: 'intention',
    method: 'GET',
    auth: 'read',
    summary: 'The element’s intention: direct, inherited from its ancestors and circle, and resolved',
    allowWhenDisabled: true,
    async handler(ctx) {
      const { element } = ctx
      const chain = await ctx.elements.ancestors(element)
      const circle =
        element.parent_id === null ? undefined : await ctx.elements.records.getElement(element.circle_id)
      const inherited = [...(circle ? [circle] : []), ...chain]
        .filter((a) => a.intention.trim() !== '')
        .map((a) => ({ id: a.id, slug: a.slug, element_type: a.element_type, intention: a.intention }))
      const parts = [...inherited.map((i) => i.intention), element.intention].filter((s) => s.trim() !== '')
      return { direct: element.intention, inherited, resolved: parts.join('\n\n') }
    },
  }),
  defineOperation({
    name: 'readme',
    method: 'GET',
    auth: 'read',
    summary: 'The element’s README (empty content when none was written)',
    allowWhenDisabled: true,
    async handler(ctx) {
      return { content: ctx.element.readme, format: 'markdown' }
    },
  }),
  defineOperation({
    name: 'readme_update',
    method: 'POST',
    auth: 'write',
    summary: 'Create or replace the element’s README (markdown)',
    input: Type.Object(
      { content: Type.String({ maxLength: MAX_README_BYTES }) },
      { additionalProperties: false },
    ),
    allowWhenDisabled: true,
    async handler(ctx) {
      // maxLength counts characters; the limit is on bytes, which multi-byte text can triple.
      const bytes = Buffer.byteLength(ctx.input.content)
      if (bytes > MAX_README_BYTES)
        throw validationError('content', `the README is ${bytes} bytes; the limit is ${MAX_README_BYTES}`, {
          limit_bytes: MAX_README_BYTES,
        })
      const row = await ctx.elements.patch(
        ctx.element,
        { readme: ctx.input.content },
        ctx.actor,
        'element.readme_updated',
        { bytes },
      )
      return { content: row.readme, format: 'markdown', updated_at: row.updated_at }
    },
  }),
]
