// A worker-protocol client this engine uses to call functions of another engine (iii's bridge
// client): it joins `bridge_url` as a worker and sends `invokefunction` frames, each answered by
// an `invocationresult`. The connection passes the server's outbound-address policy; when it
// drops, calls in flight fail with `bridge_unavailable` and the next call reconnects.
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

const unavailable = (url: string, why: string) =>
  new EngineError('bridge_unavailable', `the bridge to ${url} is not connected: ${why}`)

export class BridgeClient {
  private socket: Promise<WebSocket> | null = null
  private readonly pending = new Map<string, Pending>()
  private closed = false

  constructor(
    readonly url: string,
    private readonly policy: OutboundPolicy,
    private readonly timeoutMs: number,
  ) {}

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

  close(): void {
    this.closed = true
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
    ws.on('message', (raw) => this.onMessage(String(raw)))
    ws.on('error', () => {})
    ws.on('close', () => {
      this.socket = null
      this.failAll('the connection closed')
    })
    return ws
  }

  private onMessage(text: string): void {
    let m: {
      type?: unknown
      invocation_id?: unknown
      result?: Json
      error?: { code?: unknown; message?: unknown }
    }
    try {
      m = JSON.parse(text)
    } catch {
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
