// The `engine::*` built-ins a worker expects: listings of functions, workers and triggers, the
// worker metadata handshake, and the named queues' configuration and dead letters.
import type { Json, JsonObject } from '../storage/storage.ts'
import type { Engine } from './engine.ts'
import { EngineError } from './engine-error.ts'
import { type NamedQueues, parseQueueConfig } from './named-queues.ts'
import { boundedLogData } from './observability.ts'
import { addTriggerInfoFunctions } from './trigger-info.ts'
import { listRegisteredTriggers, listTriggerTypes } from './trigger-listings.ts'
import type { WorkerConnection } from './worker-connection.ts'

const obj = (v: Json): JsonObject => (v && typeof v === 'object' && !Array.isArray(v) ? v : {})
const str = (v: Json | undefined, max = 256): string | null =>
  typeof v === 'string' ? v.slice(0, max) : null

function queueName(input: JsonObject): string {
  const q = input['queue']
  if (typeof q !== 'string' || q.length === 0 || q.length > 256)
    throw new EngineError('invalid_payload', 'queue must be a name of 1 to 256 characters')
  return q
}

export interface EngineLog {
  info(o: object, msg?: string): void
  warn(o: object, msg?: string): void
  error(o: object, msg?: string): void
  debug?(o: object, msg?: string): void
}

export function addEngineFunctions(engine: Engine, queues: NamedQueues, log: EngineLog): void {
  addTriggerInfoFunctions(engine)
  engine.addBuiltin({
    id: 'engine::functions::info',
    description: 'One function of this circle by function_id',
    scope: 'read',
    handler: async (input, { caller }) => {
      const id = str(obj(input)['function_id'] ?? null, 512)
      // A function an RBAC session may not call is not shown to it (iii answers FORBIDDEN).
      if (id && caller.visible && !caller.visible(id))
        throw new EngineError('FORBIDDEN', `function not allowed: ${id}`)
      const f = (await engine.listFunctions(caller, true)).find((x) => x.function_id === id)
      if (!f) throw new EngineError('function_not_found', `no function "${id ?? ''}" in this circle`)
      return f as unknown as Json
    },
  })
  engine.addBuiltin({
    id: 'engine::workers::info',
    description: 'One connected worker of this circle by worker_id',
    scope: 'read',
    handler: (input, { caller }) => {
      const id = str(obj(input)['worker_id'] ?? null)
      const w = engine.workersOf(caller.circleId).find((x) => x.id === id)
      if (!w) throw new EngineError('worker_not_found', `no connected worker "${id ?? ''}" in this circle`)
      return workerInfo(w, caller.visible)
    },
  })
  for (const level of ['info', 'warn', 'error', 'debug'] as const) {
    engine.addBuiltin({
      id: `engine::log::${level}`,
      description: `Write a ${level} line to the server log, tagged with the circle and worker`,
      scope: 'execute',
      handler: (input, { caller, opts }) => {
        const m = obj(input)
        const data = boundedLogData(m['data'] ?? null)
        const line = { circle: caller.circleSlug, worker: caller.workerId ?? null, data }
        const message = str(m['message'] ?? null, 10_000) ?? ''
        engine.observability?.log(caller, level, message, line.data, opts.traceparent)
        if (level === 'debug') log.debug?.(line, message)
        else log[level](line, message)
        return null
      },
    })
  }
  engine.addBuiltin({
    id: 'engine::functions::list',
    description: 'List the functions of this circle',
    scope: 'read',
    handler: async (input, { caller }) => ({
      // iii's FunctionSummary adds the namespace and the name of the worker serving each function.
      functions: (await engine.listFunctions(caller, obj(input)['include_internal'] === true)).map((f) => ({
        ...f,
        namespace: 'default',
        worker_name: workerNameOf(engine, caller.circleId, f.function_id),
      })) as unknown as Json,
    }),
  })
  engine.addBuiltin({
    id: 'engine::workers::list',
    description: 'List the workers connected in this circle',
    scope: 'read',
    handler: (input, { caller }) => {
      const only = str(obj(input)['worker_id'] ?? null)
      return {
        workers: engine
          .workersOf(caller.circleId)
          .filter((w) => !only || w.id === only)
          .map((w) => workerInfo(w, caller.visible)),
        timestamp: Date.now(),
      }
    },
  })
  engine.addBuiltin({
    id: 'engine::triggers::list',
    description: 'List the trigger types of this circle (filters: search, prefix, worker, include_internal)',
    scope: 'read',
    handler: (input, { caller }) => listTriggerTypes(engine, caller, input),
  })
  engine.addBuiltin({
    id: 'engine::registered-triggers::list',
    description:
      'List the registered triggers of this circle (filters: search, trigger_type, function_id, worker, include_internal, include_pending)',
    scope: 'read',
    handler: (input, { caller }) => listRegisteredTriggers(engine, caller, input),
  })
  engine.addBuiltin({
    id: 'engine::workers::register',
    description: 'Worker metadata handshake (runtime, version, name, os, pid)',
    scope: 'execute',
    handler: (input, { caller }) => {
      const w = caller.workerId ? engine.workers.get(caller.workerId) : undefined
      if (!w) return { success: false }
      const m = obj(input)
      w.meta = {
        name: str(m['name'] ?? null),
        runtime: str(m['runtime'] ?? null, 64),
        version: str(m['version'] ?? null, 64),
        os: str(m['os'] ?? null),
        pid: typeof m['pid'] === 'number' ? m['pid'] : null,
      }
      return { success: true }
    },
  })
  engine.addBuiltin({
    id: 'engine::queues::configure',
    description: 'Set a named queue’s max_retries, backoff_ms and concurrency',
    scope: 'write',
    handler: (input, { caller }) => {
      const m = obj(input)
      return queues.configure(caller, queueName(m), parseQueueConfig(m)) as unknown as Json
    },
  })
  engine.addBuiltin({
    id: 'engine::queues::stats',
    description: 'Jobs ready, running, retrying and dead in a named queue',
    scope: 'read',
    handler: (input, { caller }) => queues.stats(caller, queueName(obj(input))),
  })
  engine.addBuiltin({
    id: 'engine::queues::dead_letters',
    description: 'Jobs of a named queue that ran out of attempts',
    scope: 'read',
    handler: async (input, { caller }) => ({
      jobs: await queues.deadLetters(caller.circleId, queueName(obj(input))),
    }),
  })
  engine.addBuiltin({
    id: 'engine::queues::redrive',
    description: 'Put a named queue’s dead jobs back with fresh attempts',
    scope: 'write',
    handler: async (input, { caller }) => ({ redriven: await queues.redrive(caller, queueName(obj(input))) }),
  })
}

/** A worker as the listings show it; an RBAC session sees only the functions it may call. */
function workerInfo(w: WorkerConnection, visible: ((id: string) => boolean) | undefined): JsonObject {
  const info = w.info()
  if (!visible) return info
  const functions = [...w.functions].filter(visible).sort()
  return { ...info, functions, function_count: functions.length }
}

/** The worker iii names for a function: its worker's name, else the engine module (`state::get` -> iii-state). */
function workerNameOf(engine: Engine, circleId: string, functionId: string): string {
  const owner = engine.functionOwner(circleId, functionId)
  if (owner) return owner.meta.name ?? owner.id
  const segment = functionId.split('::')[0] ?? functionId
  if (!engine.hasFunction(circleId, functionId) || engine.hasWorkerFunction(circleId, functionId))
    return segment
  return segment === 'engine' ? 'iii-engine-functions' : `iii-${segment}`
}
