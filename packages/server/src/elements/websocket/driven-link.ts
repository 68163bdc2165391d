// Driven mode: one outbound WebSocket to spec.url, reconnected with exponential backoff and
// jitter until max_retries (-1 = forever); inbound messages go to the message handler.
import WebSocket from 'ws'
import { backoffDelay, mayRetry, type ReconnectConfig } from './backoff.ts'

export type LinkState = 'connecting' | 'open' | 'reconnecting' | 'failed' | 'stopped'

export interface LinkStatus {
  url: string
  state: LinkState
  /** Failed attempts since the link was last open. */
  retry_count: number
  /** Reconnections that succeeded since the link was started. */
  reconnects: number
  connected_at: string | null
  next_retry_at: string | null
  /** The last few waits before a retry, ms (shows the backoff growing). */
  recent_delays_ms: number[]
  last_error: string | null
  protocol: string | null
}

export interface LinkOptions {
  url: string
  protocols: string[]
  reconnect: ReconnectConfig
  maxMessageBytes: number
  onMessage(data: string): void
  onState?(status: LinkStatus): void
}

export class DrivenLink {
  private ws: WebSocket | undefined
  private timer: NodeJS.Timeout | undefined
  private stopped = false
  private readonly status: LinkStatus

  constructor(private readonly o: LinkOptions) {
    this.status = {
      url: redactLinkUrl(o.url),
      state: 'connecting',
      retry_count: 0,
      reconnects: 0,
      connected_at: null,
      next_retry_at: null,
      recent_delays_ms: [],
      last_error: null,
      protocol: null,
    }
    this.connect()
  }

  snapshot(): LinkStatus {
    return { ...this.status, recent_delays_ms: [...this.status.recent_delays_ms] }
  }

  get url(): string {
    return this.o.url
  }

  isOpen(): boolean {
    return this.ws?.readyState === WebSocket.OPEN
  }

  send(text: string): boolean {
    if (!this.isOpen()) return false
    this.ws!.send(text)
    return true
  }

  private set(state: LinkState): void {
    this.status.state = state
    this.o.onState?.(this.snapshot())
  }

  private connect(): void {
    if (this.stopped) return
    this.status.next_retry_at = null
    let opened = false
    let ws: WebSocket
    try {
      ws = new WebSocket(this.o.url, this.o.protocols, {
        maxPayload: this.o.maxMessageBytes,
        handshakeTimeout: 10_000,
        perMessageDeflate: false,
      })
    } catch (err) {
      // A URL ws cannot use (the spec pattern lets some through): no retry can fix it.
      this.status.last_error = (err as Error).message.slice(0, 500)
      this.set('failed')
      return
    }
    this.ws = ws
    ws.on('open', () => {
      opened = true
      if (this.status.connected_at !== null || this.status.retry_count > 0) this.status.reconnects++
      this.status.retry_count = 0
      this.status.connected_at = new Date().toISOString()
      this.status.last_error = null
      this.status.protocol = ws.protocol || null
      this.set('open')
    })
    ws.on('message', (data, isBinary) => {
      if (!isBinary) this.o.onMessage(data.toString())
      else this.o.onMessage((data as Buffer).toString('utf8'))
    })
    ws.on('error', (err) => {
      this.status.last_error = err.message.slice(0, 500)
    })
    ws.on('close', (code) => {
      if (this.ws !== ws) return
      this.ws = undefined
      if (opened && !this.status.last_error) this.status.last_error = `closed by the server (${code})`
      this.scheduleRetry()
    })
  }

  private scheduleRetry(): void {
    if (this.stopped) return
    if (!mayRetry(this.o.reconnect, this.status.retry_count)) {
      this.set('failed')
      return
    }
    this.status.retry_count++
    const delay = backoffDelay(this.o.reconnect, this.status.retry_count)
    this.status.recent_delays_ms = [...this.status.recent_delays_ms, delay].slice(-10)
    this.status.next_retry_at = new Date(Date.now() + delay).toISOString()
    this.set('reconnecting')
    this.timer = setTimeout(() => this.connect(), delay)
    this.timer.unref()
  }

  stop(): void {
    this.stopped = true
    clearTimeout(this.timer)
    this.status.state = 'stopped'
    const ws = this.ws
    this.ws = undefined
    if (ws && ws.readyState === WebSocket.OPEN) ws.close(1001, 'element stopped')
    else ws?.terminate()
  }
}

/** Credentials in the link URL (user:pass@ or a token in the query) are not shown. */
export function redactLinkUrl(url: string): string {
  try {
    const u = new URL(url)
    if (u.password) u.password = 'REDACTED'
    for (const k of [...u.searchParams.keys()])
      if (/token|key|secret|auth|password|sig/i.test(k)) u.searchParams.set(k, 'REDACTED')
    return u.toString()
  } catch {
    return url
  }
}
