// The workflows API: the workflow elements (kind workflow or block) of the key's circle at
// /api/v1/workflows — list with filters and offset paging, one by id or path with its current
// definition, and its versions (element versions with their Source release tags). Running one
// is the runs API's job: POST /api/v1/runs {target: <path>} (see docs/reference/workflows-api.md).
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Actor } from '../../auth/actor.ts'
import type { Authenticator } from '../../auth/api-keys.ts'
import { requireActor, requireScope } from '../../auth/require-actor.ts'
import type { ElementService } from '../../elements/element-service.ts'
import { validateInput } from '../../elements/validation.ts'
import { PlatformError } from '../../errors.ts'
import type { ElementRow } from '../../storage/storage.ts'
import { listedCircles, visibleElementOfType } from '../visible-elements.ts'
import { matches, presentWorkflow, WORKFLOW_TYPE } from './workflows-present.ts'
import { listVersionsQuery, listWorkflowsQuery, WORKFLOWS_API } from './workflows-schemas.ts'
import { versionsOf } from './workflows-versions.ts'

export interface WorkflowsApiDeps {
  elements: ElementService
  auth: Authenticator
}

const notFound = (id: string) =>
  new PlatformError(WORKFLOWS_API.WORKFLOW_NOT_FOUND, `no workflow "${id.slice(0, 200)}"`)

/** The workflow `id` names in the actor's circle; WORKFLOW_NOT_FOUND otherwise (never 403). */
export function visibleWorkflow(deps: WorkflowsApiDeps, actor: Actor, id: string): Promise<ElementRow> {
  return visibleElementOfType(deps.elements, actor, id, WORKFLOW_TYPE, notFound)
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
    for (const circleId of await listedCircles(deps.elements, actor, q.circle)) {
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
