// A few pre-started generic sandboxes, so that a cold element only loads its code: namespace,
// network link, egress filter and interpreter are up, worker.py waits for its code. Each is used
// once, by one element's worker, and never goes back (a fresh namespace per element, never
// shared across elements or circles); the code is copied into its own directory and the
// environment arrives on stdin, so tenant code cannot tell it from a freshly started worker.
// The set refills in the background, holds its share of the server's budget while it waits,
// and gives it up first when the budget runs short.
//
// Only what would start the same is served: the executor the set was started on (bwrap: with
// gVisor the code mount is served by the gofer, whose caching of a directory filled after the
// start was not verified), the set's memory_mb and pids, the set's layers (none, or exactly
// the dependency layer and python-layers a set of their own was started with: they are mounts
// and sys.path entries, fixed at start), no variable a process reads at start (worker-launch.ts).
import type { Lease } from '../quotas/resource-budget.ts'
import { isLoadError, PythonWorker } from './python-worker.ts'
import { startsLikeFresh } from './worker-launch.ts'
import type { RunError, WorkerConfig } from './worker-types.ts'

export interface WarmSandboxOptions {
  /** How many to keep ready (0: none). */
  size: number
  /** The limits and executor every sandbox of the set is started with. */
  config: WorkerConfig
  /** A lease of one worker and its memory, from the server's budget; undefined when short. */
  reserve(): Lease | undefined
  /** A sandbox is ready (a start that waits for quota meanwhile may take its lease). */
  onReady(): void
  onError(err: unknown): void
}

/** What a worker mounts as layers, as one string: '' for none. */
export const layersKey = (cfg: WorkerConfig): string =>
  cfg.layerDir || cfg.layerPaths?.length ? [cfg.layerDir ?? '', ...(cfg.layerPaths ?? [])].join('\n') : ''

/** After a failed start, the set waits this long before starting another. */
const RETRY_AFTER_MS = 5_000

export class WarmSandboxes {
  private readonly ready: Array<{ worker: PythonWorker; lease: Lease }> = []
  private starting = 0
  private closed = false
  private failedAt = 0
  /** Workers started from this set (a pre-started sandbox given its element's code). */
  private served = 0

  constructor(private readonly o: WarmSandboxOptions) {}

  /** Whether a worker of `cfg` would start the same as one of this set. */
  fits(cfg: WorkerConfig): boolean {
    const base = this.o.config
    return (
      this.o.size > 0 &&
      layersKey(cfg) === layersKey(base) &&
      cfg.executor === base.executor &&
      cfg.python === base.python &&
      cfg.memoryMb === base.memoryMb &&
      cfg.maxPids === base.maxPids &&
      cfg.filesRoot === base.filesRoot &&
      startsLikeFresh(cfg.env)
    )
  }

  /**
   * A worker of `cfg`: a ready sandbox of the set given its code, else a freshly started one.
   * The caller holds the new worker's quota; the sandbox's own lease is given back.
   */
  start(cfg: WorkerConfig): Promise<PythonWorker> {
    const taken = this.fits(cfg) ? this.take() : undefined
    if (!taken) return PythonWorker.start(cfg)
    this.served++
    return taken.load(cfg).catch((err: RunError) => {
      taken.kill()
      // The code's own error stands; a sandbox lost meanwhile is replaced by a fresh start.
      if (isLoadError(err)) throw err
      return PythonWorker.start(cfg)
    })
  }

  private take(): PythonWorker | undefined {
    let got: PythonWorker | undefined
    while (!got && this.ready.length) {
      const next = this.ready.shift()!
      next.lease.release()
      if (next.worker.alive) got = next.worker
    }
    this.refill()
    return got
  }

  /** Starts sandboxes in the background up to the set's size, while the budget has room. */
  refill(): void {
    if (this.closed || Date.now() - this.failedAt < RETRY_AFTER_MS) return
    while (this.ready.length + this.starting < this.o.size) {
      const lease = this.o.reserve()
      if (!lease) return
      this.starting++
      PythonWorker.startGeneric(this.o.config).then(
        (worker) => {
          this.starting--
          if (this.closed) {
            lease.release()
            return worker.kill()
          }
          const entry = { worker, lease }
          this.ready.push(entry)
          this.o.onReady()
          // One that dies while it waits gives its lease back and is replaced.
          void worker.exited.then(() => {
            const i = this.ready.indexOf(entry)
            if (i < 0) return
            this.ready.splice(i, 1)
            lease.release()
            this.refill()
          })
        },
        (err: unknown) => {
          this.starting--
          lease.release()
          this.failedAt = Date.now()
          this.o.onError(err)
        },
      )
    }
  }

  /** Stops one waiting sandbox to give its lease to a reservation that waits (a quota reliever). */
  relieve(): boolean {
    const entry = this.ready.pop()
    if (!entry) return false
    entry.lease.release()
    entry.worker.kill()
    return true
  }

  stats(): { size: number; ready: number; starting: number; served: number } {
    return { size: this.o.size, ready: this.ready.length, starting: this.starting, served: this.served }
  }

  close(): void {
    this.closed = true
    for (const { worker, lease } of this.ready.splice(0)) {
      lease.release()
      worker.kill()
    }
  }
}
