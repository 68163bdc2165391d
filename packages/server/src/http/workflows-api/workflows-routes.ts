// The workflows API: the workflow elements (kind workflow or block) of the key's circle at
// /api/v1/workflows — list with filters and offset paging, one by id or path with its current
// definition, and its versions (element versions with their Source release tags). Running one
// is the runs API's job: POST /api/v1/runs {target: <path>} (see docs/reference/workflows-api.md).
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { type Actor, canSeeCircle } from '../../auth/actor.ts'
import type { Authenticator } from '../../auth/api-keys.ts'
import { requireActor, requireScope } from '../../auth/require-actor.ts'
import type { ElementService } from '../../elements/element-service.ts'
import { validateInput } from '../../elements/validation.ts'
import { PlatformError } from '../../errors.ts'
import type { ElementRow } from '../../storage/storage.ts'
import { isUuid } from '../../uuid.ts'
import { matches, presentWorkflow, WORKFLOW_TYPE } from './workflows-present.ts'
import { listVersionsQuery, listWorkflowsQuery, WORKFLOWS_API } from './workflows-schemas.ts'
import { versionsOf } from './workflows-versions.ts'

export interface WorkflowsApiDeps {
  elements: ElementService
  auth: Authenticator
}

const notFound = (id: string) =>
  new PlatformError(WORKFLOWS_API.WORKFLOW_NOT_FOUND, `no workflow "${id.slice(0, 200)}"`)

/**
 * The workflow `id` names — an element id, a path (`acme/extract-invoice`, `acme/project/wf`) or,
 * for a circle key, a bare slug — when the actor's circle holds it; WORKFLOW_NOT_FOUND otherwise
 * (never 403: no leak of other circles).
 */
export async function visibleWorkflow(deps: WorkflowsApiDeps, actor: Actor, id: string): Promise<ElementRow> {
  let row: ElementRow | undefined
  if (isUuid(id)) row = await deps.elements.records.getElement(id)
  else if (id.includes('/')) {
    const [circle, ...segments] = id.split('/').filter(Boolean)
    if (circle && segments.length)
      row = await deps.elements.resolve(actor, circle, segments).catch((err: unknown) => {
        if (err instanceof PlatformError && err.status === 404) return undefined
        throw err
      })
  } else if (actor.circleId) row = await deps.elements.records.findElementBySlug(actor.circleId, id)
  if (!row || row.deleted_at || row.element_type !== WORKFLOW_TYPE || !canSeeCircle(actor, row.circle_id))
    throw notFound(id)
  return row
}

/** The circles a list reads: the key's own; the platform admin's every circle, or ?circle=. */
async function circlesOf(
  deps: WorkflowsApiDeps,
  actor: Actor,
  circle: string | undefined,
): Promise<string[]> {
  if (!actor.platformAdmin) {
    if (!actor.circleId) return []
    if (circle && (await deps.elements.circleSlug(actor.circleId)) !== circle) return []
    return [actor.circleId]
  }
  if (circle) {
    const row = await deps.elements.records.findCircle(circle)
    return row ? [row.id] : []
  }
  return (await deps.elements.records.listCircles()).map((c) => c.id)
}

const copy = <T>(v: unknown): T => ({ ...(v as object) }) as T

export function registerWorkflowsRoutes(app: FastifyInstance, deps: WorkflowsApiDeps): void {
  const actorOf = (req: FastifyRequest) => requireActor(deps.auth, req.headers.authorization)

  app.get('/api/v1/workflows', async (req) => {
    const actor = await actorOf(req)
    requireScope(actor, 'read', 'list workflows')
    const q = copy<{
      search?: string
      name?: string
      kind?: string
      folder_id?: string
      circle?: string
      limit: number
      offset: number
    }>(req.query)
    validateInput(listWorkflowsQuery, q, { query: true })
    const all = []
    for (const circleId of await circlesOf(deps, actor, q.circle)) {
      const rows = (await deps.elements.records.listCircleElements(circleId)).filter(
        (r) => r.element_type === WORKFLOW_TYPE,
      )
      for (const row of rows) {
        const w = await presentWorkflow(deps.elements, row)
        if (matches(w, q)) all.push(w)
      }
    }
    all.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    const page = all.slice(q.offset, q.offset + q.limit)
    return {
      workflows: page,
      total: all.length,
      limit: q.limit,
      offset: q.offset,
      has_more: q.offset + page.length < all.length,
    }
  })

  app.get<{ Params: { id: string } }>('/api/v1/workflows/:id', async (req) => {
    const actor = await actorOf(req)
    const row = await visibleWorkflow(deps, actor, req.params.id)
    requireScope(actor, 'read', 'get workflow')
    return presentWorkflow(deps.elements, row, true)
  })

  app.get<{ Params: { id: string } }>('/api/v1/workflows/:id/versions', async (req) => {
    const actor = await actorOf(req)
    const q = copy<{ limit: number; offset: number; include?: 'definition' }>(req.query)
    validateInput(listVersionsQuery, q, { query: true })
    const row = await visibleWorkflow(deps, actor, req.params.id)
    requireScope(actor, 'read', 'list workflow versions')
    const path = (await deps.elements.present(row)).path
    return { workflow_id: row.id, path, ...(await versionsOf(deps.elements, row, q)) }
  })
}
