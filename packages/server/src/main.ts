// The composition root: config -> storage -> element service -> HTTP. Only this file knows
// which storage implementation exists.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { type Logger, pino } from 'pino'
import { Registry as MetricsRegistry } from 'prom-client'
import { hasScope } from './auth/actor.ts'
import { Authenticator, generateKey } from './auth/api-keys.ts'
import { engineWorkerAuth } from './auth/engine-worker-auth.ts'
import { startRevocationSweep } from './auth/key-revocation-sweep.ts'
import { KeyRevocations, revokeOnPlatformEvents } from './auth/key-revocations.ts'
import { streamClientKeyCheck } from './auth/stream-client-auth.ts'
import type { Config } from './config.ts'
import { AgentEmailTriggers } from './elements/agent/email/email-aliases.ts'
import { ElementService } from './elements/element-service.ts'
import { engineElementFunctions } from './elements/engine-element-functions.ts'
import { Registry } from './elements/registry.ts'
import { ElementSource } from './elements/source/element-source.ts'
import type { EngineClock } from './engine/cron-triggers.ts'
import { EngineError } from './engine/engine-error.ts'
import { type RunningEngine, startEngine } from './engine/start-engine.ts'
import { attachStreamRoute } from './engine/stream-client-port.ts'
import { registerTelemetryMetrics } from './engine/telemetry-metrics.ts'
import { EventBus } from './events/event-bus.ts'
import { buildApp } from './http/app.ts'
import { KeyRateLimiter } from './http/rate-limiter.ts'
import { type IiiDropIn, readIiiConfig, startIiiDropIn } from './iii-drop-in.ts'
import { registerQuotaMetrics } from './quotas/quota-metrics.ts'
import { ResourceBudget } from './quotas/resource-budget.ts'
import { RunQueue } from './runs/run-queue.ts'
import { RunService } from './runs/run-service.ts'
import { chooseExecutor } from './sandbox/choose-executor.ts'
import { AgentMailInbox } from './smtp/agent-mail-inbox.ts'
import { type SmtpListener, startSmtpListener } from './smtp/smtp-listener.ts'
import { GitStore } from './source/git-store.ts'
import { createPostgresStorage } from './storage/postgres.ts'
import { createSqliteStorage } from './storage/sqlite.ts'
import type { Storage } from './storage/storage.ts'

export interface Platform {
  app: FastifyInstance
  storage: Storage
  bus: EventBus
  elements: ElementService
  adminKey: string
  /** True when this start generated the admin key (it is printed once). */
  adminKeyGenerated: boolean
  url: string
  /** The engine and its worker port (`ws://host:port`). */
  engine: RunningEngine
  engineUrl: string
  /** What `--iii-config` started (null without it). */
  iii: IiiDropIn | null
  /** Server-wide budget and per-circle quotas (a run dispatcher asks it `hasRoom`). */
  quotas: ResourceBudget
  /** The SMTP listener of agents' email triggers (null unless --smtp-port is given). */
  smtp: SmtpListener | null
  close(): Promise<void>
}

export interface StartOptions {
  logger?: Logger
  /** Overrides storage selection (tests pass a PostgreSQL schema here). */
  storage?: Storage
  /** Time for the engine's cron schedules (tests pass a manual clock). */
  engineClock?: EngineClock
}

function loadAdminKey(config: Config): { key: string; generated: boolean } {
  if (config.adminKey) return { key: config.adminKey, generated: false }
  const file = join(config.dataDir, 'admin.key')
  if (existsSync(file)) return { key: readFileSync(file, 'utf8').trim(), generated: false }
  const key = generateKey()
  writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' })
  chmodSync(file, 0o600)
  return { key, generated: true }
}

