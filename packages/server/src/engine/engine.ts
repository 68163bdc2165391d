// The engine: functions by id within a circle (built-ins, worker functions, Python elements),
// triggers bound to them, and invocation with timeouts. Transport-free: the worker port and
// the HTTP trigger route both call `invoke`.
import type { Json, JsonObject } from '../storage/storage.ts'
import { EngineError } from './engine-error.ts'
import {
  type ElementFunctions,
  functionInfoOf,
  getOrCreate,
  type RegisteredTrigger,
  scopesOf,
  type TriggerTypeHandler,
} from './engine-registrations.ts'
import type { HttpFunctions, HttpInvocation } from './http-functions.ts'
import type { Observability } from './observability.ts'
import type { RegisterFunctionMessage } from './protocol.ts'
import type { FunctionInfo, InvokeOptions, RemoteFunctionsPort } from './remote-functions-port.ts'
import type { EngineCaller, WorkerConnection } from './worker-connection.ts'

export type { EngineCaller } from './worker-connection.ts'
export type {
  ElementFunctions,
  FunctionInfo,
  InvokeOptions,
  RegisteredTrigger,
  RemoteFunctionsPort,
  TriggerTypeHandler,
}

export interface BuiltinContext {
  caller: EngineCaller
  engine: Engine
  opts: InvokeOptions
}

export interface BuiltinFunction {
  id: string
  description: string
  /** The scope a caller needs (workers always hold execute). */
  scope: 'read' | 'write' | 'execute'
  /** `undefined` is "no value" (iii's absent `result`, e.g. state::get of a missing key). */
  handler(input: Json, ctx: BuiltinContext): Promise<Json | undefined> | Json | undefined
}

interface WorkerFunction {
  conn: WorkerConnection
  message: RegisterFunctionMessage
  /** Set when the function was registered with an HTTP `invocation`: the engine calls the URL. */
  http?: HttpInvocation
}

export class Engine {
  private readonly builtins = new Map<string, BuiltinFunction>()
  /** circleId -> function id -> the worker serving it (the last registration wins). */
  private readonly workerFunctions = new Map<string, Map<string, WorkerFunction>>()
  /** circleId -> trigger id -> trigger. */
  private readonly triggers = new Map<string, Map<string, RegisteredTrigger>>()
  /** Triggers of a type no worker provides (yet, or any more), as iii parks them: circleId -> id. */
  private readonly pending = new Map<string, Map<string, RegisteredTrigger>>()
  readonly triggerTypes = new Map<string, TriggerTypeHandler>()
  /** Trigger types registered by workers, per circle. */
  private readonly workerTriggerTypes = new Map<
    string,
    Map<string, { conn: WorkerConnection; description: string }>
  >()
  readonly workers = new Map<string, WorkerConnection>()
  /** Functions served by workers on other nodes (set when REDIS_URL is). */
  remote: RemoteFunctionsPort | null = null
  /** Spans and metrics of invocations (iii-observability); null keeps none. */
  observability: Observability | null = null
  /** Calls functions registered with an HTTP `invocation` config; null refuses them. */
  httpFunctions: HttpFunctions | null = null

  constructor(
    private readonly elements: ElementFunctions | null,
    readonly defaultTimeoutMs: number,
  ) {}

  addBuiltin(fn: BuiltinFunction): void {
    this.builtins.set(fn.id, fn)
  }

  addTriggerType(t: TriggerTypeHandler): void {
    this.triggerTypes.set(t.id, t)
  }

  /** Invokes `functionId` in the caller's circle and resolves with its result (no value as null). */
  async invoke(
    caller: EngineCaller,
    functionId: string,
    data: Json,
    opts: InvokeOptions = {},
  ): Promise<Json> {
    return (await this.invokeMaybe(caller, functionId, data, opts)) ?? null
  }

