// The durable, shared run queue. A run is a row; the node that executes it holds a claim on it
// (runs.node_id), and a claim is a lease: it stays valid while that node's heartbeat row is
// fresh (one write per node per heartbeat renews every claim it holds, rather than one per
// run). Every node, on each tick:
//   - renews its heartbeat and honours cancels asked of its runs through the store;
//   - takes over runs of nodes whose heartbeat went stale (killed, partitioned): retried per the
//     element's retry policy (attempts counted) or failed with RUN_NODE_LOST;
//   - claims queued runs it has capacity for (FOR UPDATE SKIP LOCKED on PostgreSQL).
// A run is claimed by one node at a time (compare-and-set on node_id) and a run's end is
// written only by its claim holder, once (run-writer.ts), so a run never ends twice and an
// ended run is never run again. The graphile-worker / pg-boss / Windmill pattern, on the
// database the platform already runs on. A node on the same machine whose process is gone is
// known dead at once (node-identity.ts): a restart after `kill -9` does not wait for the lease.
import type { ElementRow, RunNode, RunRow, Storage } from '../storage/storage.ts'
import { knownDead, nodeIdentity } from './node-identity.ts'
import { RUN } from './run-errors.ts'
import type { RunService } from './run-service.ts'

/** What a runnable type offers the queue (python: `invoke`). */
export interface QueuedRunExecutor {
  /** Reserves up to `n` of the slots this node has for `element` now; how many it got. */
  reserve(element: ElementRow, n: number): number
  /** Gives back reserved slots that no claimed run took. */
  unreserve(element: ElementRow, n: number): void
  /** Executes a run this node has claimed from the queue in a reserved slot (attempt `run.attempts + 1`). */
  resume(element: ElementRow, run: RunRow): void
  /** Attempts the element allows in all (a run lost with its node counts one). */
  maxAttempts(element: ElementRow, run: RunRow): number
}

export interface RunQueueOptions {
  storage: Storage
  runs: RunService
  /** The executor of an element's type for one of its operations, when the type resumes runs of it. */
  executorFor(element: ElementRow, operation: string): QueuedRunExecutor | undefined
  /** A heartbeat older than this makes a node's claims lost. */
  leaseMs: number
  /** How often a node renews its heartbeat, recovers lost runs and polls the queue. */
  tickMs: number
  log: { warn(o: object, msg?: string): void; error(o: object, msg?: string): void }
}

export class RunQueue {
  private timer: NodeJS.Timeout | undefined
  private ticking: Promise<void> | undefined
  private dispatching = false
  private dispatchAgain = false
  private closed = false
  /**
   * Elements known to have queued runs (queued here, or found by the last poll): a run's end
   * claims for these directly, without scanning the queue; the tick's poll finds the rest.
   */
  private readonly pending = new Set<string>()
  private fullPoll = true
  private lastBeat = Date.now()
  private readonly self: RunNode

  constructor(private readonly o: RunQueueOptions) {
    this.self = nodeIdentity(o.runs.nodeId)
    o.runs.onQueued = (run) => {
      this.pending.add(run.element_id)
      this.wake()
    }
    o.runs.onEnded = () => {
      if (this.pending.size > 0) this.wake()
    }
  }

  /** First heartbeat and recovery, then the periodic tick. */
  async start(): Promise<void> {
    await this.heartbeat()
    await this.recover(this.staleBefore())
    this.wake()
    this.timer = setInterval(() => void this.tick(), this.o.tickMs)
    this.timer.unref()
  }

  async close(): Promise<void> {
    this.closed = true
    clearInterval(this.timer)
    await this.ticking
  }

  /** Claims queued runs this node has room for, soon (coalesced). */
  wake(): void {
    if (this.closed) return
    if (this.dispatching) {
      this.dispatchAgain = true
      return
    }
    this.dispatching = true
    setImmediate(() => void this.dispatchLoop())
  }

  private staleBefore(): string {
    return new Date(Date.now() - this.o.leaseMs).toISOString()
  }

  private tick(): Promise<void> {
    if (this.ticking || this.closed) return this.ticking ?? Promise.resolve()
    this.ticking = (async () => {
      try {
        await this.heartbeat()
        for (const id of await this.o.storage.listCancelRequests(this.o.runs.nodeId)) this.o.runs.cancel(id)
        await this.recover(this.staleBefore())
        this.fullPoll = true
        this.wake()
      } catch (err) {
        this.o.log.error({ err }, 'run queue tick failed')
      } finally {
        this.ticking = undefined
      }
    })()
    return this.ticking
  }

  /**
   * Renews this node's claims. When renewal has failed for a whole lease, other nodes may have
   * taken its runs over: it stops them rather than risk a run executing twice at once (their
   * ends are not written: the claim is gone).
   */
  private async heartbeat(): Promise<void> {
    try {
      await this.o.storage.heartbeatNode(this.self, new Date().toISOString())
      this.lastBeat = Date.now()
    } catch (err) {
      if (Date.now() - this.lastBeat > this.o.leaseMs) {
        const live = this.o.runs.liveIds()
        if (live.length)
          this.o.log.error({ err, runs: live.length }, 'run lease lost: stopping this node’s runs')
        for (const id of live) this.o.runs.cancel(id)
      }
      throw err
    }
  }

