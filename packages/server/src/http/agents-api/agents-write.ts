// Creating and updating agents through /api/v1/agents: the API's flat fields become the agent
// element's spec, written through the element service like any create or update (schema, rules,
// sealing of the model key, one version, one Source commit). A new agent without instructions
// starts from a template AGENT.md; its tree is AGENT.md, .periodic/spec.yaml and README.md.
import type { Static } from '@sinclair/typebox'
import { type Actor, canSeeCircle } from '../../auth/actor.ts'
import { requireScope } from '../../auth/require-actor.ts'
import type { ElementService } from '../../elements/element-service.ts'
import { nameFromSlug } from '../../elements/spec-merge.ts'
import { versionConflict } from '../../elements/version-records.ts'
import { PlatformError } from '../../errors.ts'
import type { ElementRow, JsonObject } from '../../storage/storage.ts'
import { AGENT_TYPE } from './agents-present.ts'
import { AGENTS_API, type createAgentBody, type updateAgentBody } from './agents-schemas.ts'

type CreateBody = Static<typeof createAgentBody>
type UpdateBody = Static<typeof updateAgentBody>

const LIMITS = ['tools', 'max_steps', 'token_budget', 'timeout_s'] as const

export function starterInstructions(name: string): string {
  return `# ${name}

You are ${name}. Say here what you are for, in a sentence or two.

## How to work
1. Read the input.
2. Use your tools where they help; never invent what a tool can look up.
3. Check your answer against the input before you give it.

## Answer
Describe the answer you give (its fields, when it is JSON).
`
}

const starterReadme = (name: string, description: string) => `# ${name}

${description || 'An agent.'}

- \`AGENT.md\`: its instructions (the system prompt).
- \`.periodic/spec.yaml\`: its model, tools and limits.

Edit them and \`git push\` to the draft branch; promote draft → demo → live to release.
`

const invalidParent = (message: string, details: JsonObject = {}) =>
  new PlatformError(AGENTS_API.AGENT_PARENT_INVALID, message, details)

/** The circle or project the new agent goes in. */
async function parentOf(elements: ElementService, actor: Actor, body: CreateBody): Promise<ElementRow> {
  const own = actor.circleId ? await elements.circleSlug(actor.circleId) : undefined
  const circleSlug = body.circle ?? own
  if (!circleSlug) throw invalidParent('name the `circle` to create the agent in', { field: 'circle' })
  const circle = await elements.records.findCircle(circleSlug)
  if (!circle || !canSeeCircle(actor, circle.id))
    throw invalidParent(`no circle "${circleSlug.slice(0, 64)}" for this key`, { field: 'circle' })
  if (!body.parent) return circle
  const given = body.parent.split('/').filter(Boolean)
  const segments = given[0] === circleSlug && given.length > 1 ? given.slice(1) : given
  const parent = await elements.resolve(actor, circleSlug, segments).catch(() => undefined)
  if (!parent || !elements.typeOf(parent).container)
    throw invalidParent(`no project "${body.parent.slice(0, 200)}" in ${circleSlug}`, { field: 'parent' })
  return parent
}

/** The model as the spec stores it: null fields dropped. */
function modelOf(given: JsonObject, base: JsonObject): JsonObject {
  const out: JsonObject = { ...base }
  for (const [k, v] of Object.entries(given)) {
    if (v === null) delete out[k]
    else if (v !== undefined) out[k] = v
  }
  return out
}

export async function createAgent(
  elements: ElementService,
  actor: Actor,
  body: CreateBody,
): Promise<ElementRow> {
  requireScope(actor, 'write', 'create agent')
  const parent = await parentOf(elements, actor, body)
  const name = body.name?.trim() || nameFromSlug(body.slug)
  const intention = body.description ?? body.intention ?? ''
  const spec: JsonObject = {
    instructions: body.instructions ?? starterInstructions(name),
    model: modelOf(body.model as JsonObject, {}),
  }
  for (const k of LIMITS) if (body[k] !== undefined) spec[k] = body[k] as never
  if (body.output_schema) spec['output_schema'] = body.output_schema as JsonObject
  return elements.create(
    parent,
    { element_type: AGENT_TYPE, slug: body.slug, name, intention, spec },
    actor,
    { readme: body.readme ?? starterReadme(name, intention), message: 'Created' },
  )
}

export async function updateAgent(
  elements: ElementService,
  actor: Actor,
  row: ElementRow,
  body: UpdateBody,
): Promise<ElementRow> {
  requireScope(actor, 'write', 'update agent')
  if (body.enabled !== undefined && body.enabled !== row.enabled)
    requireScope(actor, 'admin', body.enabled ? 'enable' : 'disable')
  const spec: JsonObject = { ...row.spec }
  let specChanged = false
  if (body.instructions !== undefined) {
    spec['instructions'] = body.instructions
    specChanged = true
  }
  if (body.model !== undefined) {
    const current = row.spec['model']
    spec['model'] = modelOf(
      body.model as JsonObject,
      current && typeof current === 'object' && !Array.isArray(current) ? current : {},
    )
    specChanged = true
  }
  for (const k of LIMITS)
    if (body[k] !== undefined) {
      spec[k] = body[k] as never
      specChanged = true
    }
  if (body.output_schema !== undefined) {
    if (body.output_schema === null) delete spec['output_schema']
    else spec['output_schema'] = body.output_schema as JsonObject
    specChanged = true
  }
  const intention = body.description ?? body.intention
  let next = row
  if (specChanged || body.name !== undefined || intention !== undefined)
    next = await elements.update(
      row,
      {
        ...(specChanged ? { spec, deep: false } : {}),
        ...(body.name !== undefined ? { name: body.name } : {}),
        ...(intention !== undefined ? { intention } : {}),
        ...(body.expected_version !== undefined ? { expected_version: body.expected_version } : {}),
        message: body.message ?? 'Updated',
      },
      actor,
    )
  else if (body.expected_version !== undefined && body.expected_version !== row.version)
    throw versionConflict(body.expected_version, row.version)
  if (body.enabled !== undefined && body.enabled !== next.enabled) {
    const type = elements.typeOf(next)
    next = body.enabled
      ? await elements.patch(
          next,
          {
            enabled: true,
            state: type.deriveState ? type.deriveState(next.spec, next) : type.initialState,
            state_reason: null,
          },
          actor,
          'element.enabled',
        )
      : await elements.patch(
          next,
          { enabled: false, state: 'disabled', state_reason: null },
          actor,
          'element.disabled',
          {
            reason: null,
          },
        )
  }
  return next
}
