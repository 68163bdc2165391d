// The composition root: config -> storage -> element service -> HTTP. Only this file knows
// which storage implementation exists.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { type Logger, pino } from 'pino'
import { Registry as MetricsRegistry } from 'prom-client'
import { Authenticator, generateKey } from './auth/api-keys.ts'
import type { Config } from './config.ts'
import { ElementService } from './elements/element-service.ts'
import { Registry } from './elements/registry.ts'
import { EventBus } from './events/event-bus.ts'
import { buildApp } from './http/app.ts'
import { KeyRateLimiter } from './http/rate-limiter.ts'
import { RunService } from './runs/run-service.ts'
import { chooseExecutor } from './sandbox/choose-executor.ts'
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
  close(): Promise<void>
}

export interface StartOptions {
  logger?: Logger
  /** Overrides storage selection (tests pass a PostgreSQL schema here). */
  storage?: Storage
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
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 })
  const storage =
    opts.storage ??
    (config.databaseUrl
      ? await createPostgresStorage({ url: config.databaseUrl })
      : createSqliteStorage(join(config.dataDir, 'periodic.db')))
  try {
    await storage.migrate()
    const { key: adminKey, generated } = loadAdminKey(config)
    const bus = new EventBus((err, event) =>
      logger.error({ err, event: event.type }, 'event listener failed'),
    )
    const registry = new Registry()
    const elements = new ElementService(storage, registry, bus, config)
    const runs = new RunService(storage, bus)
    const sandbox = chooseExecutor(config.sandbox, logger)
    const metrics = new MetricsRegistry()
    registry.startRuntimes({
      storage,
      elements,
      runs,
      bus,
      executor: sandbox.executor,
      config,
      log: logger,
      metrics,
    })
    const keyLimiter = new KeyRateLimiter(config.rateLimit)
    const auth = new Authenticator(storage, adminKey, (actor) => keyLimiter.admit(actor))
    const app = await buildApp({ elements, runs, auth, logger, metrics, bodyLimit: config.bodyLimitBytes })
    for (const t of registry.list()) registry.runtimeOf(t.type)?.attachServer?.(app.server)
    app.addHook('preClose', async () => {
      await Promise.all(registry.list().map((t) => registry.runtimeOf(t.type)?.drain?.()))
    })
    app.addHook('onClose', async () => {
      await registry.closeRuntimes()
      sandbox.close()
    })
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
      async close() {
        await app.close()
        await storage.close()
      },
    }
  } catch (err) {
    await storage.close().catch(() => {})
    throw err
  }
}
