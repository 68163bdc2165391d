// measure and apply: the handler run synchronously, its return value (the envelope) as the
// response body — for callers that fan out many small calls and cannot poll run ids. Each call
// is still a run (trigger `measure` or `apply`) with logs, limits, retries and metrics; the run
// id comes back in the `x-run-id` header, and in the error envelope when the handler failed.
import { Type } from '@sinclair/typebox'
import { errorCodeDef, PlatformError } from '../../errors.ts'
import type { Json, RunRow } from '../../storage/storage.ts'
import type { OperationContext } from '../element.ts'
import { pythonOperation } from './python-operation.ts'
import type { PythonRuntime } from './python-runtime.ts'
import { startRequestRun } from './request-run.ts'
import { PY, type PythonSpec, pythonSpecOf } from './spec.ts'

/** Room for a queue wait and a first dependency build (pip may take up to 10 minutes). */
const QUEUE_AND_BUILD_MARGIN_MS = 11 * 60_000
const MAX_TIMER_MS = 2 ** 31 - 1

export const inlineRunInput = Type.Record(Type.String(), Type.Unknown(), {
  description:
    'The payload the handler receives: a JSON object. A body of exactly {"input"|"payload"|"data": {...}} is unwrapped, as for invoke.',
  examples: [{ input: { text: 'hello' } }, { text: 'hello' }],
})

export const inlineRunOutput = Type.Unknown({
  description:
    'The handler’s return value as it returned it (any JSON). The run id is in the x-run-id header; a failed handler answers the error envelope with details.run_id.',
})

/** How long the run's own limits can keep it going: every attempt's timeout and backoff. */
export function inlineWaitMs(spec: PythonSpec): number {
  let total = QUEUE_AND_BUILD_MARGIN_MS
  let delay = spec.retry.backoff_ms
  for (let attempt = 1; attempt <= spec.retry.max_attempts; attempt++) {
    total += spec.timeout_ms
    if (attempt < spec.retry.max_attempts) total += delay
    delay *= spec.retry.backoff_multiplier
  }
  return Math.min(total, MAX_TIMER_MS)
}

const codeDef = (code: unknown) => errorCodeDef(String(code)) ?? PY.PYTHON_RUNTIME_ERROR

/** A failed or cancelled run as the platform's error envelope, with the run id in its details. */
function runFailure(run: RunRow): PlatformError {
  const { code, message, class: _class, retryable: _retryable, ...extra } = run.error ?? {}
  return new PlatformError(codeDef(code), typeof message === 'string' ? message : undefined, {
    run_id: run.id,
    status: run.status,
    attempts: run.attempts,
    duration_ms: run.duration_ms,
    ...extra,
  })
}

async function runInline(
  ctx: OperationContext<Record<string, unknown>, PythonSpec, PythonRuntime>,
  trigger: 'measure' | 'apply',
): Promise<string> {
  const { run, element } = await startRequestRun(ctx, ctx.input as Json, trigger, true)
  ctx.reply.header('x-run-id', run.id)
  const final = await ctx.runs.wait(run, inlineWaitMs(pythonSpecOf(element)))
  if (final.status === 'succeeded') {
    // Sent as JSON whatever the handler returned (a bare string is JSON text too).
    ctx.reply.header('content-type', 'application/json; charset=utf-8')
    return JSON.stringify(final.output ?? null)
  }
  if (final.status === 'failed' || final.status === 'cancelled') throw runFailure(final)
  throw new PlatformError(
    PY.PYTHON_SYNC_WAIT_EXPIRED,
    `run ${run.id} is still ${final.status}; follow it at the location in details`,
    { run_id: run.id, status: final.status, location: `/api/${ctx.elementPath}/ops/runs/${run.id}` },
  )
}

export const inlineRunOperations = [
  pythonOperation({
    name: 'measure',
    method: 'POST',
    auth: 'execute',
    summary: 'Run the handler synchronously and return its envelope inline (a run with trigger measure)',
    description:
      'The handler gets the payload and its return value is the response body — no run id polling. The call is a run (trigger `measure`) with logs, limits, retries and metrics; x-run-id names it. A failing handler answers its error code (e.g. PYTHON_RUNTIME_ERROR) with details.run_id. ?ref= names the branch, tag or commit to run (default: live once promoted, else draft).',
    input: inlineRunInput,
    output: inlineRunOutput,
    handler: (ctx) => runInline(ctx, 'measure'),
  }),
  pythonOperation({
    name: 'apply',
    method: 'POST',
    auth: 'execute',
    summary: 'Run the handler synchronously and return its envelope inline (a run with trigger apply)',
    description:
      'As measure, for rule engines that apply inputs (e.g. measurements and a profile) and return findings inline. The call is a run (trigger `apply`); x-run-id names it. ?ref= as for measure.',
    input: inlineRunInput,
    output: inlineRunOutput,
    handler: (ctx) => runInline(ctx, 'apply'),
  }),
]
