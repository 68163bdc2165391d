// Run records: one insert when a run is created and one update (plus its logs) when it ends,
// group-committed by RunWriter, so the database is never the bottleneck of the hot path; a run
// whose caller waits for it is usually written once, ended (see `create`).
// While a run is active its live status, attempt and streamed chunks are kept in memory;
// waiters are woken on completion.
import { randomUUID } from 'node:crypto'
import { PlatformError } from '../errors.ts'
import type { EventBus } from '../events/event-bus.ts'
import type {
  Json,
  JsonObject,
  RunLogRow,
  RunQuery,
  RunRow,
  RunStatsRow,
  RunStatus,
  Storage,
} from '../storage/storage.ts'
import { runTrace } from '../trace-context.ts'
import { uuidv7 } from '../uuid.ts'
import { RUN } from './run-errors.ts'
import { announceRun, announceRunEnd } from './run-events.ts'
import { runOrigin } from './run-origin.ts'
import type { Live, LiveEvent, NewRun, RunOutcome } from './run-types.ts'
import { RunWriter } from './run-writer.ts'

export type { LiveEvent, NewRun, RunOutcome } from './run-types.ts'

const TAIL_CAP = 4 * 1024 * 1024
/**
 * How long a waited run's insert may wait for its end, to be written once with it: while the
 * run waits for a worker (~10 ms under load: a hold counted from creation wrote a fifth of a
 * 16-client benchmark's runs twice), then once it runs. A crash meanwhile loses a run no one was
 * told of (its caller's request fails with it); `get` reads it from memory, lists once written.
 */
const WAITED_QUEUE_HOLD_MS = 1000
const WAITED_INSERT_HOLD_MS = 10

const TERMINAL: RunStatus[] = ['succeeded', 'failed', 'cancelled']
const ACTIVE: RunStatus[] = ['queued', 'running']
export const isTerminal = (s: RunStatus) => TERMINAL.includes(s)

export class RunService {
  private readonly live = new Map<string, Live>()
  private readonly writer: RunWriter

  /** This process's identity in the run queue: its claims are valid while its heartbeat is. */
  readonly nodeId = randomUUID()
  /** Called when a run is queued unclaimed (the queue dispatcher wakes up). */
  onQueued: (run: RunRow) => void = () => {}
  /** Called when a run this node executed has ended (capacity freed). */
  onEnded: (run: RunRow) => void = () => {}

  constructor(
    private readonly storage: Storage,
    private readonly bus: EventBus,
  ) {
    this.writer = new RunWriter(storage)
  }

  /**
   * Stores a new run. `claim: true` (the default) means this node executes it now; `false`
   * leaves it in the durable queue for any node with capacity (see run-queue.ts). `waited`: a
   * claimed run whose caller waits here for its end; it starts before its insert is written
   * (which waits a few ms for the end, to write the run once) and its end is stored with it.
   */
  async create(n: NewRun, opts: { claim?: boolean; waited?: boolean } = {}): Promise<RunRow> {
    const claim = opts.claim ?? true
    const { id, ...fields } = n
    const row: RunRow = {
      id: id ?? uuidv7(),
      ...fields,
      node_id: claim ? this.nodeId : null,
      trigger_info: n.trigger_info ?? null,
      ...runOrigin(n.trigger, n.trigger_info),
      // The caller's traceparent (request header, engine message, parent run) makes this run a
      // child span of its trace; without one the run starts a trace.
      ...runTrace(n.trigger_info?.['traceparent']),
      status: 'queued',
      output: null,
      error: null,
      attempts: 0,
      created_at: new Date().toISOString(),
      started_at: null,
      completed_at: null,
      duration_ms: null,
      cold_start: false,
      memory_used_mb: null,
      logs_truncated: false,
    }
    if (claim && opts.waited) {
      const inserted = this.writer.insert(row, WAITED_QUEUE_HOLD_MS)
      inserted.catch(() => {}) // reported by finish, which awaits it
      this.adopt(row)
      Object.assign(this.live.get(row.id)!, { inserted, held: row })
      announceRun(this.bus, row, 'queued')
      return row
    }
    await this.writer.insert(row)
    if (claim) this.adopt(row)
    else this.onQueued(row)
    announceRun(this.bus, row, 'queued')
    return row
  }