  private async dispatchLoop(): Promise<void> {
    try {
      do {
        this.dispatchAgain = false
        await this.dispatch()
      } while (this.dispatchAgain && !this.closed)
    } catch (err) {
      this.o.log.error({ err }, 'run queue dispatch failed')
    } finally {
      this.dispatching = false
    }
  }

  private async dispatch(): Promise<void> {
    if (this.fullPoll) {
      this.fullPoll = false
      for (const id of await this.o.storage.listQueuedElements(100)) this.pending.add(id)
    }
    for (const id of [...this.pending]) {
      if (this.closed) return
      const element = await this.o.storage.getElement(id)
      if (!element) {
        this.pending.delete(id)
        await this.failQueued(id)
        continue
      }
      // The type's executor decides capacity; a type that cannot resume runs never claims.
      // Only runnable operations (python `invoke`) are ever queued unclaimed.
      const ex = this.o.executorFor(element, 'invoke')
      const room = ex ? ex.reserve(element, Number.MAX_SAFE_INTEGER) : 0
      if (!ex || room <= 0) continue
      let claimed: RunRow[] = []
      try {
        claimed = await this.o.storage.claimQueuedRuns(this.o.runs.nodeId, id, room)
      } finally {
        ex.unreserve(element, room - claimed.length)
      }
      // Fewer than asked: nothing of this element is left in the queue (for now).
      if (claimed.length < room) this.pending.delete(id)
      for (const run of claimed) {
        this.o.runs.adopt(run)
        if (run.operation === 'invoke') ex.resume(element, run)
        else {
          ex.unreserve(element, 1)
          await this.o.runs.finishUnstarted(run, 'failed', notRunnable(run))
        }
      }
    }
  }

  /** Queued runs of an element that no longer exists end failed (nothing could run them). */
  private async failQueued(elementId: string): Promise<void> {
    for (const run of await this.o.storage.claimQueuedRuns(this.o.runs.nodeId, elementId, 100))
      await this.o.runs.finishUnstarted(run, 'failed', {
        code: RUN.RUN_NODE_LOST.code,
        message: 'the element was deleted while the run waited in the queue',
        class: 'unavailable',
        retryable: false,
      })
  }

  /**
   * Takes over the active runs of nodes whose heartbeat is older than `staleBefore`, and at once
   * those of nodes on this machine whose process is gone (a restart after `kill -9` recovers
   * without waiting out the lease).
   */
  private async recover(staleBefore: string): Promise<void> {
    for (const node of await this.o.storage.listNodes())
      if (knownDead(node, this.self)) await this.o.storage.removeNode(node.id)
    const self = this.o.runs.nodeId
    // One read per element, not per run: a node with 1,000 runs of one workflow lost 1,000 of it.
    const elements = new Map<string, Promise<ElementRow | undefined>>()
    const elementOf = (id: string) => {
      const known = elements.get(id) ?? this.o.storage.getElement(id)
      elements.set(id, known)
      return known
    }
    for (;;) {
      const lost = await this.o.storage.listLostRuns(self, staleBefore, 100)
      if (lost.length === 0) return
      for (const run of lost) await this.takeOver(run, await elementOf(run.element_id))
      if (lost.length < 100) return
    }
  }

  private async takeOver(run: RunRow, element: ElementRow | undefined): Promise<void> {
    const from = run.node_id ?? null
    const attempts = run.attempts + 1
    const ex = element && this.o.executorFor(element, run.operation)
    const retry = !run.cancel_requested_at && !!element && !!ex && attempts < ex.maxAttempts(element, run)
    if (retry) {
      // Back in the queue with the lost attempt counted; any node with room runs it again.
      if (await this.o.storage.moveRunClaim(run.id, from, { node_id: null, attempts })) {
        this.o.log.warn({ run: run.id, node: from, attempts }, 'run lost with its node: queued again')
        this.pending.add(run.element_id)
      }
      return
    }
    if (!(await this.o.storage.moveRunClaim(run.id, from, { node_id: this.o.runs.nodeId, attempts }))) return
    const taken = { ...run, node_id: this.o.runs.nodeId, attempts }
    if (run.cancel_requested_at)
      await this.o.runs.finishUnstarted(taken, 'cancelled', {
        code: RUN.RUN_CANCELLED.code,
        message: 'the run was cancelled; the node executing it had stopped',
      })
    else {
      this.o.log.warn({ run: run.id, node: from, attempts }, 'run lost with its node: failed')
      await this.o.runs.finishUnstarted(taken, 'failed', {
        code: RUN.RUN_NODE_LOST.code,
        message: `the node executing the run stopped before it ended (attempt ${attempts})`,
        class: 'unavailable',
        retryable: true,
        attempts,
      })
    }
  }
}

function notRunnable(run: RunRow) {
  return {
    code: RUN.OPERATION_NOT_RUNNABLE.code,
    message: `operation ${run.operation} cannot be resumed from the queue`,
    class: 'validation',
    retryable: false,
  }
}
