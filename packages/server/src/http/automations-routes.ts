// The automations API: every workflow `schedule` in the key's circle (the platform admin: all,
// or ?circle=) at /api/v1/automations — list, get, pause, resume, and sync (reconcile one from
// its workflow's latest released definition, without starting a run). Reading needs `read`,
// the rest `write`; an automation outside the key's circle is not found.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Actor } from '../auth/actor.ts'
import type { Authenticator } from '../auth/api-keys.ts'
import { requireActor, requireScope } from '../auth/require-actor.ts'
import type { ElementService } from '../elements/element-service.ts'
import { validateInput } from '../elements/validation.ts'
import { AUTOMATION } from '../elements/workflow/automation-errors.ts'
import type { Automations } from '../elements/workflow/automations.ts'
import type { WorkflowRuntime } from '../elements/workflow/workflow-runtime.ts'
import { PlatformError } from '../errors.ts'
import { listAutomationsQuery } from './automations-schemas.ts'

export interface AutomationsApiDeps {
  elements: ElementService
  auth: Authenticator
}

type Params = { Params: { automation: string } }

function automationsOf(deps: AutomationsApiDeps): Automations {
  const runtime = deps.elements.registry.runtimeOf('workflow') as WorkflowRuntime | undefined
  if (!runtime) throw new PlatformError(AUTOMATION.AUTOMATION_NOT_FOUND, 'workflows are not available')
  return runtime.automations
}

const actorOf = (deps: AutomationsApiDeps, req: FastifyRequest): Promise<Actor> =>
  requireActor(deps.auth, req.headers.authorization)

const encode = (id: string) => Buffer.from(id).toString('base64url')
const decode = (cursor: string) => Buffer.from(cursor, 'base64url').toString()

export function registerAutomationsRoutes(app: FastifyInstance, deps: AutomationsApiDeps): void {
  app.get('/api/v1/automations', async (req) => {
    const actor = await actorOf(deps, req)
    requireScope(actor, 'read', 'list automations')
    const q = { ...(req.query as Record<string, unknown>) }
    validateInput(listAutomationsQuery, q, { query: true })
    const { circle, cursor } = q as { circle?: string; cursor?: string }
    const limit = Number(q['limit'])
    // A circle key sees its own circle; naming another is CIRCLE_NOT_FOUND (never a leak).
    const circleId = circle ? (await deps.elements.resolve(actor, circle, [])).id : actor.circleId
    const automations = automationsOf(deps)
    const rows = await automations.list(circleId, cursor ? decode(cursor) : undefined, limit + 1)
    const page = rows.slice(0, limit)
    const hasMore = rows.length > limit
    return {
      automations: await Promise.all(page.map((r) => automations.present(r))),
      next_cursor: hasMore ? encode(page[page.length - 1]!.element_id) : null,
      has_more: hasMore,
    }
  })

  app.get<Params>('/api/v1/automations/:automation', async (req) => {
    const actor = await actorOf(deps, req)
    const automations = automationsOf(deps)
    const row = await automations.get(actor, req.params.automation)
    requireScope(actor, 'read', 'get automation')
    return automations.present(row)
  })

  for (const [action, paused] of [
    ['pause', true],
    ['resume', false],
  ] as const)
    app.post<Params>(`/api/v1/automations/:automation/${action}`, async (req) => {
      const actor = await actorOf(deps, req)
      const automations = automationsOf(deps)
      const row = await automations.get(actor, req.params.automation)
      requireScope(actor, 'write', `${action} automation`)
      return automations.present(await automations.setPaused(row, paused))
    })

  app.post<Params>('/api/v1/automations/:automation/sync', async (req) => {
    const actor = await actorOf(deps, req)
    const automations = automationsOf(deps)
    await automations.workflowOf(actor, req.params.automation)
    requireScope(actor, 'write', 'sync automation')
    return automations.sync(actor, req.params.automation)
  })
}
