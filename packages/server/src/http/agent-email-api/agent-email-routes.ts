// The agents' email triggers API (the eigenpal reference's `agents.email_triggers`): aliases
// that start an agent run for each message sent to alias@<mail domain>, listed for the key's
// circle, and per agent its trigger switch and aliases. Reading needs `read`, the rest `write`
// (creating an alias also `execute`: mail runs as the key that created it). Another circle's
// agent is not found.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Actor } from '../../auth/actor.ts'
import type { Authenticator } from '../../auth/api-keys.ts'
import { requireActor, requireScope } from '../../auth/require-actor.ts'
import { AgentEmailTriggers, type AliasInput } from '../../elements/agent/email/email-aliases.ts'
import type { ElementService } from '../../elements/element-service.ts'
import { validateInput } from '../../elements/validation.ts'
import { PlatformError } from '../../errors.ts'
import type { ElementRow } from '../../storage/storage.ts'
import { AGENTS_API } from '../agents-api/agents-schemas.ts'
import { listedCircles, visibleElementOfType } from '../visible-elements.ts'
import {
  createEmailAliasBody,
  listEmailAliasesQuery,
  updateEmailAliasBody,
  updateEmailTriggerBody,
} from './agent-email-schemas.ts'

export interface AgentEmailApiDeps {
  elements: ElementService
  auth: Authenticator
}

type AgentParams = { Params: { agentId: string } }
type AliasParams = { Params: { agentId: string; emailId: string } }

// Local until the agents API lands its AGENT_NOT_FOUND (the lead unifies them).
const notFound = (id: string) =>
  new PlatformError(AGENTS_API.AGENT_NOT_FOUND, `no agent "${id.slice(0, 200)}"`)

const copy = <T>(v: unknown): T => ({ ...(v as object) }) as T

export function registerAgentEmailRoutes(app: FastifyInstance, deps: AgentEmailApiDeps): void {
  const domain = deps.elements.config?.smtp.domain ?? 'periodic.local'
  const triggers = new AgentEmailTriggers(deps.elements, domain)
  const actorOf = (req: FastifyRequest) => requireActor(deps.auth, req.headers.authorization)
  const agentOf = (actor: Actor, id: string): Promise<ElementRow> =>
    visibleElementOfType(deps.elements, actor, id, 'agent', notFound)

  app.get('/api/v1/agents/triggers/email', async (req) => {
    const actor = await actorOf(req)
    requireScope(actor, 'read', 'list email triggers')
    const q = copy<{ circle?: string }>(req.query)
    validateInput(listEmailAliasesQuery, q, { query: true })
    const circles = await listedCircles(deps.elements, actor, q.circle)
    return { domain, aliases: await triggers.list(circles) }
  })

  app.get<AgentParams>('/api/v1/agents/:agentId/triggers/email', async (req) => {
    const actor = await actorOf(req)
    const agent = await agentOf(actor, req.params.agentId)
    requireScope(actor, 'read', 'get email trigger')
    return triggers.config(agent)
  })

  app.patch<AgentParams>('/api/v1/agents/:agentId/triggers/email', async (req) => {
    const actor = await actorOf(req)
    const agent = await agentOf(actor, req.params.agentId)
    requireScope(actor, 'write', 'update email trigger')
    const body = copy<{ enabled: boolean }>(req.body ?? {})
    validateInput(updateEmailTriggerBody, body)
    return triggers.setEnabled(agent, body.enabled)
  })

  app.post<AgentParams>('/api/v1/agents/:agentId/triggers/email', async (req, reply) => {
    const actor = await actorOf(req)
    const agent = await agentOf(actor, req.params.agentId)
    requireScope(actor, 'write', 'create email alias')
    const body = copy<AliasInput>(req.body ?? {})
    validateInput(createEmailAliasBody, body)
    const row = await triggers.create(agent, actor, body)
    reply.status(201)
    return triggers.present(row)
  })

  app.patch<AliasParams>('/api/v1/agents/:agentId/triggers/email/:emailId', async (req) => {
    const actor = await actorOf(req)
    const agent = await agentOf(actor, req.params.agentId)
    requireScope(actor, 'write', 'update email alias')
    const body = copy<AliasInput>(req.body ?? {})
    validateInput(updateEmailAliasBody, body)
    return triggers.present(await triggers.update(agent, req.params.emailId, body))
  })

  app.delete<AliasParams>('/api/v1/agents/:agentId/triggers/email/:emailId', async (req) => {
    const actor = await actorOf(req)
    const agent = await agentOf(actor, req.params.agentId)
    requireScope(actor, 'write', 'delete email alias')
    const row = await triggers.remove(agent, req.params.emailId)
    return { deleted: true, alias: await triggers.present(row) }
  })
}
