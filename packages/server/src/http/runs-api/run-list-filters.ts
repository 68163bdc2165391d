// GET /api/v1/runs query -> a storage RunQuery, and the cursor scope that binds a cursor to
// exactly these filters (and to the caller's circle), so a cursor reused elsewhere is refused.
import { createHash } from 'node:crypto'
import type { Static } from '@sinclair/typebox'
import type { Actor } from '../../auth/actor.ts'
import type { ElementService } from '../../elements/element-service.ts'
import { E, PlatformError, validationError } from '../../errors.ts'
import { decodeCursor } from '../../runs/run-json.ts'
import type { RunQuery, RunStatus } from '../../storage/storage.ts'
import { isUuid } from '../../uuid.ts'
import { resolveTarget } from './run-targets.ts'
import type { listRunsQuery } from './runs-api-schemas.ts'

function timestamp(field: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined
  const ms = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : Number.NaN
  if (Number.isNaN(ms))
    throw validationError(field, 'must be an ISO 8601 timestamp such as 2026-01-31T12:00:00Z')
  // Stored timestamps are fixed-width UTC ISO strings, compared as text.
  return new Date(ms).toISOString()
}

// `from`/`to` are `created_after`/`created_before`: given both, the narrower bound holds.
const later = (a?: string, b?: string) => (a && b ? (a > b ? a : b) : (a ?? b))
const earlier = (a?: string, b?: string) => (a && b ? (a < b ? a : b) : (a ?? b))

function idList(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined
  const ids = [
    ...new Set(
      value
        .split(',')
        .map((s) => s.trim().toLowerCase())
        .filter(Boolean),
    ),
  ]
  if (ids.length === 0 || ids.length > 200) throw validationError('ids', 'must list 1 to 200 run ids')
  const bad = ids.find((id) => !isUuid(id))
  if (bad) throw validationError('ids', `"${bad.slice(0, 64)}" is not a run id`)
  return ids
}

export async function runQueryOf(
  elements: ElementService,
  actor: Actor,
  q: Static<typeof listRunsQuery>,
): Promise<{ query: RunQuery; scope: string }> {
  for (const field of ['element_type', 'type'] as const) {
    const type = q[field]
    if (type && !elements.registry.get(type))
      throw new PlatformError(E.UNKNOWN_ELEMENT_TYPE, `${field} "${type.slice(0, 64)}" is not registered`, {
        field,
        known: elements.registry.list().map((t) => t.type),
      })
  }
  // `type` is `element_type`'s other name; two different types match no run.
  if (q.type && q.element_type && q.type !== q.element_type)
    return { query: { ids: [], limit: q.limit }, scope: 'none' }
  const element = q.target ? await resolveTarget(elements, actor, q.target) : undefined
  const filters = {
    circleId: actor.platformAdmin ? undefined : (actor.circleId ?? undefined),
    elementId: element?.id,
    elementType: q.element_type ?? q.type,
    statuses: q.status ? ([...new Set(q.status.split(','))].sort() as RunStatus[]) : undefined,
    trigger: q.trigger,
    source: q.source,
    triggeredBy: q.triggered_by,
    sourceRef: q.source_ref,
    batchId: q.batch_id,
    exampleId: q.example_id,
    exampleIdContains: q.example_id_contains,
    ids: idList(q.ids)?.sort(),
    createdAfter: later(timestamp('created_after', q.created_after), timestamp('from', q.from)),
    createdBefore: earlier(timestamp('created_before', q.created_before), timestamp('to', q.to)),
    completedAfter: timestamp('completed_after', q.completed_after),
    completedBefore: timestamp('completed_before', q.completed_before),
  }
  // A digest keeps cursors short however many filters (or ids) they are bound to.
  const scope = createHash('sha256')
    .update(`runs|${JSON.stringify(filters)}`)
    .digest('base64url')
    .slice(0, 22)
  const before = q.cursor ? decodeCursor(q.cursor, scope) : undefined
  return { query: { ...filters, before, offset: q.offset, limit: q.limit }, scope }
}
