// Group commit for run records. Every run is written twice (queued, then ended); under load
// those writes arrive many per event-loop turn, so they are queued and written together in one
// transaction on the next turn. Callers await their own write, so nothing is acknowledged (or
// executed) before it is stored.
// When a batch fails, its writes are retried one by one so one bad write fails alone.
// Batches are written one after another, never side by side: a run's end must not race its own
// insert on another connection (PostgreSQL's UPDATE does not see an uncommitted row, and the
// end was lost — the run stayed queued). What arrives meanwhile goes in the next batch.
// A run whose caller waits for its end (a synchronous invoke) may have its insert held: while it
// waits for a worker, then a few ms once it runs (`shortenHold`). A run that ends meanwhile is
// written once, as one row with its end. Nothing is acknowledged before it is stored: the
// waiting caller is answered after the end is written.
// On embedded SQLite a batch is written synchronously with prepared statements (Storage's
// writeRunsNow); elsewhere, or while a transaction is open on SQLite's one connection, through
// an asynchronous transaction.
import type { RunLogRow, RunPatch, RunRow, RunWrite, Storage } from '../storage/storage.ts'

interface Pending extends RunWrite {
  waiters: Array<{ resolve: () => void; reject: (e: unknown) => void }>
  /** A held insert (performance.now() ms): other runs' flushes leave it for its end until then. */
  holdUntil?: number
}

export class RunWriter {
  private batch = new Map<string, Pending>()
  private scheduled = false
  private timer: NodeJS.Timeout | undefined
  /** When `timer` goes off (performance.now() ms). */
  private timerDue = Number.POSITIVE_INFINITY
  private writing: Promise<void> = Promise.resolve()

  constructor(private readonly storage: Storage) {}

  /** Stores a new run; `holdMs` > 0 lets the insert wait that long for the run's end. */
  insert(row: RunRow, holdMs = 0): Promise<void> {
    return this.enqueue(
      row.id,
      (p) => {
        p.insert = row
      },
      holdMs,
    )
  }

  /** The run's end, written only while `nodeId` holds the run's claim and the run is active. */
  finish(id: string, patch: RunPatch, logs: RunLogRow[], nodeId: string): Promise<void> {
    return this.enqueue(id, (p) => {
      p.patch = { ...p.patch, ...patch }
      p.fence = nodeId
      p.logs.push(...logs)
    })
  }

  private enqueue(id: string, apply: (p: Pending) => void, holdMs = 0): Promise<void> {
    let p = this.batch.get(id)
    if (!p) {
      p = { id, logs: [], waiters: [] }
      this.batch.set(id, p)
    }
    apply(p)
    const entry = p
    const done = new Promise<void>((resolve, reject) => entry.waiters.push({ resolve, reject }))
    if (holdMs > 0) {
      p.holdUntil = performance.now() + holdMs
      this.flushAt(p.holdUntil)
    } else if (!this.scheduled) {
      this.scheduled = true
      setImmediate(() => void this.flush())
    }
    return done
  }

  /** A held insert waits at most `ms` more (its run has started: it usually ends within them). */
  shortenHold(id: string, ms: number): void {
    const p = this.batch.get(id)
    if (p?.holdUntil === undefined) return
    p.holdUntil = Math.min(p.holdUntil, performance.now() + ms)
    this.flushAt(p.holdUntil)
  }

  /** A flush no later than `due` (performance.now() ms). */
  private flushAt(due: number): void {
    if (due >= this.timerDue) return
    clearTimeout(this.timer)
    this.timerDue = due
    this.timer = setTimeout(() => void this.flush(), Math.max(0, due - performance.now()))
  }

  private flush(): Promise<void> {
    // flushBatch settles every waiter itself; the chain only orders batches.
    this.writing = this.writing.then(() => this.flushBatch()).catch(() => {})
    return this.writing
  }

  private async flushBatch(): Promise<void> {
    // Under load other runs' ends flush every turn: a held insert whose run has not ended and
    // whose hold has not run out stays for the next flush (so it can still go with its end).
    const now = performance.now()
    const batch = new Map<string, Pending>()
    const held = new Map<string, Pending>()
    let nextDue = Number.POSITIVE_INFINITY
    for (const [id, p] of this.batch) {
      const keep = p.holdUntil !== undefined && p.patch === undefined && p.holdUntil > now
      ;(keep ? held : batch).set(id, p)
      if (keep) nextDue = Math.min(nextDue, p.holdUntil!)
    }
    this.batch = held
    this.scheduled = false
    clearTimeout(this.timer)
    this.timer = undefined
    this.timerDue = Number.POSITIVE_INFINITY
    if (held.size) this.flushAt(nextDue)
    if (batch.size === 0) return
    const writes = [...batch.values()]
    try {
      await this.writeAll(writes)
      for (const p of writes) for (const w of p.waiters) w.resolve()
    } catch {
      for (const p of writes) {
        try {
          await this.writeAll([p])
          for (const w of p.waiters) w.resolve()
        } catch (err) {
          for (const w of p.waiters) w.reject(err)
        }
      }
    }
  }

  private async writeAll(writes: RunWrite[]): Promise<void> {
    if (this.storage.writeRunsNow?.(writes)) return
    await this.storage.transaction(async (tx) => {
      for (const w of writes) await write(tx, w)
    })
  }
}

async function write(tx: Storage, p: RunWrite): Promise<void> {
  const { id } = p
  // A run that ended before its insert was written: one row, already ended (this node inserts
  // it, so it holds the claim the fence asks for).
  if (p.insert && p.patch) await tx.insertRun({ ...p.insert, ...p.patch })
  else if (p.insert) await tx.insertRun(p.insert)
  // A node that lost its claim (another node took the run over) writes nothing: its end, logs
  // included, is not this run's any more.
  if (p.patch && !p.insert && !(await tx.updateRun(id, p.patch, p.fence)) && p.fence !== undefined) return
  if (p.logs.length) await tx.insertRunLogs(p.logs)
}