  /** Tracks a run this node has claimed (at creation, or from the queue) until it ends. */
  adopt(row: RunRow): void {
    const { id, circle_id, element_id, operation } = row
    const prev = this.live.get(id)
    this.live.set(row.id, {
      followers: prev?.followers,
      waiters: prev?.waiters,
      run: { id, circle_id, element_id, operation },
      status: 'queued',
      attempts: row.attempts,
      started_at: null,
      logs: [],
      tail: [],
      tailBytes: 0,
      chunks: [],
    })
  }

  /** In-memory transition: the run is executing (attempt n). No write on the hot path. */
  markRunning(id: string, attempt: number): void {
    const l = this.live.get(id)
    if (!l) return
    const was = l.status
    l.status = 'running'
    l.attempts = attempt
    l.started_at ??= new Date().toISOString()
    if (was === 'running') return
    if (l.held) this.writer.shortenHold(id, WAITED_INSERT_HOLD_MS)
    tell(l, { type: 'status', status: 'running' })
    announceRun(this.bus, l.run, 'started', { attempt })
  }

  onCancel(id: string, cancel: () => void): void {
    const l = this.live.get(id)
    if (l) l.cancel = cancel
  }

  addChunk(id: string, data: Json): void {
    const l = this.live.get(id)
    if (!l) return
    l.chunks.push(data)
    tell(l, { type: 'chunk', data })
  }

  /** A log line as it is printed (kept for live readers; persisted by finish). */
  appendLog(id: string, stream: string, data: string): void {
    const l = this.live.get(id)
    if (!l) return
    if (l.tailBytes < TAIL_CAP) {
      l.tail.push({ stream, data })
      l.tailBytes += data.length
    }
    tell(l, { type: 'log', stream, data })
  }

  /** Follows an active run: replays what happened so far, then calls `fn` until it ends. */
  follow(id: string, fn: (e: LiveEvent) => void): (() => void) | undefined {
    const l = this.live.get(id)
    if (!l) return undefined
    for (const t of l.tail) fn({ type: 'log', ...t })
    for (const c of l.chunks) fn({ type: 'chunk', data: c })
    const onLive = (e: LiveEvent) => fn(e)
    const onDone = (run: RunRow) => fn({ type: 'end', run })
    l.followers ??= new Set()
    l.waiters ??= new Set()
    l.followers.add(onLive)
    l.waiters.add(onDone)
    return () => {
      l.followers?.delete(onLive)
      l.waiters?.delete(onDone)
    }
  }

  /** Logs of an attempt that was retried, kept with the run. */
  addLogs(id: string, logs: Array<{ stream: string; data: string }>): void {
    this.live.get(id)?.logs.push(...logs)
  }

  isActive(id: string): boolean {
    return this.live.has(id)
  }

  /** Requests cancellation of an active run; false when it is not active here. */
  cancel(id: string): boolean {
    const l = this.live.get(id)
    if (!l?.cancel) return false
    l.cancel()
    return true
  }