  /**
   * As `invoke`, but a function that returned no value resolves with undefined: the worker port
   * then leaves `result` out of its `invocationresult`, as iii does.
   */
  invokeMaybe(
    caller: EngineCaller,
    functionId: string,
    data: Json,
    opts: InvokeOptions = {},
  ): Promise<Json | undefined> {
    // The one place every invocation passes: its span and metrics (a no-op when disabled).
    const obs = this.observability
    const span = obs ? obs.startSpan(caller, functionId, opts.traceparent) : null
    if (!span) return this.dispatch(caller, functionId, data, opts)
    // A trace the engine starts (no valid traceparent came) flows on, so the callee's calls join it.
    const o = span.foreignTraceId ? opts : { ...opts, traceparent: obs!.traceparentOf(span) }
    return this.dispatch(caller, functionId, data, o).then(
      (r) => {
        obs!.endSpan(span, undefined)
        return r
      },
      (err) => {
        obs!.endSpan(span, err)
        throw err
      },
    )
  }

  private async dispatch(
    caller: EngineCaller,
    functionId: string,
    data: Json,
    opts: InvokeOptions,
  ): Promise<Json | undefined> {
    const timeoutMs = opts.timeoutMs ?? this.defaultTimeoutMs
    const builtin = this.builtins.get(functionId)
    if (builtin) {
      const allowed =
        builtin.scope === 'read'
          ? caller.canRead
          : builtin.scope === 'write'
            ? caller.canWrite
            : caller.canExecute
      if (!allowed)
        throw new EngineError('FORBIDDEN', `${functionId} needs the "${builtin.scope}" scope on this API key`)
      return builtin.handler(data ?? null, { caller, engine: this, opts })
    }
    if (!caller.canExecute)
      throw new EngineError('FORBIDDEN', `invoking ${functionId} needs the "execute" scope`)
    const wf = this.workerFunctions.get(caller.circleId)?.get(functionId)
    if (wf?.http) {
      if (!this.httpFunctions)
        throw new EngineError('http_functions_disabled', 'HTTP-invoked functions are not enabled')
      return this.httpFunctions.call(wf.http, data ?? null, timeoutMs, opts)
    }
    if (wf) return wf.conn.invoke(functionId, data ?? null, { ...opts, timeoutMs })
    const elementSlug = this.elementSlugOf(caller, functionId)
    if (elementSlug && this.elements) {
      const info: JsonObject = { function_id: functionId, key_id: caller.keyId, scopes: scopesOf(caller) }
      if (caller.workerId) info['worker_id'] = caller.workerId
      if (opts.traceparent) info['traceparent'] = opts.traceparent
      if (opts.baggage) info['baggage'] = opts.baggage
      if (opts.parentRunId) info['parent_run_id'] = opts.parentRunId
      if (opts.callDepth) info['call_depth'] = opts.callDepth
      const r = await this.elements.invoke(caller, elementSlug, data ?? {}, info, timeoutMs)
      if (r) return r.output
    }
    const remote = await this.remote?.invoke(caller, functionId, data ?? null, opts, timeoutMs)
    if (remote) return remote.result
    throw new EngineError('function_not_found', `no function "${functionId.slice(0, 200)}" in this circle`)
  }

  /** Fire and forget: errors are reported to `onError`, never to the caller. */
  invokeVoid(
    caller: EngineCaller,
    functionId: string,
    data: Json,
    opts: InvokeOptions,
    onError: (e: unknown) => void,
  ): void {
    const wf = this.workerFunctions.get(caller.circleId)?.get(functionId)
    if (wf && !wf.http && caller.canExecute && !this.builtins.has(functionId)) {
      const obs = this.observability
      const span = obs?.startSpan(caller, functionId, opts.traceparent)
      wf.conn.invokeVoid(
        functionId,
        data ?? null,
        span && !span.foreignTraceId ? { ...opts, traceparent: obs!.traceparentOf(span) } : opts,
      )
      if (span) obs!.endSpan(span, undefined)
      return
    }
    this.invoke(caller, functionId, data, opts).catch(onError)
  }

  /** `{circle}::{slug}` names an element of the caller's own circle. */
  private elementSlugOf(caller: EngineCaller, functionId: string): string | undefined {
    const prefix = `${caller.circleSlug}::`
    if (!functionId.startsWith(prefix)) return undefined
    const slug = functionId.slice(prefix.length)
    return /^[a-z0-9][a-z0-9-]{0,62}$/.test(slug) ? slug : undefined
  }

  hasWorkerFunction(circleId: string, functionId: string): boolean {
    return this.workerFunctions.get(circleId)?.has(functionId) === true
  }

  hasFunction(circleId: string, functionId: string): boolean {
    return this.builtins.has(functionId) || this.workerFunctions.get(circleId)?.has(functionId) === true
  }

