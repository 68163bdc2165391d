// One connected worker: its socket, circle, the invocations the engine sent it and awaits, and
// what it registered. Only the connection that was asked may answer an invocation.
import { randomUUID } from 'node:crypto'
import type { WebSocket } from 'ws'
import type { Json, JsonObject } from '../storage/storage.ts'
import { EngineError } from './engine-error.ts'
import type { WireError } from './protocol.ts'

export interface EngineCaller {
  circleId: string
  circleSlug: string
  /** The API key that authenticated (or `system` for triggers the engine fires itself). */
  keyId: string
  canRead: boolean
  canWrite: boolean
  canExecute: boolean
  /** Set when the caller is a connected worker. */
  workerId?: string
  /** An RBAC session's view: discovery built-ins list only the functions it passes. */
  visible?: (functionId: string) => boolean
}

interface Pending {
  resolve(v: Json | undefined): void
  reject(e: EngineError): void
  timer: NodeJS.Timeout
}

export interface WorkerMeta {
  name: string | null
  runtime: string | null
  version: string | null
  os: string | null
  pid: number | null
}

export class WorkerConnection {
  id: string = randomUUID()
  reattachToken: string = randomUUID()
  readonly connectedAt = Date.now()
  readonly pending = new Map<string, Pending>()
  readonly functions = new Set<string>()
  readonly triggers = new Set<string>()
  readonly triggerTypes = new Set<string>()
  /** Engine id -> the id the worker registered it as (an RBAC prefix or hook renamed it). */
  readonly localIds = new Map<string, string>()
  /** The same for trigger types a registration hook renamed. */
  readonly localTypeIds = new Map<string, string>()
  meta: WorkerMeta = { name: null, runtime: null, version: null, os: null, pid: null }
  closed = false
  /** Invocations this worker made that have not been answered yet. */
  inFlight = 0

  constructor(
    readonly ws: WebSocket,
    readonly caller: EngineCaller,
    readonly ip: string | null,
  ) {}

  send(message: object): void {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return
    this.ws.send(JSON.stringify(message))
  }

  /** Sends `invokefunction` and resolves with the worker's `invocationresult`. */
  invoke(
    functionId: string,
    data: Json,
    opts: { timeoutMs: number; metadata?: Json; traceparent?: string; baggage?: string },
  ): Promise<Json | undefined> {
    if (this.closed) return Promise.reject(disconnected(functionId))
    const invocation_id = randomUUID()
    return new Promise<Json | undefined>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(invocation_id)
        reject(new EngineError('timeout', `${functionId} did not answer within ${opts.timeoutMs} ms`))
      }, opts.timeoutMs)
      this.pending.set(invocation_id, { resolve, reject, timer })
      this.send({
        type: 'invokefunction',
        invocation_id,
        function_id: this.localIds.get(functionId) ?? functionId,
        data,
        ...(opts.metadata !== undefined ? { metadata: opts.metadata } : {}),
        ...(opts.traceparent ? { traceparent: opts.traceparent } : {}),
        ...(opts.baggage ? { baggage: opts.baggage } : {}),
      })
    })
  }

  /** Fire and forget: no invocation id, so the worker sends no result. */
  invokeVoid(
    functionId: string,
    data: Json,
    opts: { metadata?: Json; traceparent?: string; baggage?: string },
  ): void {
    this.send({
      type: 'invokefunction',
      function_id: this.localIds.get(functionId) ?? functionId,
      data,
      ...(opts.metadata !== undefined ? { metadata: opts.metadata } : {}),
      ...(opts.traceparent ? { traceparent: opts.traceparent } : {}),
      ...(opts.baggage ? { baggage: opts.baggage } : {}),
    })
  }

  settle(invocationId: string, result: Json | undefined, error: WireError | undefined): void {
    const p = this.pending.get(invocationId)
    if (!p) return
    this.pending.delete(invocationId)
    clearTimeout(p.timer)
    if (error) {
      const code = typeof error.code === 'string' ? error.code.slice(0, 100) : 'invocation_failed'
      const message = typeof error.message === 'string' ? error.message.slice(0, 10_000) : 'failed'
      p.reject(
        new EngineError(code, message, typeof error.stacktrace === 'string' ? error.stacktrace : undefined),
      )
    } else p.resolve(result) // absent stays absent: the caller gets "no value", as on iii
  }

  /** The socket is gone: every invocation it owed fails now (nothing hangs). */
  failPending(functionOf: (id: string) => string = () => 'function'): void {
    this.closed = true
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer)
      p.reject(disconnected(functionOf(id)))
    }
    this.pending.clear()
  }

  info(): JsonObject {
    return {
      id: this.id,
      namespace: 'default',
      name: this.meta.name,
      description: null,
      isolation: null,
      runtime: this.meta.runtime,
      version: this.meta.version,
      os: this.meta.os,
      pid: this.meta.pid,
      ip_address: this.ip,
      status: this.closed ? 'disconnected' : 'connected',
      connected_at_ms: this.connectedAt,
      function_count: this.functions.size,
      functions: [...this.functions].sort(),
      active_invocations: this.pending.size,
    }
  }
}

function disconnected(functionId: string): EngineError {
  return new EngineError(
    'worker_disconnected',
    `the worker serving ${functionId} disconnected before answering`,
  )
}
