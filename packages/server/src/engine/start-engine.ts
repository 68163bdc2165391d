// Assembles the engine (registry, built-ins, state store, named queues, trigger types) and
// opens its worker port. main.ts calls this with what the engine may not import itself.
import { randomUUID } from 'node:crypto'
import { OutboundPolicy } from '../net/outbound-policy.ts'
import type { Storage } from '../storage/storage.ts'
import { customStreamEventOf, STREAM_EVENTS_TOPIC, streamEventOf } from './bridge-stream-events.ts'
import { ChangeTriggers, circleCaller, QueueTriggers } from './change-triggers.ts'
import { addChannelFunctions, ChannelHub } from './channel-hub.ts'
import type { RevocationRelay } from './credential-watch.ts'
import { CronTriggers, type EngineClock, systemClock } from './cron-triggers.ts'
import { type ElementFunctions, Engine } from './engine.ts'
import { addEngineFunctions, type EngineLog } from './engine-functions.ts'
import { EngineRateLimit, type EngineRateLimitConfig } from './engine-rate-limit.ts'
import { DEFAULT_HTTP_FUNCTIONS, HttpFunctions } from './http-functions.ts'
import { type HttpTriggerDeps, HttpTriggers } from './http-triggers.ts'
import { type IiiPortOptions, type OpenedPort, openIiiWorkerPort } from './iii-worker-ports.ts'
import { NamedQueues, parseQueueConfig, QueueJobStore } from './named-queues.ts'
import { Observability } from './observability.ts'
import { addObservabilityFunctions } from './observability-functions.ts'
import { OtlpExporter } from './otlp-export.ts'
import { addPubSubFunctions, PubSub } from './pubsub.ts'

import { RedisFanout } from './redis-fanout.ts'
import { RemoteFunctions } from './remote-functions.ts'
import { addStateFunctions, type ItemChangeEvent } from './state-functions.ts'
import { DatabaseStateStore } from './state-store.ts'
import { StateStoreRouter } from './state-store-router.ts'
import { addStreamSendFunction, type StreamCustomEvent } from './stream-send.ts'
import { StreamSubscriptions } from './stream-subscriptions.ts'
import { type WorkerAuthenticator, WorkerPort } from './worker-port.ts'

export interface EngineOptions {
  storage: Storage
  elements: ElementFunctions | null
  authenticate: WorkerAuthenticator
  log: EngineLog
  port: number
  host: string
  timeoutMs: number
  /** Secrets and circle-key checks for http triggers' auth configs. */
  http: HttpTriggerDeps
  /** Time for cron schedules (tests pass a manual clock). */
  clock?: EngineClock
  /** Where HTTP-invoked functions may point (an iii config's iii-http-functions replaces it). */
  httpFunctionsAllowlist?: string[]
  /** PERIODIC_OUTBOUND_ALLOW: what the outbound-address policy lets through though non-public. */
  outboundAllow?: string[]

  /** Per-key limit on workers' calls through the API-key port (unset or 0: none). */
  rateLimit?: EngineRateLimitConfig
  /** Redis carries change events to the other nodes (unset: one node). */
  redis?: { url: string; prefix: string }
  /** Ends workers whose key is revoked or circle deleted; its revocations travel over the fan-out. */
  revocations?: RevocationRelay
}

export interface RunningEngine {
  engine: Engine
  /** Items in the database, or in memory for a circle an iii config's kv in_memory adapter names. */
  store: StateStoreRouter
  queues: NamedQueues
  httpTriggers: HttpTriggers
  /** `publish` / `subscribe` (set `pubsub.transport` to carry publishes across nodes). */
  pubsub: PubSub
  /** In-memory spans, logs and metrics (an iii config's iii-observability reconfigures it). */
  observability: Observability
  /** HTTP-invoked functions (an iii config's iii-http-functions sets the URL allow-list). */
  httpFunctions: HttpFunctions
  /** The server's outbound-address policy (HTTP functions and bridges to other engines use it). */
  outbound: OutboundPolicy
  /** The worker port actually bound (the configured one, or the ephemeral pick). */
  port: number
  /** Listeners of state and stream changes (trigger types subscribe here). */
  onChange: Set<(e: ItemChangeEvent) => void>
  /** Listeners of `stream::send` events, on the node they were sent on (after its clients). */
  onSend: Set<(e: StreamCustomEvent) => void>
  /** Browser stream subscriptions (their upgrade routes are in stream-client-port.ts). */
  streams: StreamSubscriptions
  /** Opens an extra worker port (an iii config's iii-worker-manager); closed with the engine. */
  openWorkerPort(o: IiiPortOptions): Promise<OpenedPort>
  close(): Promise<void>
}