export async function startPlatform(config: Config, opts: StartOptions = {}): Promise<Platform> {
  const logger =
    opts.logger ?? pino({ level: config.logLevel, redact: ['req.headers.authorization', '*.key', '*.token'] })
  // A bad --iii-config stops the start before anything is created on disk.
  const iiiConfig = config.engine.iiiConfig ? readIiiConfig(config.engine.iiiConfig) : null
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 })
  // Also an existing one (older installs, a hand-made directory): keys, database and run files.
  chmodSync(config.dataDir, 0o700)
  const storage =
    opts.storage ??
    (config.databaseUrl
      ? await createPostgresStorage({ url: config.databaseUrl })
      : createSqliteStorage(join(config.dataDir, 'periodic.db')))
  let engine: RunningEngine | undefined
  let iii: IiiDropIn | null = null
  let smtp: SmtpListener | null = null
  try {
    await storage.migrate()
    const { key: adminKey, generated } = loadAdminKey(config)
    const bus = new EventBus((err, event) =>
      logger.error({ err, event: event.type }, 'event listener failed'),
    )
    // Live connections authenticated by a key end when it is revoked or its circle deleted.
    const revocations = new KeyRevocations()
    revokeOnPlatformEvents(bus, revocations)
    const stopSweep = startRevocationSweep(revocations, storage, config.revocationSweepMs, (err) =>
      logger.warn({ err }, 'revocation sweep failed'),
    )
    const registry = new Registry()
    const source = new ElementSource(new GitStore(config.source.dir), (t) => registry.get(t))
    const elements = new ElementService(storage, registry, bus, config, source)
    const runs = new RunService(storage, bus)
    const sandbox = chooseExecutor(config.sandbox, logger, config.sandboxUser, config.outbound.allow)
    const metrics = new MetricsRegistry()
    const quotas = new ResourceBudget(config.quotas)
    registerQuotaMetrics(quotas, metrics)
    await storage.migrateTables(registry.typeTables())
    registry.startRuntimes({
      elements,
      runs,
      bus,
      executor: sandbox.executor,
      config,
      log: logger,
      metrics,
      watchCredential: revocations.watch,
      quotas,
      ...(opts.engineClock ? { clock: opts.engineClock } : {}),
      engine: {
        // Bound late: handlers only call once the engine below is running.
        invoke: (caller, fn, data, o) =>
          engine
            ? engine.engine.invoke(caller, fn, data, o)
            : Promise.reject(new EngineError('engine_unavailable', 'the engine is not running')),
      },
    })
    runs.onFinishError = (err, run) => logger.error({ err, run: run.id }, 'run outcome could not be stored')
    const runQueue = new RunQueue({
      storage,
      runs,
      executorFor: (element, operation) => {
        const runtime = registry.runtimeOf(element.element_type)
        return runtime?.runnableOperations?.includes(operation) ? runtime.queue : undefined
      },
      leaseMs: config.runs.leaseMs,
      tickMs: Math.max(50, Math.min(1000, Math.round(config.runs.leaseMs / 4))),
      log: logger,
    })
    const keyLimiter = new KeyRateLimiter(config.rateLimit)
    const auth = new Authenticator(storage, adminKey, (actor) => keyLimiter.admit(actor))
    engine = await startEngine({
      storage,
      elements: engineElementFunctions(elements, runs),
      authenticate: engineWorkerAuth(auth, storage),
      log: logger,
      // An iii config that claims the worker port gets it; the API-key port then goes ephemeral.
      port: iiiConfig?.workerPorts.some((p) => p.port === config.engine.port) ? 0 : config.engine.port,
      host: config.host,
      timeoutMs: config.engine.timeoutMs,
      httpFunctionsAllowlist: config.engine.httpFunctionsAllowlist,
      rateLimit: config.engine.rateLimit,
      outboundAllow: config.outbound.allow,
      ...(opts.engineClock ? { clock: opts.engineClock } : {}),
      ...(config.redisUrl ? { redis: { url: config.redisUrl, prefix: config.redisPrefix } } : {}),
      revocations,
      http: {
        secret: (name) => process.env[name],
        isCircleKey: async (header, circleId) => {
          const actor = await auth.authenticate(header).catch(() => null)
          return !!actor && (actor.platformAdmin || actor.circleId === circleId) && hasScope(actor, 'execute')
        },
      },
    })
    registerTelemetryMetrics(engine.observability, metrics)
    // Runtimes that take engine publishes (workflows: CloudEvents for listen and automations).
    const taps = registry.list().flatMap((t) => {
      const r = registry.runtimeOf(t.type)
      return r?.onPublished ? [r] : []
    })
    if (taps.length)
      engine.pubsub.tap = (c, topic, data) => {
        for (const r of taps) r.onPublished?.(c, topic, data)
      }
    // Only now: taking over a lost node's runs executes them at once, and a handler's engine
    // calls (state, streams, functions) need the engine running — started before it, a retried
    // run's first `state.update` failed with engine_unavailable (run-recovery.test, under load).
    await runQueue.start()
    const app = await buildApp({
      elements,
      runs,
      runStore: storage,
      auth,
      logger,
      metrics,
      bodyLimit: config.bodyLimitBytes,
      metricsPublic: config.metricsPublic,
      watchCredential: revocations.watch,
      engineHttp: {
        httpTriggers: engine.httpTriggers,
        circleIdOf: async (slug) => (await storage.findCircle(slug))?.id,
      },
      engineApi: {
        engine: engine.engine,
        circleIdOf: async (slug) => (await storage.findCircle(slug))?.id,
      },
    })
    for (const t of registry.list()) registry.runtimeOf(t.type)?.attachServer?.(app.server)
    app.addHook('preClose', async () => {
      await Promise.all(registry.list().map((t) => registry.runtimeOf(t.type)?.drain?.()))
    })
    const streams = engine.streams
    const detachStreams = attachStreamRoute(app.server, {
      hub: streams,
      engine: engine.engine,
      circleOf: async (slug) => {
        const c = await storage.findCircle(slug)
        return c && { circleId: c.id, circleSlug: c.slug }
      },
      authFunctionId: config.engine.streamAuthFunction ?? null,
      checkKey: streamClientKeyCheck(auth),
      watch: revocations.watch,
      log: logger,
    })
    app.addHook('preClose', async () => {
      detachStreams()
      await streams.close()
    })
    // Last before the listener closes: what the drains above have not ended gets a second to
    // finish, then its connection goes (a half-closed stream must not hold shutdown forever).
    app.addHook('preClose', async () => {
      setTimeout(() => app.server.closeAllConnections(), 1000).unref()
    })
    if (iiiConfig)
      iii = await startIiiDropIn(iiiConfig, {
        engine,
        storage,
        elements,
        logger,
        bodyLimit: config.bodyLimitBytes,
      })
    const running = engine
    const dropIn = iii
    app.addHook('onClose', async () => {
      stopSweep()
      await dropIn?.close()
      await running.close()
      await runQueue.close()
      await registry.closeRuntimes()
      sandbox.close()
    })
    if (config.smtp.port !== null) {
      const triggers = new AgentEmailTriggers(elements, config.smtp.domain)
      const inbox = new AgentMailInbox(elements, triggers, config.dataDir, logger)
      smtp = await startSmtpListener(config.smtp, inbox, logger)
      const listener = smtp
      app.addHook('onClose', () => listener.close())
    }
    await app.listen({ port: config.port, host: config.host })
    const address = app.server.address()
    const port = typeof address === 'object' && address ? address.port : config.port
    const host = config.host.includes(':') ? `[${config.host}]` : config.host
    return {
      app,
      storage,
      bus,
      elements,
      adminKey,
      adminKeyGenerated: generated,
      url: `http://${host}:${port}`,
      engine,
      engineUrl: `ws://${host}:${engine.port}`,
      iii,
      quotas,
      smtp,
      async close() {
        await app.close()
        await storage.close()
      },
    }
  } catch (err) {
    await smtp?.close().catch(() => {})
    await iii?.close().catch(() => {})
    await engine?.close().catch(() => {})
    await storage.close().catch(() => {})
    throw err
  }
}
