// What the engine keeps about registrations — Python elements as functions, triggers, trigger
// types — and the small helpers its bookkeeping shares.
import type { Json, JsonObject } from '../storage/storage.ts'
import type { RegisterFunctionMessage } from './protocol.ts'
import type { FunctionInfo } from './remote-functions-port.ts'
import type { EngineCaller, WorkerConnection } from './worker-connection.ts'

/** Python elements as functions `{circle}::{slug}`; main.ts supplies it (elements sit above). */
export interface ElementFunctions {
  /** Runs the element as a run (visible in the runs API); undefined when no runnable element. */
  invoke(
    caller: EngineCaller,
    slug: string,
    input: Json,
    info: JsonObject,
    timeoutMs: number,
  ): Promise<{ output: Json } | undefined>
  list(circleId: string, circleSlug: string): Promise<FunctionInfo[]>
}

export interface RegisteredTrigger {
  id: string
  trigger_type: string
  function_id: string
  config: Json
  metadata: JsonObject | null
  circleId: string
  circleSlug: string
  /** The worker that registered it (null for triggers the platform keeps itself). */
  conn: WorkerConnection | null
}

/** How a trigger type checks and activates its triggers (http routes, cron schedules, …). */
export interface TriggerTypeHandler {
  id: string
  description: string
  /** Throws an EngineError to refuse the trigger (its config is wrong). */
  register(t: RegisteredTrigger): void
  unregister(t: RegisteredTrigger): void
}

/** What engine::functions::list shows of a worker's registration. */
export function functionInfoOf(m: RegisterFunctionMessage): FunctionInfo {
  return {
    function_id: m.id,
    description: typeof m.description === 'string' ? m.description : null,
    request_format: m.request_format ?? null,
    response_format: m.response_format ?? null,
    metadata: m.metadata ?? null,
  }
}

export function getOrCreate<K, V>(outer: Map<string, Map<K, V>>, key: string): Map<K, V> {
  let inner = outer.get(key)
  if (!inner) {
    inner = new Map()
    outer.set(key, inner)
  }
  return inner
}

/** The caller's scopes as a run records them (its handler's own calls get no more). */
export function scopesOf(caller: EngineCaller): string[] {
  const out: string[] = []
  if (caller.canRead) out.push('read')
  if (caller.canWrite) out.push('write')
  if (caller.canExecute) out.push('execute')
  return out
}