  /**
   * Cancels a run that has not ended, wherever it is: executing here, waiting in the queue, or
   * executing on another node (asked through the store; that node honours it at its next
   * heartbeat, or recovery does when it is gone). Waits up to `timeoutMs` for the end.
   */
  async cancelAndWait(run: RunRow, timeoutMs = 10_000): Promise<RunRow> {
    if (this.cancel(run.id)) return this.wait(run, timeoutMs)
    const stored = await this.storage.getRun(run.id)
    if (!stored || isTerminal(stored.status)) {
      const status = stored?.status ?? run.status
      throw new PlatformError(RUN.RUN_NOT_CANCELLABLE, `run ${run.id} has already ended (${status})`, {
        status,
      })
    }
    if (stored.node_id === null || stored.node_id === undefined || stored.node_id === this.nodeId) {
      // Waiting in the queue, or claimed by this process and no longer tracked: end it here.
      if (await this.storage.moveRunClaim(run.id, stored.node_id ?? null, { node_id: this.nodeId }))
        return this.finishUnstarted({ ...stored, node_id: this.nodeId }, 'cancelled', {
          code: RUN.RUN_CANCELLED.code,
          message: 'the run was cancelled before a node took it',
        })
      return this.cancelAndWait(run, timeoutMs) // it was just claimed: ask again
    }
    await this.storage.requestRunCancel(run.id, new Date().toISOString())
    return this.wait(stored, timeoutMs)
  }

  /** Ends a run this node holds but never executed (cancelled in the queue, its node lost). */
  finishUnstarted(row: RunRow, status: 'cancelled' | 'failed', error: JsonObject): Promise<RunRow> {
    if (!this.live.has(row.id)) this.adopt(row)
    return this.finish(row, {
      status,
      error,
      duration_ms: 0,
      cold_start: false,
      memory_used_mb: null,
      logs: [],
      logs_truncated: false,
    })
  }

  /** Where finish reports an outcome it could not store (the server log, set by main). */
  onFinishError: (err: unknown, row: RunRow) => void = () => {}

  /**
   * Stores how a run ended (only while this node holds its claim, once) and wakes its waiters.
   */
  async finish(row: RunRow, o: RunOutcome): Promise<RunRow> {
    const l = this.live.get(row.id)
    const completed = new Date().toISOString()
    const logs = [...(l?.logs ?? []), ...o.logs]
    const patch: Partial<RunRow> = {
      status: o.status,
      output: o.output ?? null,
      error: o.error ?? null,
      // A run cancelled before a worker took it made no attempt.
      attempts: o.status === 'cancelled' ? (l?.attempts ?? 0) : Math.max(1, l?.attempts ?? 1),
      started_at: l?.started_at ?? completed,
      completed_at: completed,
      duration_ms: Math.round(o.duration_ms * 1000) / 1000,
      cold_start: o.cold_start,
      memory_used_mb: o.memory_used_mb,
      logs_truncated: o.logs_truncated,
    }
    const logRows: RunLogRow[] = logs
      .filter((x) => x.data.length > 0)
      .map((x, seq) => ({ run_id: row.id, seq, stream: x.stream, data: x.data, created_at: completed }))
    try {
      await Promise.all([this.writer.finish(row.id, patch, logRows, this.nodeId), l?.inserted])
    } catch (err) {
      this.onFinishError(err, row)
      // No failure on the way out may leave a run non-final: when the real outcome cannot be
      // stored, a failed one without output or logs is (a second failure is the store's own).
      Object.assign(patch, {
        status: 'failed',
        output: null,
        error: {
          code: RUN.RUN_OUTCOME_UNSTORABLE.code,
          message: `the run's ${o.status} outcome could not be stored: ${String((err as Error)?.message ?? err).slice(0, 300)}`,
          class: 'internal',
          retryable: false,
        },
      } satisfies Partial<RunRow>)
      await this.writer.finish(row.id, patch, [], this.nodeId)
    }
    const final = { ...row, ...patch } as RunRow
    this.live.delete(row.id)
    // Waiters added while the end was being written are on the same record.
    for (const w of l?.waiters ?? []) w(final)
    this.onEnded(row)
    announceRunEnd(this.bus, final, completed)
    return final
  }

  /** The run as stored, with the live status of an active run laid over it. */
  async get(id: string): Promise<RunRow | undefined> {
    // A held insert (create with `waited`) may not be stored yet: its row is here meanwhile.
    const row = (await this.storage.getRun(id)) ?? this.live.get(id)?.held
    return row && this.overlay(row)
  }

