// A worker-protocol client this engine uses to call functions of another engine (iii's bridge
// client): it joins `bridge_url` as a worker and sends `invokefunction` frames, each answered by
// an `invocationresult`. The connection passes the server's outbound-address policy; when it
// drops, calls in flight fail with `bridge_unavailable` and the next call reconnects. A client
// that `subscribe`s to a pub/sub topic of the other engine (iii's stream bridge: `stream.events`)
// stays connected: it registers a function and a `subscribe` trigger on it at every connect, and
// reconnects (backing off up to 5 s) whenever the connection drops.
import { randomUUID } from 'node:crypto'
import WebSocket from 'ws'
import { PlatformError } from '../errors.ts'
import { hostPortOf, type OutboundPolicy } from '../net/outbound-policy.ts'
import type { Json } from '../storage/storage.ts'
import { EngineError } from './engine-error.ts'

interface Pending {
  resolve(v: Json): void
  reject(e: EngineError): void
  timer: NodeJS.Timeout
}

interface Watch {
  topic: string
  functionId: string
  triggerId: string
  handler: (data: Json) => void
  /** Told when the subscription is lost (with why) and when it is made again. */
  status: (up: boolean, why?: string) => void
  /** null until the first attempt: each change is told once. */
  up: boolean | null
}

const RETRY_MIN_MS = 50
const RETRY_MAX_MS = 5000

const unavailable = (url: string, why: string) =>
  new EngineError('bridge_unavailable', `the bridge to ${url} is not connected: ${why}`)

export class BridgeClient {
  /**
   * Marks what this bridge publishes on the other engine (`origin`), so it skips its own echo;
   * nodes sharing a database pass the same one (they hear each other's writes through Redis).
   */
  readonly id: string
  private socket: Promise<WebSocket> | null = null
  private readonly pending = new Map<string, Pending>()
  private closed = false
  private watch: Watch | null = null
  private retry: NodeJS.Timeout | null = null
  private retryMs = RETRY_MIN_MS

  constructor(
    readonly url: string,
    private readonly policy: OutboundPolicy,
    private readonly timeoutMs: number,
    origin: string = randomUUID(),
  ) {
    this.id = origin
  }

  /** Calls `functionId` on the other engine with `data`; its result, or its error as an EngineError. */
  async call(functionId: string, data: Json): Promise<Json> {
    const ws = await this.connection()
    const id = randomUUID()
    return new Promise<Json>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id)
        reject(
          new EngineError(
            'timeout',
            `${functionId} over the bridge did not answer within ${this.timeoutMs} ms`,
          ),
        )
      }, this.timeoutMs)
      this.pending.set(id, { resolve, reject, timer })
      ws.send(JSON.stringify({ type: 'invokefunction', invocation_id: id, function_id: functionId, data }))
    })
  }

  /**
   * Keeps a subscription on the other engine's pub/sub `topic` (as iii's stream bridge does: a
   * function `stream::bridge::on_pub::<uuid>` and a `subscribe` trigger on it); `handler` gets
   * each message's data. Connects now and re-subscribes after every reconnect.
   */
  subscribe(
    topic: string,
    handler: (data: Json) => void,
    status: (up: boolean, why?: string) => void = () => {},
  ): void {
    const functionId = `stream::bridge::on_pub::${randomUUID()}`
    this.watch = { topic, functionId, triggerId: randomUUID(), handler, status, up: null }
    this.keepConnected()
  }

  private setUp(up: boolean, why?: string): void {
    const w = this.watch
    if (!w || w.up === up || this.closed) return
    w.up = up
    w.status(up, why)
  }

  private keepConnected(): void {
    this.retry = null
    if (this.closed || !this.watch) return
    this.connection().then(
      () => {
        this.retryMs = RETRY_MIN_MS
        this.setUp(true)
      },
      (err: Error) => {
        this.setUp(false, err.message)
        this.scheduleRetry()
      },
    )
  }

  private scheduleRetry(): void {
    if (this.closed || !this.watch || this.retry) return
    this.retry = setTimeout(() => this.keepConnected(), this.retryMs)
    this.retry.unref()
    this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS)
  }

  close(): void {
    this.closed = true
    if (this.retry) clearTimeout(this.retry)
    void this.socket?.then((ws) => ws.close()).catch(() => {})
    this.failAll('the engine is shutting down')
  }

  private connection(): Promise<WebSocket> {
    if (this.closed) return Promise.reject(unavailable(this.url, 'closed'))
    if (!this.socket) {
      this.socket = this.open()
      this.socket.catch(() => {
        this.socket = null
      })
    }
    return this.socket
  }

  private async open(): Promise<WebSocket> {
    const url = new URL(this.url)
    try {
      await this.policy.checkUrl(url)
    } catch (err) {
      if (err instanceof PlatformError) throw new EngineError('outbound_address_blocked', err.message)
      throw unavailable(this.url, (err as Error).message)
    }
    const ws = new WebSocket(url, {
      handshakeTimeout: this.timeoutMs,
      // Resolved, checked and pinned in one step (ws hands `lookup` to the HTTP request).
      lookup: this.policy.lookupFor(hostPortOf(url).port),
    } as WebSocket.ClientOptions)
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve())
      ws.once('error', (err) => reject(unavailable(this.url, err.message)))
    })
    ws.on('message', (raw) => this.onMessage(ws, String(raw)))
    ws.on('error', () => {})
    ws.on('close', () => {
      this.socket = null
      this.failAll('the connection closed')
      this.setUp(false, 'the connection closed')
      this.scheduleRetry()
    })
    const w = this.watch
    if (w) {
      ws.send(JSON.stringify({ type: 'registerfunction', id: w.functionId }))
      ws.send(
        JSON.stringify({
          type: 'registertrigger',
          id: w.triggerId,
          trigger_type: 'subscribe',
          function_id: w.functionId,
          config: { topic: w.topic },
        }),
      )
    }
    return ws
  }

  private onMessage(ws: WebSocket, text: string): void {
    let m: {
      type?: unknown
      invocation_id?: unknown
      function_id?: unknown
      data?: Json
      result?: Json
      error?: { code?: unknown; message?: unknown }
    }
    try {
      m = JSON.parse(text)
    } catch {
      return
    }
    if (m.type === 'invokefunction' && this.watch && m.function_id === this.watch.functionId) {
      try {
        this.watch.handler(m.data ?? null)
      } catch {
        // A listener's failure is its own: the other engine still gets its answer.
      }
      if (typeof m.invocation_id === 'string')
        ws.send(JSON.stringify({ type: 'invocationresult', invocation_id: m.invocation_id, result: null }))
      return
    }
    if (m.type !== 'invocationresult' || typeof m.invocation_id !== 'string') return
    const p = this.pending.get(m.invocation_id)
    if (!p) return
    this.pending.delete(m.invocation_id)
    clearTimeout(p.timer)
    if (m.error)
      p.reject(
        new EngineError(
          typeof m.error.code === 'string' ? m.error.code : 'bridge_error',
          typeof m.error.message === 'string' ? m.error.message : 'the other engine refused the call',
        ),
      )
    else p.resolve(m.result ?? null)
  }

  private failAll(why: string): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer)
      p.reject(unavailable(this.url, why))
      this.pending.delete(id)
    }
  }
}
