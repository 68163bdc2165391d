// A Python handler's engine calls (periodic.trigger/state/stream) as invocations of its
// element's own circle, and the trace context a run hands to its handler and its calls.
import type { EngineCaller } from '../../engine/engine.ts'
import { EngineError } from '../../engine/engine-error.ts'
import type { ElementRow, Json, JsonObject, RunRow } from '../../storage/storage.ts'
import { formatTraceparent } from '../../trace-context.ts'
import type { PlatformContext } from '../element.ts'

const MAX_CALL_DEPTH = 8

/**
 * A handler's SDK call (periodic.trigger/state/stream): an engine invocation as the
 * element's own circle. The circle comes from the element, never from the sandbox, so a
 * handler cannot reach another circle's functions or state.
 */
export async function handlerEngineCall(
  p: PlatformContext,
  element: ElementRow,
  run: RunRow,
  functionId: string,
  data: Json,
): Promise<Json> {
  if (!p.engine) throw new EngineError('engine_unavailable', 'the engine is not running')
  const depth = Number(run.trigger_info?.['call_depth'] ?? 0) + 1
  // A handler that triggers itself (or a cycle) would wait on its own pool until timeouts.
  if (depth > MAX_CALL_DEPTH)
    throw new EngineError(
      'call_depth_exceeded',
      `runs called from handlers nest at most ${MAX_CALL_DEPTH} deep (a handler that triggers itself?)`,
    )
  // A run started on someone's behalf (a websocket handler, an engine invocation) records their
  // scopes: its calls get no more. Runs started through the API act as the circle.
  const granted = run.trigger_info?.['scopes']
  const may = (scope: string) =>
    !Array.isArray(granted) || granted.includes(scope) || granted.includes('admin')
  const caller: EngineCaller = {
    circleId: element.circle_id,
    circleSlug: await p.elements.circleSlug(element.circle_id),
    keyId: `run:${run.id}`,
    canRead: may('read'),
    canWrite: may('write'),
    canExecute: may('execute'),
  }
  // The call continues the run's trace: a child run or a worker sees this run's span as parent.
  const { traceparent, baggage } = traceContext(run) as { traceparent?: string; baggage?: string }
  return p.engine.invoke(caller, functionId, data, {
    parentRunId: run.id,
    callDepth: depth,
    ...(traceparent ? { traceparent } : {}),
    ...(baggage ? { baggage } : {}),
  })
}

/** The trace fields a handler sees in its context (and Logger puts on each line). */
export function traceContext(run: RunRow): JsonObject {
  const out: JsonObject = {}
  if (run.trace_id && run.span_id) {
    out['trace_id'] = run.trace_id
    out['span_id'] = run.span_id
    out['parent_span_id'] = run.parent_span_id ?? null
    out['traceparent'] = formatTraceparent(run.trace_id, run.span_id)
  }
  const baggage = run.trigger_info?.['baggage']
  if (typeof baggage === 'string') out['baggage'] = baggage
  return out
}
