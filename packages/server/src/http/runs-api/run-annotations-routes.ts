// A run's annotations on the runs API: feedback (get, replace, merge, clear, resolve — a change
// of the feedback reopens it), the comparison of
// its output with its expected output, and its trace (timeline). Expected documents are in
// run-expected-routes.ts; reading needs `read`, writing `write` on the run's circle.
import type { FastifyInstance } from 'fastify'
import { requireScope } from '../../auth/require-actor.ts'
import { validateInput } from '../../elements/validation.ts'
import { PlatformError } from '../../errors.ts'
import { compareJson } from '../../runs/json-comparison.ts'
import { ANNOTATION } from '../../runs/run-annotation-errors.ts'
import type { RunService } from '../../runs/run-service.ts'
import { buildRunTrace } from '../../runs/run-trace.ts'
import type { RunFeedbackRow } from '../../storage/storage.ts'
import { recordRunActivity } from './run-activity.ts'
import { feedbackBody, resolveFeedbackBody } from './run-annotations-schemas.ts'
import { registerRunExpectedRoutes } from './run-expected-routes.ts'
import { authenticated, type RunsApiDeps, visibleRun } from './runs-routes.ts'

type Params = { Params: { id: string } }
type FeedbackInput = { rating?: number | null; comment?: string | null; labels?: string[] }

const LOG_PAGE = 10_000

function presentFeedback(runId: string, row: RunFeedbackRow | undefined) {
  return {
    run_id: runId,
    rating: row?.rating ?? null,
    comment: row?.comment ?? null,
    labels: row?.labels ?? [],
    updated_by: row?.updated_by ?? null,
    created_at: row?.created_at ?? null,
    updated_at: row?.updated_at ?? null,
    resolved: Boolean(row?.resolved_at),
    resolved_at: row?.resolved_at ?? null,
    resolved_by: row?.resolved_by ?? null,
    resolution_note: row?.resolution_note ?? null,
  }
}

async function storedLogs(runs: RunService, runId: string) {
  const out: Array<{ stream: string; data: string }> = []
  for (let after = -1; ; ) {
    const page = await runs.logs(runId, after, LOG_PAGE)
    out.push(...page)
    const last = page[page.length - 1]
    if (page.length < LOG_PAGE || !last) return out
    after = last.seq
  }
}

export function registerRunAnnotationsRoutes(app: FastifyInstance, deps: RunsApiDeps): void {
  const storage = deps.runStore

  app.get<Params>('/api/v1/runs/:id/feedback', async (req) => {
    const actor = await authenticated(deps, req)
    const run = await visibleRun(deps, actor, req.params.id)
    requireScope(actor, 'read', 'get run feedback')
    return presentFeedback(run.id, await storage.getRunFeedback(run.id))
  })

  // PUT replaces the feedback (fields left out are cleared); PATCH changes only the fields sent.
  for (const method of ['PUT', 'PATCH'] as const) {
    app.route<Params>({
      method,
      url: '/api/v1/runs/:id/feedback',
      handler: async (req) => {
        const actor = await authenticated(deps, req)
        const body = (req.body ?? {}) as FeedbackInput
        validateInput(feedbackBody, body)
        const run = await visibleRun(deps, actor, req.params.id)
        requireScope(actor, 'write', 'update run feedback')
        const now = new Date().toISOString()
        const before = method === 'PATCH' ? await storage.getRunFeedback(run.id) : undefined
        const pick = <K extends keyof FeedbackInput>(k: K, fallback: NonNullable<FeedbackInput[K]> | null) =>
          body[k] !== undefined ? body[k] : before ? before[k] : fallback
        const row: RunFeedbackRow = {
          run_id: run.id,
          circle_id: run.circle_id,
          rating: pick('rating', null) ?? null,
          comment: pick('comment', null) ?? null,
          labels: [...new Set(pick('labels', []) ?? [])],
          updated_by: actor.keyId,
          created_at: now,
          updated_at: now,
          resolved_at: null,
          resolved_by: null,
          resolution_note: null,
        }
        await storage.putRunFeedback(row)
        await recordRunActivity(deps, run, actor.keyId, 'run.feedback.updated', {
          rating: row.rating,
          labels: row.labels,
        })
        return presentFeedback(run.id, await storage.getRunFeedback(run.id))
      },
    })
  }

  app.post<Params>('/api/v1/runs/:id/feedback/resolve', async (req) => {
    const actor = await authenticated(deps, req)
    const body = { ...((req.body ?? {}) as object) } as { resolved: boolean; note?: string | null }
    validateInput(resolveFeedbackBody, body)
    const run = await visibleRun(deps, actor, req.params.id)
    requireScope(actor, 'write', 'resolve run feedback')
    const row = await storage.getRunFeedback(run.id)
    if (!row) throw new PlatformError(ANNOTATION.FEEDBACK_NOT_FOUND, `run ${run.id} has no feedback`)
    const now = new Date().toISOString()
    await storage.putRunFeedback({
      ...row,
      updated_at: now,
      resolved_at: body.resolved ? now : null,
      resolved_by: body.resolved ? actor.keyId : null,
      resolution_note: body.resolved ? (body.note ?? null) : null,
    })
    await recordRunActivity(
      deps,
      run,
      actor.keyId,
      body.resolved ? 'run.feedback.resolved' : 'run.feedback.reopened',
    )
    return presentFeedback(run.id, await storage.getRunFeedback(run.id))
  })

  app.delete<Params>('/api/v1/runs/:id/feedback', async (req, reply) => {
    const actor = await authenticated(deps, req)
    const run = await visibleRun(deps, actor, req.params.id)
    requireScope(actor, 'write', 'clear run feedback')
    await storage.deleteRunFeedback(run.id)
    await recordRunActivity(deps, run, actor.keyId, 'run.feedback.cleared')
    return reply.code(204).send()
  })

  app.get<Params>('/api/v1/runs/:id/comparison', async (req) => {
    const actor = await authenticated(deps, req)
    const run = await visibleRun(deps, actor, req.params.id)
    requireScope(actor, 'read', 'get run comparison')
    const expected = await storage.getRunExpected(run.id, 'output')
    if (!expected)
      throw new PlatformError(ANNOTATION.EXPECTED_OUTPUT_NOT_FOUND, `run ${run.id} has no expected output`)
    return {
      run_id: run.id,
      run_status: run.status,
      expected_name: expected.name,
      ...compareJson(expected.content, run.output),
    }
  })

  app.get<Params>('/api/v1/runs/:id/trace', async (req) => {
    const actor = await authenticated(deps, req)
    const run = await visibleRun(deps, actor, req.params.id)
    requireScope(actor, 'read', 'get run trace')
    const logs = deps.runs.liveLogs(run.id) ?? (await storedLogs(deps.runs, run.id))
    return buildRunTrace(run, logs)
  })

  registerRunExpectedRoutes(app, deps)
}
