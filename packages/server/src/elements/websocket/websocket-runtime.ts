// The websocket type's runtime: assembles the connection registry, the cluster (Redis when
// REDIS_URL is set), the shared heartbeat, the endpoint server on the platform's HTTP server and
// the driven links, and keeps them in step with element writes.
import type { Server as HttpServer } from 'node:http'
import { PlatformError } from '../../errors.ts'
import type { PlatformEvent } from '../../events/event-bus.ts'
import type { ElementRow } from '../../storage/storage.ts'
import type { PlatformContext, TypeRuntime } from '../element.ts'
import { type Cluster, LocalCluster } from './cluster.ts'
import { ConnectionRegistry } from './connection-registry.ts'
import { ElementDirectory } from './element-directory.ts'
import { EndpointServer } from './endpoint-server.ts'
import { HandlerInvoker } from './handler-invoker.ts'
import { Heartbeat } from './heartbeat.ts'
import { sealLegacyJwtSecrets } from './legacy-jwt-secrets.ts'
import { LinkManager } from './link-manager.ts'
import { LocalNode } from './local-node.ts'
import { RedisCluster } from './redis-cluster.ts'
import { websocketSpecOf } from './spec.ts'
import { WS } from './websocket-errors.ts'
import { WebsocketHub } from './websocket-hub.ts'
import { WebsocketMetrics } from './websocket-metrics.ts'

export class WebsocketRuntime implements TypeRuntime {
  readonly registry = new ConnectionRegistry()
  readonly invoker: HandlerInvoker
  private readonly directory: ElementDirectory
  private readonly metrics: WebsocketMetrics
  private heartbeat: Heartbeat | undefined
  private cluster: Cluster = new LocalCluster()
  private node!: LocalNode
  private endpoint!: EndpointServer
  private links!: LinkManager
  private hubReady!: WebsocketHub
  /** Resolves once Redis (when configured) is connected and driven links are scanned. */
  private readonly ready: Promise<void>
  private readonly unsubscribe: () => void
  private server: HttpServer | undefined

  constructor(private readonly p: PlatformContext) {
    this.invoker = new HandlerInvoker(p)
    this.directory = new ElementDirectory(p.elements.records)
    this.metrics = new WebsocketMetrics(p.metrics)
    this.build()
    this.ready = this.start()
    this.ready.catch((err: unknown) => p.log.error({ err }, 'websocket runtime failed to start'))
    this.unsubscribe = p.bus.subscribe('element.*', (e) => this.onEvent(e))
  }

  private build(): void {
    this.node = new LocalNode(this.cluster.nodeId, this.registry, this.directory, this.metrics, this.p.bus)
    this.endpoint = new EndpointServer(this.p, this.node, this.cluster, this.invoker)
    this.links = new LinkManager(this.p, this.cluster, this.invoker, this.metrics)
    this.hubReady = new WebsocketHub(this.node, this.cluster, this.links)
    this.cluster.onRequest(async (m) => {
      if (m.op === 'reconcile') {
        await this.reconcile(m.element_id, false)
        return null
      }
      return this.hubReady.handle(m)
    })
  }

  private async start(): Promise<void> {
    const { redisUrl, redisPrefix } = this.p.config
    if (redisUrl) {
      // Connections cannot exist yet (the server is not listening), so swapping is safe.
      await this.links.close()
      this.cluster = await RedisCluster.connect(redisUrl, redisPrefix, (err) =>
        this.p.log.warn({ err }, 'redis (websocket fan-out)'),
      )
      this.build()
    }
    this.heartbeat = new Heartbeat(
      this.registry,
      (id) => {
        const s = this.node.specOf(id)
        return (
          s && {
            enabled: s.heartbeat.enabled,
            intervalMs: s.heartbeat.interval_ms,
            slowTimeoutMs: s.connection.slow_timeout_ms,
          }
        )
      },
      (c, why) => {
        this.p.log.info({ element: c.elementId, connection: c.id, why }, 'websocket connection evicted')
        c.ws.terminate()
      },
    )
    await this.links.scan()
    const sealed = await sealLegacyJwtSecrets(this.p.elements).catch((err: unknown) => {
      this.p.log.error({ err }, 'websocket: sealing JWT secrets stored in clear failed')
      return 0
    })
    if (sealed > 0) this.p.log.info({ rows: sealed }, 'websocket: sealed JWT secrets stored in clear')
  }

