// The agents API: the agent elements of the key's circle at /api/v1/agents — list with search
// and offset paging, one by id, path or slug, create (the element and its Source package),
// update (configuration and metadata, optionally at an expected version) and versions. Its
// Source files are agents-files-routes.ts's; email triggers (/api/v1/agents/triggers/email,
// /api/v1/agents/:agentId/triggers/email…) are registered elsewhere — static segments win.
import type { Static } from '@sinclair/typebox'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Actor } from '../../auth/actor.ts'
import type { Authenticator } from '../../auth/api-keys.ts'
import { requireActor, requireScope } from '../../auth/require-actor.ts'
import type { ElementService } from '../../elements/element-service.ts'
import { validateInput } from '../../elements/validation.ts'
import { PlatformError } from '../../errors.ts'
import type { ElementRow } from '../../storage/storage.ts'
import { listedCircles, visibleElementOfType } from '../visible-elements.ts'
import { AGENT_TYPE, matches, presentAgent } from './agents-present.ts'
import {
  AGENTS_API,
  createAgentBody,
  getAgentQuery,
  listAgentsQuery,
  listVersionsQuery,
  updateAgentBody,
} from './agents-schemas.ts'
import { agentVersions } from './agents-versions.ts'
import { createAgent, updateAgent } from './agents-write.ts'

export interface AgentsApiDeps {
  elements: ElementService
  auth: Authenticator
}

const notFound = (id: string) =>
  new PlatformError(AGENTS_API.AGENT_NOT_FOUND, `no agent "${id.slice(0, 200)}"`)

/** The agent `id` names in the actor's circle; AGENT_NOT_FOUND otherwise (never 403). */
export function visibleAgent(deps: AgentsApiDeps, actor: Actor, id: string): Promise<ElementRow> {
  return visibleElementOfType(deps.elements, actor, id, AGENT_TYPE, notFound)
}

export const copy = <T>(v: unknown): T => ({ ...(v as object) }) as T

export function registerAgentsRoutes(app: FastifyInstance, deps: AgentsApiDeps): void {
  const actorOf = (req: FastifyRequest) => requireActor(deps.auth, req.headers.authorization)

  app.get('/api/v1/agents', async (req) => {
    const actor = await actorOf(req)
    requireScope(actor, 'read', 'list agents')
    const q = copy<Static<typeof listAgentsQuery>>(req.query)
    validateInput(listAgentsQuery, q, { query: true })
    const all = []
    for (const circleId of await listedCircles(deps.elements, actor, q.circle)) {
      const rows = (await deps.elements.records.listCircleElements(circleId)).filter(
        (r) => r.element_type === AGENT_TYPE && !r.deleted_at && (r.enabled || q.include_archived),
      )
      for (const row of rows) {
        const a = await presentAgent(deps.elements, row)
        if (matches(a, q)) all.push(a)
      }
    }
    all.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    const page = all.slice(q.offset, q.offset + q.limit)
    return {
      agents: page,
      total: all.length,
      limit: q.limit,
      offset: q.offset,
      has_more: q.offset + page.length < all.length,
    }
  })

  app.post('/api/v1/agents', async (req, reply) => {
    const actor = await actorOf(req)
    requireScope(actor, 'write', 'create agent')
    const body = (req.body ?? {}) as Static<typeof createAgentBody>
    validateInput(createAgentBody, body)
    const row = await createAgent(deps.elements, actor, body)
    reply.status(201)
    return presentAgent(deps.elements, row, { full: true, files: true })
  })

  app.get<{ Params: { agentId: string } }>('/api/v1/agents/:agentId', async (req) => {
    const actor = await actorOf(req)
    const q = copy<Static<typeof getAgentQuery>>(req.query)
    validateInput(getAgentQuery, q, { query: true })
    const row = await visibleAgent(deps, actor, req.params.agentId)
    requireScope(actor, 'read', 'get agent')
    return presentAgent(deps.elements, row, { full: true, files: q.include === 'files' })
  })

  app.patch<{ Params: { agentId: string } }>('/api/v1/agents/:agentId', async (req) => {
    const actor = await actorOf(req)
    const body = (req.body ?? {}) as Static<typeof updateAgentBody>
    validateInput(updateAgentBody, body)
    const row = await visibleAgent(deps, actor, req.params.agentId)
    const next = await updateAgent(deps.elements, actor, row, body)
    return presentAgent(deps.elements, next, { full: true })
  })

  app.get<{ Params: { agentId: string } }>('/api/v1/agents/:agentId/versions', async (req) => {
    const actor = await actorOf(req)
    const q = copy<Static<typeof listVersionsQuery>>(req.query)
    validateInput(listVersionsQuery, q, { query: true })
    const row = await visibleAgent(deps, actor, req.params.agentId)
    requireScope(actor, 'read', 'list agent versions')
    const path = (await deps.elements.present(row)).path
    return { agent_id: row.id, path, ...(await agentVersions(deps.elements, row, q)) }
  })
}
