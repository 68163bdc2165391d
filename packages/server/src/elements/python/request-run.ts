// Starting a python run from an HTTP request (invoke, measure, apply): the caller's key,
// request id and trace headers go on the run, so every entry point records runs the same way.
// `?ref=` names the branch, tag or commit to run (default: live once promoted, else draft).
import { Type } from '@sinclair/typebox'
import { requestClient } from '../../runs/run-origin.ts'
import type { ElementRow, Json, RunRow } from '../../storage/storage.ts'
import { traceHeaders } from '../../trace-context.ts'
import type { OperationContext } from '../element.ts'
import { elementAtRef, sourceRef } from '../source/element-at-ref.ts'
import { validateInput } from '../validation.ts'
import type { PythonRuntime } from './python-runtime.ts'

const refQuery = Type.Object({ ref: Type.Optional(sourceRef()) }, { additionalProperties: true })

/**
 * Creates and starts a run of the handler with `input`; `waiting` = the caller waits here.
 * Returns the run and the element row it runs (which carries the spec of the ref's commit).
 */
export async function startRequestRun(
  ctx: OperationContext<unknown, unknown, PythonRuntime>,
  input: Json,
  trigger: string,
  waiting: boolean,
): Promise<{ run: RunRow; element: ElementRow }> {
  const query: { ref?: string } = { ref: ctx.query['ref'] as string | undefined }
  validateInput(refQuery, query, { query: true })
  const { element, source } = await elementAtRef(ctx.elements, ctx.element, query.ref)
  const run = await ctx.runtime.start(
    element,
    input,
    trigger,
    {
      key_id: ctx.actor.keyId,
      request_id: ctx.requestId,
      source: requestClient(ctx.headers),
      ...traceHeaders(ctx.headers),
    },
    { waiting, source },
  )
  return { run, element }
}