  /**
   * The operations' entry point: waits for Redis on the first calls after start, and turns a
   * failure of the fan-out (Redis down) into WS_CONNECTION_FAILED rather than a 500.
   */
  async withHub<T>(fn: (hub: WebsocketHub) => Promise<T>): Promise<T> {
    try {
      await this.ready
      return await fn(this.hubReady)
    } catch (err) {
      if (err instanceof PlatformError) throw err
      this.p.log.warn({ err }, 'websocket fan-out failed')
      throw new PlatformError(WS.WS_CONNECTION_FAILED, 'the fan-out to other nodes (Redis) failed; retry', {
        cause: String((err as Error).message ?? err).slice(0, 200),
      })
    }
  }

  attachServer(server: HttpServer): void {
    this.server = server
    server.on('upgrade', this.onUpgrade)
  }

  private readonly onUpgrade = (...args: Parameters<EndpointServer['onUpgrade']>): void => {
    const [req, socket] = args
    if (!req.url?.startsWith('/ws/')) return
    // An upgrade that arrives while Redis is still connecting waits for it.
    this.ready.then(
      () => this.endpoint.onUpgrade(...args),
      () => socket.destroy(),
    )
  }

  private onEvent(e: PlatformEvent): void {
    if (!e.type.startsWith('element.') || !e.element_id) return
    this.invoker.forget()
    this.directory.invalidate()
    // Element writes are rare next to messages: re-reading the row is simpler than guessing its type.
    void this.reconcile(e.element_id, true).catch((err: unknown) =>
      this.p.log.warn({ err }, 'websocket reconcile'),
    )
  }

  /** Re-reads one element: its link starts or stops, and its clients go when it no longer serves. */
  private async reconcile(elementId: string, tellOthers: boolean): Promise<void> {
    await this.ready
    this.directory.invalidate()
    const row = await this.p.elements.records.getElement(elementId)
    if (row?.element_type !== 'websocket') return
    const before = this.directory.row(elementId)
    this.directory.remember(row)
    await this.links.update(elementId, row)
    const gone = !!row.deleted_at || !row.enabled
    const moved = before && websocketSpecOf(before).path !== websocketSpecOf(row).path
    if (gone || moved) this.closeAll(row, gone ? 'element disabled or deleted' : 'endpoint path changed')
    if (tellOthers && this.cluster.distributed)
      await this.cluster.notify({ op: 'reconcile', element_id: elementId })
  }

  private closeAll(row: ElementRow, reason: string): void {
    for (const c of [...this.registry.ofElement(row.id)]) c.ws.close(1001, reason)
  }

  /** Stops taking upgrades and says 1001 to every client (cut after 1 s), so the HTTP server can close. */
  async drain(): Promise<void> {
    this.server?.off('upgrade', this.onUpgrade)
    const open = [...this.registry.all()]
    await Promise.all(
      open.map(
        (c) =>
          new Promise<void>((resolve) => {
            const timer = setTimeout(() => {
              c.ws.terminate()
              resolve()
            }, 1000)
            c.ws.once('close', () => {
              clearTimeout(timer)
              resolve()
            })
            c.ws.close(1001, 'server shutting down')
          }),
      ),
    )
  }

  async close(): Promise<void> {
    this.unsubscribe()
    await this.ready.catch(() => {})
    this.server?.off('upgrade', this.onUpgrade)
    this.heartbeat?.close()
    await this.links.close()
    for (const c of [...this.registry.all()]) c.ws.terminate()
    this.endpoint.close()
    await this.cluster.close()
  }
}
