// Assembles the engine (registry, built-ins, state store, named queues, trigger types) and
// opens its worker port. main.ts calls this with what the engine may not import itself.
import type { Storage } from '../storage/storage.ts'
import { type ElementFunctions, Engine } from './engine.ts'
import { addEngineFunctions } from './engine-functions.ts'
import { type HttpTriggerDeps, HttpTriggers } from './http-triggers.ts'
import { NamedQueues } from './named-queues.ts'
import { addStateFunctions, type ItemChangeEvent } from './state-functions.ts'
import { StateStore } from './state-store.ts'
import { type WorkerAuthenticator, WorkerPort, type WorkerPortLog } from './worker-port.ts'

export interface EngineOptions {
  storage: Storage
  elements: ElementFunctions | null
  authenticate: WorkerAuthenticator
  log: WorkerPortLog
  port: number
  host: string
  timeoutMs: number
  /** Secrets and circle-key checks for http triggers' auth configs. */
  http: HttpTriggerDeps
}

export interface RunningEngine {
  engine: Engine
  store: StateStore
  queues: NamedQueues
  httpTriggers: HttpTriggers
  /** The worker port actually bound (the configured one, or the ephemeral pick). */
  port: number
  /** Listeners of state and stream changes (trigger types subscribe here). */
  onChange: Set<(e: ItemChangeEvent) => void>
  close(): Promise<void>
}

export async function startEngine(o: EngineOptions): Promise<RunningEngine> {
  const engine = new Engine(o.elements, o.timeoutMs)
  const store = new StateStore(o.storage.kysely, o.storage.dialect)
  const queues = new NamedQueues(engine, (job) =>
    o.log.warn({ job }, 'engine: queue job moved to the dead-letter queue'),
  )
  const onChange = new Set<(e: ItemChangeEvent) => void>()
  addEngineFunctions(engine, queues)
  addStateFunctions(engine, store, (e) => {
    for (const l of onChange) l(e)
  })
  const httpTriggers = new HttpTriggers(engine, o.http)
  engine.addTriggerType(httpTriggers)
  const port = new WorkerPort(engine, queues, o.authenticate, o.log)
  const bound = await port.listen(o.port, o.host)
  return {
    engine,
    store,
    queues,
    httpTriggers,
    port: bound,
    onChange,
    close: () => port.close(),
  }
}
