// The `state` and `stream` trigger types: after a write commits, every matching trigger of
// the circle fires its function (after its condition function, when it has one). A failing
// handler is logged; it never rolls the write back.
import type { Json, JsonObject } from '../storage/storage.ts'
import type { Engine, EngineCaller, RegisteredTrigger, TriggerTypeHandler } from './engine.ts'
import { asEngineError, EngineError } from './engine-error.ts'
import type { ItemChangeEvent } from './state-functions.ts'

interface Filter {
  trigger: RegisteredTrigger
  scope: string | null
  group: string | null
  key: string | null
  condition: string | null
}

export type TriggerFailureLog = (o: object, msg: string) => void

const optional = (c: JsonObject, field: string): string | null => {
  const v = c[field]
  if (v === undefined || v === null) return null
  if (typeof v !== 'string' || v.length === 0 || v.length > 512)
    throw new EngineError('invalid_trigger_config', `${field} must be a non-empty string`)
  return v
}

/**
 * The caller a trigger runs as: the circle, with no more scopes than the worker key that
 * registered it (code one element starts on another's behalf never outranks whoever wired it);
 * triggers the platform keeps itself (iii config) have every scope.
 */
export function circleCaller(t: RegisteredTrigger): EngineCaller {
  const by = t.conn?.caller
  return {
    circleId: t.circleId,
    circleSlug: t.circleSlug,
    keyId: `trigger:${t.trigger_type}`,
    canRead: by ? by.canRead : true,
    canWrite: by ? by.canWrite : true,
    canExecute: by ? by.canExecute : true,
  }
}

/** `caller` narrowed to what the trigger's registering worker key may do. */
export function narrowToTrigger(caller: EngineCaller, t: RegisteredTrigger): EngineCaller {
  const by = circleCaller(t)
  return {
    ...caller,
    canRead: caller.canRead && by.canRead,
    canWrite: caller.canWrite && by.canWrite,
    canExecute: caller.canExecute && by.canExecute,
  }
}

/** Runs the condition (skips only on an explicit `false`), then the function; never throws. */
export async function fireTrigger(
  engine: Engine,
  t: RegisteredTrigger,
  condition: string | null,
  input: Json,
  log: TriggerFailureLog,
  trace: { traceparent?: string; baggage?: string } = {},
): Promise<void> {
  const caller = circleCaller(t)
  try {
    if (condition && (await engine.invoke(caller, condition, input, trace)) === false) return
    await engine.invoke(caller, t.function_id, input, { metadata: t.metadata ?? undefined, ...trace })
  } catch (err) {
    const e = asEngineError(err)
    log(
      { trigger: t.id, function_id: t.function_id, code: e.code, err: e.message },
      'engine: trigger handler failed',
    )
  }
}

export class ChangeTriggers implements TriggerTypeHandler {
  readonly description: string
  private readonly filters = new Map<string, Filter[]>()

  constructor(
    readonly id: 'state' | 'stream',
    private readonly engine: Engine,
    private readonly log: TriggerFailureLog,
  ) {
    this.description =
      id === 'state'
        ? 'State changes (config: scope?, key?, condition_function_id?)'
        : 'Stream item changes (config: stream_name, group_id?, item_id?, condition_function_id?)'
  }

  register(t: RegisteredTrigger): void {
    const c = (t.config ?? {}) as JsonObject
    if (typeof c !== 'object' || Array.isArray(c))
      throw new EngineError('invalid_trigger_config', 'config must be an object')
    const f: Filter =
      this.id === 'state'
        ? {
            trigger: t,
            scope: optional(c, 'scope'),
            group: null,
            key: optional(c, 'key'),
            condition: optional(c, 'condition_function_id'),
          }
        : {
            trigger: t,
            scope: optional(c, 'stream_name'),
            group: optional(c, 'group_id'),
            key: optional(c, 'item_id'),
            condition: optional(c, 'condition_function_id'),
          }
    if (this.id === 'stream' && !f.scope)
      throw new EngineError('invalid_trigger_config', 'stream_name is required')
    this.filters.set(t.circleId, [...(this.filters.get(t.circleId) ?? []), f])
  }

  unregister(t: RegisteredTrigger): void {
    const list = this.filters.get(t.circleId)
    if (list)
      this.filters.set(
        t.circleId,
        list.filter((f) => f.trigger !== t),
      )
  }

  /** Called after a write committed; fires in the background. */
  onChange(e: ItemChangeEvent): void {
    if (e.ref.kind !== this.id) return
    for (const f of this.filters.get(e.ref.circleId) ?? []) {
      if (f.scope !== null && f.scope !== e.ref.scope) continue
      if (f.group !== null && f.group !== e.ref.group) continue
      if (f.key !== null && f.key !== e.ref.key) continue
      void fireTrigger(this.engine, f.trigger, f.condition, this.eventOf(e), this.log, e.trace)
    }
  }

  private eventOf(e: ItemChangeEvent): JsonObject {
    if (this.id === 'state') {
      // iii's StateEventData: both values always there, null for "none" (created, deleted).
      return {
        type: 'state',
        event_type: `state:${e.change}`,
        scope: e.ref.scope,
        key: e.ref.key,
        old_value: e.old_value ?? null,
        new_value: e.new_value ?? null,
      }
    }
    const type = e.change === 'created' ? 'create' : e.change === 'updated' ? 'update' : 'delete'
    return {
      type: 'stream',
      timestamp: Date.now(),
      streamName: e.ref.scope,
      groupId: e.ref.group,
      id: e.ref.key,
      event: { type, data: (e.change === 'deleted' ? e.old_value : e.new_value) ?? null },
    }
  }
}

/** The `queue` trigger type: binds a function to a named queue and sets that queue's policy. */
export class QueueTriggers implements TriggerTypeHandler {
  readonly id = 'queue'
  readonly description = 'Named queue consumer (config: queue, max_retries?, backoff_ms?, concurrency?)'

  constructor(
    private readonly configure: (t: RegisteredTrigger, queue: string, config: JsonObject) => void,
  ) {}

  register(t: RegisteredTrigger): void {
    const c = (t.config ?? {}) as JsonObject
    if (typeof c !== 'object' || Array.isArray(c) || typeof c['queue'] !== 'string' || !c['queue'])
      throw new EngineError('invalid_trigger_config', 'config.queue must name the queue')
    this.configure(t, c['queue'], c)
  }

  unregister(): void {}
}
