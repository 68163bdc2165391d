// Named queues for `TriggerAction.Enqueue`: per circle and name, jobs are kept in the database
// (queue-job-store.ts) and run their function with bounded concurrency on whichever node claims
// them; a failure is retried with exponential backoff, and a job out of attempts lands in the
// queue's dead letters. A job survives a restart; a node that dies mid-job loses its lease.
import { randomUUID } from 'node:crypto'
import type { Json, JsonObject } from '../storage/storage.ts'
import type { Engine } from './engine.ts'
import { asEngineError, EngineError } from './engine-error.ts'
import { type Job, QueueJobStore } from './queue-job-store.ts'
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
/** How often a node looks for due jobs it was not told about (other nodes, a restart). */
const SWEEP_MS = 1000

interface Queue {
  circleId: string
  circleSlug: string
  name: string
  config: QueueConfig
  running: number
  pumping: boolean
  again: boolean
  timer?: NodeJS.Timeout
}

export class NamedQueues {
  private readonly queues = new Map<string, Queue>()
  private readonly node = randomUUID()
  private readonly sweeper: NodeJS.Timeout
  private closed = false

  constructor(
    private readonly engine: Engine,
    private readonly store: QueueJobStore,
    private readonly onFailure: (job: JsonObject) => void = () => {},
  ) {
    this.sweeper = setInterval(() => void this.sweep(), SWEEP_MS)
    this.sweeper.unref()
  }

  close(): void {
    this.closed = true
    clearInterval(this.sweeper)
    for (const q of this.queues.values()) clearTimeout(q.timer)
  }

  private queue(circleId: string, circleSlug: string, name: string): Queue {
    const key = `${circleId}\u0000${name}`
    let q = this.queues.get(key)
    if (!q) {
      q = {
        circleId,
        circleSlug,
        name,
        config: { ...DEFAULT_QUEUE_CONFIG },
        running: 0,
        pumping: false,
        again: false,
      }
      this.queues.set(key, q)
    }
    return q
  }

  configure(caller: EngineCaller, name: string, config: Partial<QueueConfig>): QueueConfig {
    const q = this.queue(caller.circleId, caller.circleSlug, name)
    q.config = { ...q.config, ...config }
    void this.pump(q)
    return q.config
  }

  /** Stores the call and returns its receipt id; the job runs as soon as the queue has room. */
  async enqueue(
    caller: EngineCaller,
    name: string,
    functionId: string,
    data: Json,
    opts: { metadata?: Json; traceparent?: string; baggage?: string } = {},
  ): Promise<string> {
    if (!caller.canExecute) throw new EngineError('FORBIDDEN', 'enqueueing needs the "execute" scope')
    if ((await this.store.countPending(caller.circleId, name)) >= MAX_PENDING)
      throw new EngineError('queue_full', `queue "${name.slice(0, 100)}" holds ${MAX_PENDING} jobs already`)
    const id = randomUUID()
    await this.store.insert(
      {
        id,
        circleId: caller.circleId,
        circleSlug: caller.circleSlug,
        queue: name,
        function_id: functionId,
        data,
        metadata: opts.metadata,
        trace: opts.traceparent ? { traceparent: opts.traceparent, baggage: opts.baggage } : undefined,
        scopes: [
          ...(caller.canRead ? ['read'] : []),
          ...(caller.canWrite ? ['write'] : []),
          ...(caller.canExecute ? ['execute'] : []),
        ],
      },
      Date.now(),
    )
    void this.pump(this.queue(caller.circleId, caller.circleSlug, name))
    return id
  }

  private async sweep(): Promise<void> {
    if (this.closed) return
    try {
      for (const d of await this.store.dueQueues(Date.now()))
        void this.pump(this.queue(d.circleId, d.circleSlug, d.queue))
    } catch {
      // The database is away for a moment: the next sweep tries again.
    }
  }

  /** Claims due jobs up to the queue's concurrency and runs them; one pump per queue at a time. */
  private async pump(q: Queue): Promise<void> {
    if (this.closed) return
    if (q.pumping) {
      q.again = true
      return
    }
    q.pumping = true
    try {
      do {
        q.again = false
        const room = q.config.concurrency - q.running
        if (room <= 0) break
        const lease = this.engine.defaultTimeoutMs + 30_000
        const jobs = await this.store.claim(q.circleId, q.name, room, this.node, Date.now(), lease)
        for (const job of jobs) this.run(q, job)
        if (jobs.length === room) q.again = true
      } while (q.again && !this.closed)
    } catch {
      // Claims resume on the next wake-up or sweep.
    } finally {
      q.pumping = false
    }
    void this.arm(q)
  }

  /** Wakes the queue when its next retry becomes due. */
  private async arm(q: Queue): Promise<void> {
    const at = await this.store.nextDue(q.circleId, q.name).catch(() => undefined)
    if (at === undefined || this.closed) return
    clearTimeout(q.timer)
    q.timer = setTimeout(() => void this.pump(q), Math.max(0, at - Date.now()) + 1)
    q.timer.unref()
  }

  private run(q: Queue, job: Job): void {
    q.running++
    const caller: EngineCaller = {
      circleId: job.circleId,
      circleSlug: job.circleSlug,
      keyId: `queue:${q.name}`,
      // A job runs with no more scopes than whoever enqueued it.
      canRead: !job.scopes || job.scopes.includes('read'),
      canWrite: !job.scopes || job.scopes.includes('write'),
      canExecute: !job.scopes || job.scopes.includes('execute'),
    }
    const opts = { ...(job.metadata === undefined ? {} : { metadata: job.metadata }), ...job.trace }
    this.engine
      .invoke(caller, job.function_id, job.data, opts)
      .then(
        () => this.store.finish(job.id),
        (err) => this.failed(q, job, asEngineError(err)),
      )
      .catch(() => {})
      .finally(() => {
        q.running--
        void this.pump(q)
      })
  }

  private async failed(q: Queue, job: Job, error: EngineError): Promise<void> {
    const e = { code: error.code, message: error.message }
    if (job.attempts <= q.config.max_retries) {
      await this.store.retryAt(job.id, Date.now() + q.config.backoff_ms * 2 ** (job.attempts - 1), e)
      return
    }
    await this.store.bury(job.id, Date.now(), e)
    this.onFailure({ ...present(job), last_error: e })
  }

  /** Jobs that ran out of attempts, oldest first. */
  async deadLetters(circleId: string, name: string): Promise<JsonObject[]> {
    return (await this.store.dead(circleId, name)).map(present)
  }

  /** Puts dead jobs back on the queue with fresh attempts; returns how many. */
  async redrive(caller: EngineCaller, name: string): Promise<number> {
    const n = await this.store.redrive(caller.circleId, name, Date.now())
    void this.pump(this.queue(caller.circleId, caller.circleSlug, name))
    return n
  }

  async stats(caller: EngineCaller, name: string): Promise<JsonObject> {
    const q = this.queue(caller.circleId, caller.circleSlug, name)
    const c = await this.store.counts(caller.circleId, name, Date.now())
    return { queue: name, config: { ...q.config }, ...c, running: q.running }
  }
}

function present(j: Job): JsonObject {
  return {
    id: j.id,
    function_id: j.function_id,
    data: j.data,
    attempts: j.attempts,
    enqueued_at: j.enqueued_at,
    last_error: j.last_error,
    ...(j.failed_at ? { failed_at: j.failed_at } : {}),
  }
}

export { QueueJobStore }