  /** The metadata a worker registered a function with (RBAC metadata selectors read it). */
  functionMetadata(circleId: string, functionId: string): Json | undefined {
    return this.workerFunctions.get(circleId)?.get(functionId)?.message.metadata
  }

  registerFunction(conn: WorkerConnection, message: RegisterFunctionMessage): void {
    if (this.builtins.has(message.id))
      throw new EngineError('function_reserved', `${message.id} is an engine function and cannot be replaced`)
    let http: HttpInvocation | undefined
    if (message.invocation !== undefined && message.invocation !== null) {
      if (!this.httpFunctions)
        throw new EngineError('http_functions_disabled', 'HTTP-invoked functions are not enabled')
      http = this.httpFunctions.prepare(message.invocation, message.id)
    }
    const fns = getOrCreate(this.workerFunctions, conn.caller.circleId)
    const previous = fns.get(message.id)
    if (previous && previous.conn !== conn) previous.conn.functions.delete(message.id)
    fns.set(message.id, http ? { conn, message, http } : { conn, message })
    conn.functions.add(message.id)
    this.remote?.announce(conn.caller.circleId, functionInfoOf(message))
  }

  unregisterFunction(conn: WorkerConnection, id: string): void {
    const fns = this.workerFunctions.get(conn.caller.circleId)
    if (fns?.get(id)?.conn === conn) {
      fns.delete(id)
      this.remote?.withdraw(conn.caller.circleId, id)
    }
    conn.functions.delete(id)
    conn.localIds.delete(id)
  }

  /**
   * Binds a trigger. A type no worker provides yet parks it (iii's pending triggers): it
   * activates when a worker registers the type, and parks again when that worker goes.
   */
  registerTrigger(t: RegisteredTrigger): void {
    const type = this.triggerTypes.get(t.trigger_type)
    const custom = this.workerTriggerTypes.get(t.circleId)?.get(t.trigger_type)
    if (this.triggers.get(t.circleId)?.has(t.id) || this.pending.get(t.circleId)?.has(t.id))
      this.unregisterTrigger(t.circleId, t.id)
    if (!type && !custom) getOrCreate(this.pending, t.circleId).set(t.id, t)
    else {
      // A refused config throws here, before the trigger is recorded anywhere.
      if (type) type.register(t)
      else this.sendToProvider(custom!.conn, t)
      getOrCreate(this.triggers, t.circleId).set(t.id, t)
    }
    t.conn?.triggers.add(t.id)
  }

  private sendToProvider(provider: WorkerConnection, t: RegisteredTrigger): void {
    provider.send({
      type: 'registertrigger',
      id: t.id,
      trigger_type: provider.localTypeIds.get(t.trigger_type) ?? t.trigger_type,
      function_id: t.function_id,
      config: t.config,
      ...(t.metadata ? { metadata: t.metadata } : {}),
    })
  }

  unregisterTrigger(circleId: string, id: string, conn?: WorkerConnection): void {
    const parked = this.pending.get(circleId)?.get(id)
    if (parked && (!conn || parked.conn === conn)) {
      this.pending.get(circleId)!.delete(id)
      parked.conn?.triggers.delete(id)
      return
    }
    const ts = this.triggers.get(circleId)
    const t = ts?.get(id)
    if (!t || (conn && t.conn !== conn)) return
    ts!.delete(id)
    t.conn?.triggers.delete(id)
    const type = this.triggerTypes.get(t.trigger_type)
    const owner = type ? undefined : this.workerTriggerTypes.get(circleId)?.get(t.trigger_type)?.conn
    if (type) type.unregister(t)
    else
      owner?.send({
        type: 'unregistertrigger',
        id,
        trigger_type: owner.localTypeIds.get(t.trigger_type) ?? t.trigger_type,
        function_id: t.function_id,
      })
  }

