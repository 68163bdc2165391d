// `periodic serve --iii-config`: runs an iii engine config's workers on Periodic — extra worker
// ports joined to one circle (created if missing), an iii-http port, an iii-stream port for stream
// clients, the observability and http-functions settings — and warns once about the rest.
import { createHash } from 'node:crypto'
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import { SCOPES } from './auth/actor.ts'
import { ConfigError } from './config.ts'
import type { ElementService } from './elements/element-service.ts'
import { BridgeClient } from './engine/bridge-client.ts'
import { BridgeStateStore } from './engine/bridge-state-store.ts'
import {
  customStreamEventOf,
  fromStreamEvent,
  publishStreamEvent,
  STREAM_EVENTS_TOPIC,
} from './engine/bridge-stream-events.ts'
import { type IiiConfig, IiiConfigError, loadIiiConfig } from './engine/iii-config.ts'
import type { RunningEngine } from './engine/start-engine.ts'
import { type OpenedStreamPort, openStreamClientPort } from './engine/stream-client-port.ts'
import { startIiiHttpServer } from './http/iii-http-server.ts'
import type { Storage } from './storage/storage.ts'

/** Reads the config at startup; a bad config stops the server with a message (exit 2). */
export function readIiiConfig(path: string): IiiConfig {
  try {
    return loadIiiConfig(path, process.env)
  } catch (err) {
    if (err instanceof IiiConfigError) throw new ConfigError(`--iii-config ${path}: ${err.message}`)
    throw err
  }
}

export interface IiiDropIn {
  circle: string
  workerPorts: number[]
  httpPort: number | null
  streamPort: number | null
  close(): Promise<void>
}

export async function startIiiDropIn(
  cfg: IiiConfig,
  d: {
    engine: RunningEngine
    storage: Storage
    elements: ElementService
    logger: FastifyBaseLogger
    bodyLimit: number
  },
): Promise<IiiDropIn> {
  if (cfg.unsupported.length)
    d.logger.warn(
      { unsupported: cfg.unsupported },
      `iii config: not supported by Periodic, ignored: ${cfg.unsupported.join(', ')}`,
    )
  const admin = { keyId: 'platform-admin', circleId: null, scopes: new Set(SCOPES), platformAdmin: true }
  const circle =
    (await d.storage.findCircle(cfg.circle)) ??
    (await d.elements.createCircle({ element_type: 'circle', slug: cfg.circle }, admin))
  // Engine-wide settings: they apply to every circle, not only the config's.
  if (cfg.observability) d.engine.observability.configure(cfg.observability)
  if (cfg.httpFunctions) d.engine.httpFunctions.configure(cfg.httpFunctions)
  // kv in_memory: this circle's items of that kind are kept in memory from now on; bridge: in
  // another engine, reached as a worker of it (a state bridge connects at the first call; a
  // stream bridge at once, to hear the other engine's `stream.events`: this engine's stream
  // triggers and subscribers get the changes that others made there).
  for (const kind of cfg.inMemory) d.engine.store.useMemory(circle.id, kind)
  const bridges = cfg.bridges.map((b) => {
    const origin = createHash('sha256').update(`${circle.id}\n${b.kind}\n${b.url}`).digest('hex').slice(0, 32)
    const client = new BridgeClient(b.url, d.engine.outbound, d.engine.engine.defaultTimeoutMs, origin)
    d.engine.store.useStore(circle.id, b.kind, new BridgeStateStore(client))
    if (b.kind !== 'stream') return client
    // stream::send events go over too (iii's bridge publishes them); writes are published by the store.
    d.engine.onSend.add((e) => {
      if (e.circleId === circle.id && !e.bridged)
        publishStreamEvent(client, customStreamEventOf(e, client.id))
    })
    client.subscribe(
      STREAM_EVENTS_TOPIC,
      (data) => {
        const m = fromStreamEvent(circle.id, data, client.id)
        if (m && 'change' in m) for (const l of d.engine.onChange) l(m.change)
        else if (m) d.engine.streams.onCustomEvent(m.custom)
      },
      (up, why) =>
        up
          ? d.logger.info({ bridge: b.url }, 'iii stream bridge: subscribed to stream.events')
          : d.logger.warn({ bridge: b.url, err: why }, 'iii stream bridge: not connected, retrying'),
    )
    return client
  })
  const workerPorts: number[] = []
  let http: FastifyInstance | null = null
  let httpPort: number | null = null
  let stream: OpenedStreamPort | null = null
  try {
    for (const p of cfg.workerPorts) {
      const opened = await d.engine.openWorkerPort({ circleId: circle.id, circleSlug: circle.slug, ...p })
      workerPorts.push(opened.port)
    }
    if (cfg.http) {
      d.engine.httpTriggers.setGlobalMiddleware(circle.slug, cfg.http.middleware)
      const started = await startIiiHttpServer({
        httpTriggers: d.engine.httpTriggers,
        circleId: circle.id,
        circleSlug: circle.slug,
        host: cfg.http.host,
        port: cfg.http.port,
        timeoutMs: cfg.http.defaultTimeoutMs,
        bodyLimit: d.bodyLimit,
        logger: d.logger,
      })
      http = started.app
      httpPort = started.port
      d.logger.info({ port: httpPort, circle: circle.slug }, 'iii-http port listening')
    }
    if (cfg.stream)
      stream = await openStreamClientPort({
        hub: d.engine.streams,
        engine: d.engine.engine,
        circle: { circleId: circle.id, circleSlug: circle.slug },
        host: cfg.stream.host,
        port: cfg.stream.port,
        authFunctionId: cfg.stream.authFunctionId,
        log: d.logger,
      })
  } catch (err) {
    await http?.close()
    await stream?.close()
    throw err
  }
  return {
    circle: circle.slug,
    workerPorts,
    httpPort,
    streamPort: stream?.port ?? null,
    async close() {
      for (const b of bridges) b.close()
      await http?.close()
      await stream?.close()
    },
  }
}
