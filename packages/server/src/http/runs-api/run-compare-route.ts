// POST /api/v1/runs/compare: the outputs (or inputs) of several runs compared field by field
// with the first one's (json-comparison.ts), e.g. the same example run on two versions. Every
// run must be one the caller's circle can see.
import type { FastifyInstance } from 'fastify'
import { requireScope } from '../../auth/require-actor.ts'
import { validateInput } from '../../elements/validation.ts'
import { compareJson } from '../../runs/json-comparison.ts'
import type { RunRow } from '../../storage/storage.ts'
import { compareRunsBody } from './runs-api-schemas.ts'
import { authenticated, type RunsApiDeps, visibleRun } from './runs-routes.ts'

/** Fields listed per comparison (the summary counts all of them). */
const MAX_FIELDS = 1000

export function registerRunCompareRoute(app: FastifyInstance, deps: RunsApiDeps): void {
  app.post('/api/v1/runs/compare', async (req) => {
    const actor = await authenticated(deps, req)
    const body = { ...((req.body ?? {}) as object) } as { run_ids: string[]; field: 'output' | 'input' }
    validateInput(compareRunsBody, body)
    requireScope(actor, 'read', 'compare runs')
    const runs: RunRow[] = []
    for (const id of body.run_ids) runs.push(await visibleRun(deps, actor, id))
    const [base, ...others] = runs
    const value = (r: RunRow) => (body.field === 'input' ? r.input : r.output)
    return {
      base_run_id: base!.id,
      field: body.field,
      runs: runs.map((r) => ({ run_id: r.id, status: r.status, element_id: r.element_id })),
      comparisons: others.map((r) => ({
        run_id: r.id,
        status: r.status,
        ...compareJson(value(base!), value(r), MAX_FIELDS),
      })),
    }
  })
}