  /** The run's stored log lines (after `afterSeq`, at most `limit`). */
  logs(runId: string, afterSeq?: number, limit?: number): Promise<RunLogRow[]> {
    return this.storage.listRunLogs(runId, afterSeq, limit)
  }

  /** Totals and mean duration of the runs of each element created since `since`. */
  stats(elementIds: string[], since: string): Promise<RunStatsRow[]> {
    return this.storage.runStats(elementIds, since)
  }

  /**
   * Runs newest first with their live status laid over; `q.statuses` filters on that live
   * status. A run's move from queued to running is kept in memory only (no write on the hot
   * path), so both are read as stored and told apart here, reading on until the page is full.
   */
  async list(q: RunQuery): Promise<RunRow[]> {
    const wanted = q.statuses?.length ? new Set(q.statuses) : undefined
    const stored =
      wanted && (wanted.has('queued') || wanted.has('running'))
        ? [...new Set<RunStatus>([...wanted, ...ACTIVE])]
        : q.statuses
    const out: RunRow[] = []
    for (let before = q.before; ; ) {
      const rows = await this.storage.listRuns({ ...q, statuses: stored, before })
      for (const r of rows) {
        const live = this.overlay(r)
        if (!wanted || wanted.has(live.status)) out.push(live)
        if (out.length === q.limit) return out
      }
      const last = rows[rows.length - 1]
      if (rows.length < q.limit || !last) return out
      before = { created_at: last.created_at, id: last.id }
    }
  }

  overlay(row: RunRow): RunRow {
    const l = this.live.get(row.id)
    if (!l || isTerminal(row.status)) return row
    return { ...row, status: l.status, attempts: l.attempts, started_at: l.started_at }
  }

  chunks(id: string): Json[] {
    return this.live.get(id)?.chunks ?? []
  }

  /** What an active run has printed so far (capped); undefined when it is not active here. */
  liveLogs(id: string): Array<{ stream: string; data: string }> | undefined {
    return this.live.get(id)?.tail
  }

  /**
   * Resolves when the run ends or `timeoutMs` passes (then with its current state). A run this
   * node executes wakes its waiters at once; one waiting in the queue or executing on another
   * node is followed through the store (polled, 10 ms growing to 250 ms).
   */
  async wait(row: RunRow, timeoutMs: number): Promise<RunRow> {
    if (this.live.has(row.id)) return this.waitLive(row, timeoutMs)
    const deadline = Date.now() + timeoutMs
    for (let pause = 10; ; pause = Math.min(250, pause * 1.5)) {
      const current = await this.get(row.id)
      if (!current || isTerminal(current.status)) return current ?? row
      const left = deadline - Date.now()
      if (left <= 0) return current
      // Claimed here meanwhile: the end is announced, no need to poll.
      if (this.live.has(row.id)) return this.waitLive(current, left)
      await new Promise((r) => setTimeout(r, Math.min(pause, left)))
    }
  }

  private waitLive(row: RunRow, timeoutMs: number): Promise<RunRow> {
    const l = this.live.get(row.id)
    if (!l) return this.wait(row, timeoutMs)
    return new Promise((resolve) => {
      const onDone = (final: RunRow) => {
        clearTimeout(timer)
        resolve(final)
      }
      const timer = setTimeout(() => {
        l.waiters?.delete(onDone)
        resolve(this.overlay(row))
      }, timeoutMs)
      l.waiters ??= new Set()
      l.waiters.add(onDone)
    })
  }

  /** Ids of the runs this node is executing (the queue asks them to stop when cancelled elsewhere). */
  liveIds(): string[] {
    return [...this.live.keys()]
  }
}

/** Tells a live run's followers what happened. */
function tell(l: Live, e: LiveEvent): void {
  for (const f of l.followers ?? []) f(e)
}