  registerTriggerType(conn: WorkerConnection, id: string, description: string): void {
    if (this.triggerTypes.has(id))
      throw new EngineError('trigger_type_reserved', `${id} is an engine trigger type`)
    const circleId = conn.caller.circleId
    const types = getOrCreate(this.workerTriggerTypes, circleId)
    const previous = types.get(id)
    // A new provider of a type another worker held: its triggers move over.
    if (previous && previous.conn !== conn) this.parkTriggersOf(circleId, id, previous.conn)
    types.set(id, { conn, description })
    conn.triggerTypes.add(id)
    const waiting = [...(this.pending.get(circleId)?.values() ?? [])].filter((t) => t.trigger_type === id)
    for (const t of waiting) {
      this.pending.get(circleId)!.delete(t.id)
      this.sendToProvider(conn, t)
      getOrCreate(this.triggers, circleId).set(t.id, t)
    }
  }

  unregisterTriggerType(conn: WorkerConnection, id: string): void {
    const types = this.workerTriggerTypes.get(conn.caller.circleId)
    if (types?.get(id)?.conn === conn) {
      types.delete(id)
      this.parkTriggersOf(conn.caller.circleId, id, conn)
    }
    conn.triggerTypes.delete(id)
  }

  /** The provider of `typeId` is gone: the triggers bound to it wait for the next one. */
  private parkTriggersOf(circleId: string, typeId: string, provider: WorkerConnection): void {
    const ts = this.triggers.get(circleId)
    for (const t of [...(ts?.values() ?? [])]) {
      if (t.trigger_type !== typeId) continue
      ts!.delete(t.id)
      // The provider's own triggers go with it; other workers' wait.
      if (t.conn === provider) provider.triggers.delete(t.id)
      else getOrCreate(this.pending, circleId).set(t.id, t)
    }
  }

  /** The active triggers of a circle (each type's handler keeps its own index too). */
  triggersOf(circleId: string): RegisteredTrigger[] {
    return [...(this.triggers.get(circleId)?.values() ?? [])]
  }

  /** Triggers waiting for a worker to provide their type. */
  pendingTriggersOf(circleId: string): RegisteredTrigger[] {
    return [...(this.pending.get(circleId)?.values() ?? [])]
  }

  /** Trigger types workers registered in a circle, with the worker providing each. */
  workerTriggerTypesOf(circleId: string): Array<{ id: string; conn: WorkerConnection; description: string }> {
    return [...(this.workerTriggerTypes.get(circleId) ?? [])].map(([id, t]) => ({ id, ...t }))
  }

  /** The worker serving a function of the circle (undefined for built-ins, elements, other nodes). */
  functionOwner(circleId: string, functionId: string): WorkerConnection | undefined {
    return this.workerFunctions.get(circleId)?.get(functionId)?.conn
  }

  /** A worker went away: its functions, triggers and trigger types go with it. */
  dropWorker(conn: WorkerConnection): void {
    conn.failPending()
    for (const id of [...conn.functions]) this.unregisterFunction(conn, id)
    for (const id of [...conn.triggers]) this.unregisterTrigger(conn.caller.circleId, id, conn)
    // Other workers' triggers of the types it provided are parked, not lost.
    for (const id of [...conn.triggerTypes]) this.unregisterTriggerType(conn, id)
    if (this.workers.get(conn.id) === conn) this.workers.delete(conn.id)
  }

  async listFunctions(caller: EngineCaller, includeInternal: boolean): Promise<FunctionInfo[]> {
    const out: FunctionInfo[] = []
    for (const b of this.builtins.values()) {
      if (!includeInternal && b.id.startsWith('engine::')) continue
      out.push({
        function_id: b.id,
        description: b.description,
        request_format: null,
        response_format: null,
        metadata: null,
      })
    }
    for (const wf of this.workerFunctions.get(caller.circleId)?.values() ?? [])
      out.push(functionInfoOf(wf.message))
    if (this.elements) out.push(...(await this.elements.list(caller.circleId, caller.circleSlug)))
    if (this.remote) {
      // Functions of other nodes' workers; what this node serves itself wins.
      const here = new Set(out.map((f) => f.function_id))
      for (const f of await this.remote.list(caller.circleId)) if (!here.has(f.function_id)) out.push(f)
    }
    // An RBAC session sees only what it may call (iii filters discovery the same way).
    const shown = caller.visible ? out.filter((f) => caller.visible!(f.function_id)) : out
    return shown.sort((a, b) => (a.function_id < b.function_id ? -1 : 1))
  }

  workersOf(circleId: string): WorkerConnection[] {
    return [...this.workers.values()].filter((w) => w.caller.circleId === circleId)
  }
}
