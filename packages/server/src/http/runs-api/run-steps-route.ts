// GET /api/v1/runs/{id}/steps: the steps of a run whose type keeps them (TypeRuntime.runSteps: a
// workflow's task executions — name, position, status, input, output, error, attempts, duration,
// the child run), in the order they began. Other runs have none: an empty list.
import type { FastifyInstance } from 'fastify'
import { requireScope } from '../../auth/require-actor.ts'
import { authenticated, type RunsApiDeps, visibleRun } from './runs-routes.ts'

export function registerRunStepsRoute(app: FastifyInstance, deps: RunsApiDeps): void {
  app.get<{ Params: { id: string } }>('/api/v1/runs/:id/steps', async (req) => {
    const actor = await authenticated(deps, req)
    const run = await visibleRun(deps, actor, req.params.id)
    requireScope(actor, 'read', 'list run steps')
    const element = await deps.elements.records.getElement(run.element_id)
    const runtime = element ? deps.elements.registry.runtimeOf(element.element_type) : undefined
    const steps = (await runtime?.runSteps?.(run)) ?? []
    return { run_id: run.id, status: run.status, steps }
  })
}
