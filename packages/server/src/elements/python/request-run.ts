// Starting a python run from an HTTP request (invoke, measure, apply): the caller's key,
// request id and trace headers go on the run, so every entry point records runs the same way.
import type { Json, RunRow } from '../../storage/storage.ts'
import { traceHeaders } from '../../trace-context.ts'
import type { OperationContext } from '../element.ts'
import type { PythonRuntime } from './python-runtime.ts'

/** Creates and starts a run of the handler with `input`; `waiting` = the caller waits here. */
export function startRequestRun(
  ctx: OperationContext<unknown, unknown, PythonRuntime>,
  input: Json,
  trigger: string,
  waiting: boolean,
): Promise<RunRow> {
  return ctx.runtime.start(
    ctx.element,
    input,
    trigger,
    { key_id: ctx.actor.keyId, request_id: ctx.requestId, ...traceHeaders(ctx.headers) },
    { waiting },
  )
}
