// The `invoke` operation of a type whose runs its runtime executes (workflow, agent): start a run
// of the element (at a Source ref) on a JSON input, and answer it at once (201) or after holding
// the request up to ?wait_for_completion=N seconds (200 ended, 202 still running + Location).
import { Type } from '@sinclair/typebox'
import { presentRun } from '../runs/run-json.ts'
import { isTerminal } from '../runs/run-service.ts'
import type { Json } from '../storage/storage.ts'
import { traceHeaders } from '../trace-context.ts'
import { operationsFor, type TypedOperation, type TypeRuntime } from './element.ts'
import { elementAtRef, sourceRef } from './source/element-at-ref.ts'
import { validateInput } from './validation.ts'

const invokeQuery = Type.Object(
  {
    wait_for_completion: Type.Number({
      minimum: 0,
      maximum: 600,
      default: 0,
      description: 'Seconds to hold the request for the result.',
    }),
    ref: Type.Optional(sourceRef()),
  },
  { additionalProperties: true },
)

/** `invoke` for a type whose runtime has `startRun`; the summary and description are the type's. */
export function invokeRunOperation<Spec>(
  summary: string,
  description: string,
): TypedOperation<Spec, TypeRuntime> {
  return operationsFor<Spec, TypeRuntime>()({
    name: 'invoke',
    method: 'POST',
    auth: 'execute',
    summary,
    description,
    input: Type.Unknown(),
    async handler(ctx) {
      const q = { ...ctx.query }
      validateInput(invokeQuery, q, { query: true })
      const waitS = Number(q['wait_for_completion'] ?? 0)
      const { element, source } = await elementAtRef(
        ctx.elements,
        ctx.element,
        q['ref'] as string | undefined,
      )
      const run = await ctx.runtime.startRun!(
        element,
        'invoke',
        (ctx.input ?? {}) as Json,
        'api',
        { key_id: ctx.actor.keyId, request_id: ctx.requestId, ...traceHeaders(ctx.headers) },
        { source },
      )
      const final = waitS > 0 ? await ctx.runs.wait(run, waitS * 1000) : run
      if (isTerminal(final.status)) return presentRun(final)
      const location = `/api/v1/runs/${run.id}`
      ctx.reply.status(waitS > 0 ? 202 : 201)
      ctx.reply.header('location', location)
      return { ...presentRun(final), location }
    },
  })
}
