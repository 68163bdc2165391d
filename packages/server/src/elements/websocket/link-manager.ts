// Keeps one driven link per websocket element with spec.url. With several nodes exactly one holds
// each link: the holder takes a Redis lock (SET NX PX, 15 s) and renews it every 3 s; a node
// that loses the lock stops its link, and the others take over within one lock lifetime.
import { jsonTextTooDeep } from '../../json-depth.ts'
import type { ElementRow, JsonObject } from '../../storage/storage.ts'
import type { PlatformContext } from '../element.ts'
import type { Cluster } from './cluster.ts'
import { DrivenLink, type LinkStatus } from './driven-link.ts'
import type { HandlerInvoker } from './handler-invoker.ts'
import type { WebsocketSpec } from './spec.ts'
import { websocketSpecOf } from './spec.ts'
import type { WebsocketMetrics } from './websocket-metrics.ts'

const LOCK_TTL_MS = 15_000
const RENEW_MS = 3000

interface Held {
  link: DrivenLink
  /** The spec fields the link was built from; a change restarts it. */
  key: string
  chain: Promise<void>
}

const linkKey = (s: WebsocketSpec) =>
  JSON.stringify([s.url, s.protocols, s.reconnect, s.connection.max_message_bytes])

export class LinkManager {
  private readonly wanted = new Map<string, ElementRow>()
  private readonly held = new Map<string, Held>()
  private readonly timer: NodeJS.Timeout
  private closed = false

  constructor(
    private readonly p: PlatformContext,
    private readonly cluster: Cluster,
    private readonly invoker: HandlerInvoker,
    private readonly metrics: WebsocketMetrics,
  ) {
    this.timer = setInterval(() => void this.renewAll(), RENEW_MS)
    this.timer.unref()
  }

  /** Finds every driven element at start (later changes arrive through update). */
  async scan(): Promise<void> {
    for (const circle of await this.p.elements.records.listCircles())
      for (const row of await this.p.elements.records.listCircleElements(circle.id))
        if (row.element_type === 'websocket') await this.update(row.id, row)
  }

  /** Starts, restarts or stops the link of one element after it changed (row undefined: gone). */
  async update(elementId: string, row: ElementRow | undefined): Promise<void> {
    const spec = row && websocketSpecOf(row)
    if (!row || row.deleted_at || !row.enabled || !spec?.url) {
      this.wanted.delete(elementId)
      await this.drop(elementId)
      return
    }
    this.wanted.set(elementId, row)
    const held = this.held.get(elementId)
    if (held && held.key !== linkKey(spec)) await this.drop(elementId)
    await this.acquire(elementId)
  }

  private async renewAll(): Promise<void> {
    for (const id of this.wanted.keys())
      await this.acquire(id).catch((err) => this.p.log.warn({ err }, 'link lock'))
  }

  private async acquire(elementId: string): Promise<void> {
    if (this.closed) return
    const row = this.wanted.get(elementId)
    if (!row) return
    const mine = await this.cluster.lock(`link:${elementId}`, LOCK_TTL_MS)
    if (!mine) {
      await this.drop(elementId, false)
      return
    }
    if (this.held.has(elementId) || this.closed) return
    const spec = websocketSpecOf(row)
    const held: Held = {
      key: linkKey(spec),
      chain: Promise.resolve(),
      link: undefined as unknown as DrivenLink,
    }
    held.link = new DrivenLink({
      url: spec.url!,
      protocols: spec.protocols,
      reconnect: spec.reconnect,
      maxMessageBytes: spec.connection.max_message_bytes,
      onMessage: (text) => this.inbound(elementId, held, text),
      onState: (s) =>
        this.p.log.info({ element: elementId, state: s.state, retries: s.retry_count }, 'driven link'),
    })
    this.held.set(elementId, held)
  }

  private inbound(elementId: string, held: Held, text: string): void {
    const row = this.wanted.get(elementId)
    if (!row) return
    this.metrics.received.inc({ element: elementId })
    const spec = websocketSpecOf(row)
    let data: unknown = text
    try {
      // A frame nested too deeply for the platform reaches the handler as the plain text it is.
      if (!jsonTextTooDeep(text)) data = JSON.parse(text)
    } catch {
      // External servers may speak plain text; the handler gets the string.
    }
    this.p.bus.publish({
      type: 'ws.message.received',
      circle_id: row.circle_id,
      element_id: row.id,
      actor: null,
      at: new Date().toISOString(),
      data: { connection_id: 'link', bytes: Buffer.byteLength(text) },
    })
    const slug = spec.handlers.message
    if (!slug) return
    const input = { event: 'message', connection_id: 'link', user: null, rooms: [], data } as JsonObject
    held.chain = held.chain
      .then(async () => {
        const out = await this.invoker.invoke(row, slug, input, spec.handlers.timeout_ms, {
          connection_id: 'link',
        })
        if (!out.ok)
          this.p.log.warn({ element: elementId, run: out.run_id, error: out.error }, 'link handler failed')
        else if (out.output !== null && held.link.send(JSON.stringify(out.output)))
          this.metrics.sent.inc({ element: elementId })
      })
      .catch((err: unknown) => this.p.log.error({ err }, 'link handler dispatch failed'))
  }

  private async drop(elementId: string, unlock = true): Promise<void> {
    const held = this.held.get(elementId)
    this.held.delete(elementId)
    held?.link.stop()
    if (held && unlock) await this.cluster.unlock(`link:${elementId}`).catch(() => {})
  }

  /** The link's status when this node holds it. */
  status(elementId: string): LinkStatus | undefined {
    return this.held.get(elementId)?.link.snapshot()
  }

  /** Writes to the link when this node holds it: 'sent', 'down' (held, not open) or 'elsewhere'. */
  send(elementId: string, text: string): 'sent' | 'down' | 'elsewhere' {
    const held = this.held.get(elementId)
    if (!held) return 'elsewhere'
    if (!held.link.send(text)) return 'down'
    this.metrics.sent.inc({ element: elementId })
    return 'sent'
  }

  async close(): Promise<void> {
    this.closed = true
    clearInterval(this.timer)
    for (const id of [...this.held.keys()]) await this.drop(id)
  }
}
