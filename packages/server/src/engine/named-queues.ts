// Named queues for `TriggerAction.Enqueue`: per circle and name, jobs run their function with
// bounded concurrency; a failure is retried with exponential backoff, and a job out of
// attempts lands in the queue's dead-letter list. Jobs are kept in memory on this node.
import { randomUUID } from 'node:crypto'
import type { Json, JsonObject } from '../storage/storage.ts'
import type { Engine, InvokeOptions } from './engine.ts'
import { asEngineError, EngineError } from './engine-error.ts'
import type { EngineCaller } from './worker-connection.ts'

export interface QueueConfig {
  /** Retries after the first attempt. */
  max_retries: number
  /** Delay before the first retry; doubled for each one after. */
  backoff_ms: number
  concurrency: number
}

/** Reads max_retries, backoff_ms and concurrency from a payload or trigger config. */
export function parseQueueConfig(input: JsonObject): Partial<QueueConfig> {
  const out: Partial<QueueConfig> = {}
  const bounds = { max_retries: [0, 100], backoff_ms: [0, 3_600_000], concurrency: [1, 1000] } as const
  for (const [key, [min, max]] of Object.entries(bounds) as Array<
    [keyof QueueConfig, readonly [number, number]]
  >) {
    const v = input[key]
    if (v === undefined) continue
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
      throw new EngineError('invalid_payload', `${key} must be an integer between ${min} and ${max}`)
    out[key] = v
  }
  return out
}

export const DEFAULT_QUEUE_CONFIG: QueueConfig = { max_retries: 3, backoff_ms: 1000, concurrency: 10 }
const MAX_PENDING = 100_000
const DLQ_CAP = 10_000

interface Job {
  id: string
  caller: EngineCaller
  function_id: string
  data: Json
  opts: InvokeOptions
  attempts: number
  enqueued_at: number
  last_error?: { code: string; message: string }
}

interface Queue {
  config: QueueConfig
  ready: Job[]
  running: number
  waiting: number
  dead: Array<Job & { failed_at: number }>
}

export interface QueueClock {
  setTimeout(fn: () => void, ms: number): void
}

export class NamedQueues {
  private readonly queues = new Map<string, Queue>()

  constructor(
    private readonly engine: Engine,
    private readonly onFailure: (job: JsonObject) => void = () => {},
    private readonly clock: QueueClock = { setTimeout: (fn, ms) => void setTimeout(fn, ms).unref() },
  ) {}

  private queue(circleId: string, name: string): Queue {
    const key = `${circleId}\u0000${name}`
    let q = this.queues.get(key)
    if (!q) {
      q = { config: { ...DEFAULT_QUEUE_CONFIG }, ready: [], running: 0, waiting: 0, dead: [] }
      this.queues.set(key, q)
    }
    return q
  }

  configure(circleId: string, name: string, config: Partial<QueueConfig>): QueueConfig {
    const q = this.queue(circleId, name)
    q.config = { ...q.config, ...config }
    this.pump(q)
    return q.config
  }

  /** Queues the call and returns its receipt id; the job runs as soon as the queue has room. */
  enqueue(caller: EngineCaller, name: string, functionId: string, data: Json, opts: InvokeOptions): string {
    if (!caller.canExecute) throw new EngineError('forbidden', 'enqueueing needs the "execute" scope')
    const q = this.queue(caller.circleId, name)
    if (q.ready.length + q.waiting >= MAX_PENDING)
      throw new EngineError('queue_full', `queue "${name.slice(0, 100)}" holds ${MAX_PENDING} jobs already`)
    const job: Job = {
      id: randomUUID(),
      caller: { ...caller, workerId: undefined },
      function_id: functionId,
      data,
      opts,
      attempts: 0,
      enqueued_at: Date.now(),
    }
    q.ready.push(job)
    queueMicrotask(() => this.pump(q))
    return job.id
  }

  private pump(q: Queue): void {
    while (q.running < q.config.concurrency && q.ready.length > 0) {
      const job = q.ready.shift()!
      q.running++
      job.attempts++
      this.engine.invoke(job.caller, job.function_id, job.data, job.opts).then(
        () => this.settle(q, job),
        (err) => this.settle(q, job, asEngineError(err)),
      )
    }
  }

  private settle(q: Queue, job: Job, error?: EngineError): void {
    q.running--
    if (error) {
      job.last_error = { code: error.code, message: error.message }
      if (job.attempts <= q.config.max_retries) {
        const delay = q.config.backoff_ms * 2 ** (job.attempts - 1)
        q.waiting++
        this.clock.setTimeout(() => {
          q.waiting--
          q.ready.push(job)
          this.pump(q)
        }, delay)
      } else {
        q.dead.push({ ...job, failed_at: Date.now() })
        if (q.dead.length > DLQ_CAP) q.dead.shift()
        this.onFailure(present(job))
      }
    }
    this.pump(q)
  }

  /** Jobs that ran out of attempts, oldest first. */
  deadLetters(circleId: string, name: string): JsonObject[] {
    return this.queue(circleId, name).dead.map((j) => ({
      ...present(j),
      failed_at: new Date(j.failed_at).toISOString(),
    }))
  }

  /** Puts dead jobs back on the queue with fresh attempts; returns how many. */
  redrive(circleId: string, name: string): number {
    const q = this.queue(circleId, name)
    const jobs = q.dead.splice(0)
    for (const j of jobs) q.ready.push({ ...j, attempts: 0 })
    this.pump(q)
    return jobs.length
  }

  stats(circleId: string, name: string): JsonObject {
    const q = this.queue(circleId, name)
    return {
      queue: name,
      config: { ...q.config },
      ready: q.ready.length,
      running: q.running,
      retrying: q.waiting,
      dead: q.dead.length,
    }
  }
}

function present(j: Job): JsonObject {
  return {
    id: j.id,
    function_id: j.function_id,
    data: j.data,
    attempts: j.attempts,
    enqueued_at: new Date(j.enqueued_at).toISOString(),
    last_error: j.last_error ?? null,
  }
}
