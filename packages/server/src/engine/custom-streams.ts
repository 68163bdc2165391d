// Custom streams, as iii has them: a worker that registers `stream::get(orders)`,
// `stream::set(orders)`, … (iii-sdk's `createStream(iii, 'orders', impl)`) serves that stream
// itself; the `stream::*` built-ins hand such a stream's calls to those functions.
import type { Json, JsonObject } from '../storage/storage.ts'
import type { Engine, EngineCaller, InvokeOptions } from './engine.ts'
import { asEngineError, EngineError } from './engine-error.ts'

export type StreamOp = 'get' | 'set' | 'delete' | 'list' | 'list_groups' | 'update'

/** The function serving `op` for the input's stream, when a worker of the circle registered one. */
export function customStreamFunction(
  engine: Engine,
  caller: EngineCaller,
  kind: 'state' | 'stream',
  op: StreamOp,
  input: JsonObject,
): string | undefined {
  const name = input['stream_name']
  if (kind !== 'stream' || typeof name !== 'string' || name.length === 0) return undefined
  const id = `stream::${op}(${name})`
  return engine.hasWorkerFunction(caller.circleId, id) ? id : undefined
}

/**
 * Calls a custom stream's set/delete/update and reads its answer as iii does ({old_value,
 * new_value} or {old_value}); a failure or no answer is `STREAM_{OP}_ERROR`, as iii reports it.
 */
export async function writeCustomStream(
  engine: Engine,
  caller: EngineCaller,
  functionId: string,
  op: 'set' | 'delete' | 'update',
  input: JsonObject,
  opts: InvokeOptions,
): Promise<{ old_value: Json; new_value: Json; errors?: Json[] }> {
  const code = `STREAM_${op.toUpperCase()}_ERROR`
  let r: Json | undefined
  try {
    r = await engine.invokeMaybe(caller, functionId, input, opts)
  } catch (err) {
    const e = asEngineError(err)
    throw new EngineError(code, `Failed to ${op} value: Failed to invoke function: ${e.code}: ${e.message}`)
  }
  if (r === undefined || r === null)
    throw new EngineError(code, `Failed to ${op} value: Function returned no result`)
  if (typeof r !== 'object' || Array.isArray(r))
    throw new EngineError(
      'JSON_ERROR',
      `Failed to convert result to value: ${functionId} answered ${typeof r}`,
    )
  const errors = r['errors']
  return {
    old_value: r['old_value'] ?? null,
    new_value: r['new_value'] ?? null,
    ...(Array.isArray(errors) && errors.length ? { errors } : {}),
  }
}