export async function startEngine(o: EngineOptions): Promise<RunningEngine> {
  const engine = new Engine(o.elements, o.timeoutMs)
  const outbound = new OutboundPolicy(o.outboundAllow ?? [], o.log)
  const observability = new Observability()
  // OTLP export (iii-observability's exporter: otlp) posts through the outbound-address policy.
  observability.exporterFactory = (c, serviceName) =>
    new OtlpExporter(c, serviceName, outbound, o.log, () => observability.engineSeries())
  engine.observability = observability
  const httpFunctions = new HttpFunctions(
    o.http.secret,
    { ...DEFAULT_HTTP_FUNCTIONS, urlAllowlist: o.httpFunctionsAllowlist ?? [] },
    outbound,
  )
  engine.httpFunctions = httpFunctions
  const store = new StateStoreRouter(new DatabaseStateStore(o.storage.kysely, o.storage.dialect))
  const queues = new NamedQueues(engine, new QueueJobStore(o.storage.kysely, o.storage.dialect), (job) =>
    o.log.warn({ job }, 'engine: queue job moved to the dead-letter queue'),
  )
  const failed = (obj: object, msg: string) => o.log.warn(obj, msg)
  const pubsub = new PubSub(engine, failed)
  // Before the fan-out: events from other nodes are delivered to its clients.
  const streams = new StreamSubscriptions(engine, store, failed)
  const onChange = new Set<(e: ItemChangeEvent) => void>()
  const changed = (e: ItemChangeEvent) => {
    for (const l of onChange) l(e)
  }
  // A stream::send event on this node (sent here, or on another and brought by Redis): to its
  // clients, and, holding the items, to the other engines' bridges (as stream changes below).
  const sent = (e: StreamCustomEvent) => {
    streams.onCustomEvent(e)
    if (!e.bridged) pubsub.deliverLocal(e.circleId, STREAM_EVENTS_TOPIC, customStreamEventOf(e))
  }
  const onSend = new Set<(e: StreamCustomEvent) => void>()
  const fanout = o.redis
    ? await RedisFanout.connect(
        o.redis.url,
        o.redis.prefix,
        (e) => {
          if (e.kind === 'change') changed(e.event)
          else if (e.kind === 'publish') {
            const m = e.message
            pubsub.deliverLocal(m.circleId, m.topic, m.data, {
              traceparent: m.traceparent,
              baggage: m.baggage,
            })
          } else if (e.kind === 'stream_event') sent(e.event)
          else if (e.kind === 'revocation') o.revocations?.fromPeer(e.revocation)
        },
        (err) => o.log.warn({ err: String(err) }, 'engine: redis fan-out error'),
      )
    : null
  const remote = fanout
    ? new RemoteFunctions(fanout, engine, (err) =>
        o.log.warn({ err: String(err) }, 'engine: redis function directory error'),
      )
    : null
  engine.remote = remote
  if (fanout && o.revocations)
    o.revocations.toPeers = (revocation) => fanout.send({ kind: 'revocation', revocation })
  addEngineFunctions(engine, queues, o.log)
  addStateFunctions(engine, store, (e) => {
    // A bridge (a worker subscribed to `stream.events`) publishes its own writes' events there.
    if (e.writer && pubsub.hasSubscriber(e.ref.circleId, STREAM_EVENTS_TOPIC, e.writer)) e.bridged = true
    changed(e)
    fanout?.send({ kind: 'change', event: e })
  })
  const httpTriggers = new HttpTriggers(engine, o.http)
  engine.addTriggerType(httpTriggers)
  for (const kind of ['state', 'stream'] as const) {
    const t = new ChangeTriggers(kind, engine, failed)
    engine.addTriggerType(t)
    onChange.add((e) => t.onChange(e))
  }
  engine.addTriggerType(
    new QueueTriggers((trigger, queue, config) =>
      queues.configure(circleCaller(trigger), queue, parseQueueConfig(config)),
    ),
  )
  const cron = new CronTriggers(engine, o.storage.kysely, randomUUID(), o.clock ?? systemClock, failed)
  engine.addTriggerType(cron)
  addObservabilityFunctions(engine, observability)
  engine.addTriggerType(pubsub)
  if (fanout) pubsub.transport = { send: (message) => fanout.send({ kind: 'publish', message }) }
  addPubSubFunctions(engine, pubsub)

  engine.addTriggerType(streams.joinTriggers)
  engine.addTriggerType(streams.leaveTriggers)
  onChange.add((e) => streams.onChange(e))
  // Holding the items: stream changes go to the bridges of other engines (on every node, each to
  // its own subscribers, as Redis brings every change to every node).
  onChange.add((e) => {
    if (e.ref.kind === 'stream' && !e.bridged)
      pubsub.deliverLocal(e.ref.circleId, STREAM_EVENTS_TOPIC, streamEventOf(e), e.trace)
  })
  addStreamSendFunction(engine, (e) => {
    if (e.writer && pubsub.hasSubscriber(e.circleId, STREAM_EVENTS_TOPIC, e.writer)) e.bridged = true
    sent(e)
    for (const l of onSend) l(e)
    fanout?.send({ kind: 'stream_event', event: e })
  })
  const channels = new ChannelHub()
  addChannelFunctions(engine, channels)
  httpTriggers.bodyChannels = channels
  const port = new WorkerPort(engine, queues, o.authenticate, o.log)
  port.channels = channels
  port.watch = o.revocations?.watch ?? null
  if (o.rateLimit) port.rateLimit = new EngineRateLimit(o.rateLimit)
  const bound = await port.listen(o.port, o.host).catch((err) => {
    cron.close()
    queues.close()
    httpFunctions.destroy()
    void fanout?.close()
    throw err
  })
  const extraPorts: OpenedPort[] = []
  o.log.info(
    { port: bound, url: `ws://${o.host.includes(':') ? `[${o.host}]` : o.host}:${bound}` },
    'engine worker port listening',
  )
  return {
    engine,
    store,
    queues,
    httpTriggers,
    pubsub,
    observability,
    httpFunctions,
    outbound,
    port: bound,
    onChange,
    onSend,
    streams,
    async openWorkerPort(p) {
      const opened = await openIiiWorkerPort(engine, queues, o.log, channels, p)
      extraPorts.push(opened)
      return opened
    },
    async close() {
      cron.close()
      streams.terminate()
      queues.close()
      channels.close()
      await Promise.all(extraPorts.map((p) => p.close()))
      await port.close()
      await observability.close()
      remote?.close()
      await fanout?.close()
    },
  }
}
