// A pool of warm workers for one (element version, layer, environment). At most `max`
// workers exist; further invocations wait in FIFO order (never refused). `reserved` workers
// are kept warm; others stop after `idleMs` without work (scale to zero). Each worker holds an
// admission (its share of the server's and the circle's worker and memory quotas) while it
// lives; an invocation that needs a new worker waits for one when the quota is used up.
import {
  type EngineCallHandler,
  type InvocationResult,
  isLoadError,
  PythonWorker,
  type RunError,
  type WorkerConfig,
} from './python-worker.ts'
import {
  type CollectedOutput,
  collectWorkerOutput,
  prepareWorkerDir,
  type RunFilesIo,
} from './worker-files.ts'
import type { WaitCancel } from './worker-types.ts'

export interface PoolOptions {
  max: number
  reserved: number
  idleMs: number
  /** Quota for each worker started (none: unlimited but for `max`). */
  admission?: WorkerAdmission
  /** Starts a worker (default: a fresh sandbox; warm-sandboxes.ts hands out a pre-started one). */
  start?: (cfg: WorkerConfig) => Promise<PythonWorker>
}

/** A worker's share of a quota, held from before it starts until it is gone. */
export interface AdmissionTicket {
  release(): void
}

export interface WorkerAdmission {
  /** Told when a worker goes idle (it can now give way to a start waiting for quota). */
  idleAvailable?(): void
  /** A ticket when there is room now (for keeping `reserved` workers warm). */
  tryAcquire(): AdmissionTicket | undefined
  /** Waits for room; rejects (with a coded error) when there will never be any. */
  acquire(): Promise<AdmissionTicket>
}

const NO_TICKET: AdmissionTicket = { release() {} }

const CANCELLED: RunError = {
  code: 'RUN_CANCELLED',
  message: 'the run was cancelled while it waited for a worker',
}

interface Waiter {
  resolve(w: { worker: PythonWorker; cold: boolean }): void
  reject(e: RunError | Error): void
}

export class WorkerPool {
  private readonly idle: PythonWorker[] = []
  private readonly workers = new Set<PythonWorker>()
  private readonly queue: Waiter[] = []
  /** Workers being started, including those waiting for admission. */
  private starting = 0
  /** Workers granted admission and being spawned. */
  private spawning = 0
  private readonly tickets = new Map<PythonWorker, AdmissionTicket>()
  private closed = false
  /** Set once a worker of this version failed to load: the code will not load on a retry either. */
  private loadError: RunError | undefined
  private reaper: NodeJS.Timeout

  constructor(
    readonly key: string,
    private readonly config: WorkerConfig,
    private readonly opts: PoolOptions,
    private readonly onColdStart: (ms: number) => void = () => {},
  ) {
    this.reaper = setInterval(() => this.reap(), Math.max(250, Math.min(opts.idleMs / 2, 10_000)))
    this.reaper.unref()
    this.fillReserved()
  }

  stats() {
    return {
      workers: this.workers.size,
      idle: this.idle.length,
      busy: this.workers.size - this.idle.length,
      starting: this.starting,
      awaiting_quota: this.starting - this.spawning,
      queued: this.queue.length,
    }
  }

  get lastUsed(): number {
    let last = 0
    for (const w of this.workers) last = Math.max(last, w.lastUsed)
    return last
  }

  /** A worker of this pool, warm if one is idle; waits when `max` are busy, until `cancel` says so. */
  acquire(cancel?: WaitCancel): Promise<{ worker: PythonWorker; cold: boolean }> {
    if (cancel?.aborted) return Promise.reject(CANCELLED)
    const warm = this.takeIdle()
    if (warm) return Promise.resolve({ worker: warm, cold: false })
    if (this.loadError) return Promise.reject(this.loadError)
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        // A cancelled invocation leaves the queue at once instead of waiting for its turn.
        const i = this.queue.indexOf(waiter)
        if (i >= 0) this.queue.splice(i, 1)
        reject(CANCELLED)
      }
      const off = cancel?.onCancel(onAbort)
      const waiter: Waiter = {
        resolve: (w) => {
          off?.()
          resolve(w)
        },
        reject: (e: RunError | Error) => {
          off?.()
          reject(e)
        },
      }
      this.queue.push(waiter)
      this.grow()
    })
  }

  /** Runs one invocation on a pooled worker and returns the worker to the pool. */
  async run(
    id: string,
    input: Parameters<PythonWorker['invoke']>[1],
    context: Parameters<PythonWorker['invoke']>[2],
    timeoutMs: number,
    hooks: {
      /** Gives up waiting for a worker (a started invocation is stopped with onStart's cancel). */
      cancel?: WaitCancel
      onStart?(cancel: () => void): void
      onChunk?(d: Parameters<PythonWorker['invoke']>[1]): void
      onLog?(stream: 'stdout' | 'stderr', data: string): void
      onCall?: EngineCallHandler
      /** Input files in, artifacts out (workers started with `filesRoot` only). */
      files?: RunFilesIo
    } = {},
  ): Promise<InvocationResult & { cold: boolean; coldStartMs: number; artifacts?: CollectedOutput }> {
    const { worker, cold } = await this.acquire(hooks.cancel)
    const io = worker.filesDir ? hooks.files : undefined
    try {
      hooks.onStart?.(() => worker.kill())
      const inputFiles =
        io && worker.filesDir ? await prepareWorkerDir(worker.filesDir, io, worker.filesState) : undefined
      const r = await worker.invoke(id, input, context, timeoutMs, {
        onChunk: hooks.onChunk,
        onLog: hooks.onLog,
        onCall: hooks.onCall,
        inputFiles,
      })
      const artifacts =
        io && worker.filesDir
          ? await collectWorkerOutput(worker.filesDir, io, worker.filesState, r.wroteOutput)
          : undefined
      return { ...r, cold, coldStartMs: cold ? worker.coldStartMs : 0, artifacts }
    } finally {
      if (!worker.alive) worker.removeFilesDir()
      this.release(worker)
    }
  }

  private takeIdle(): PythonWorker | undefined {
    while (this.idle.length) {
      const w = this.idle.pop()!
      if (w.alive) return w
      this.forget(w)
    }
    return undefined
  }

  release(worker: PythonWorker): void {
    if (!worker.alive || this.closed) {
      this.forget(worker)
      if (!this.closed) this.grow()
      return
    }
    const next = this.queue.shift()
    if (next) next.resolve({ worker, cold: false })
    else {
      this.idle.push(worker)
      // A worker gone idle may be what a start waiting for quota can have.
      this.opts.admission?.idleAvailable?.()
    }
  }

  /** Starts workers while invocations wait and there is room under `max`. */
  private grow(): void {
    while (
      !this.closed &&
      this.queue.length > this.starting &&
      this.workers.size + this.starting < this.opts.max
    ) {
      this.startOne()
    }
  }

  /** Keeps `reserved` workers warm while the quota has room (never waits for it). */
  private fillReserved(): void {
    while (!this.closed && !this.loadError && this.workers.size + this.starting < this.opts.reserved) {
      const admission = this.opts.admission
      const ticket = admission ? admission.tryAcquire() : NO_TICKET
      if (!ticket) return
      this.starting++
      this.spawn(ticket)
    }
  }

  /** Starts one worker for the queue, once the quota admits it. */
  private startOne(): void {
    this.starting++
    const admission = this.opts.admission
    if (!admission) {
      this.spawn(NO_TICKET)
      return
    }
    admission.acquire().then(
      (ticket) => {
        // Meanwhile the waiters may have been served by other workers, or left.
        if (this.closed || this.queue.length <= this.spawning) {
          this.starting--
          ticket.release()
          return
        }
        this.spawn(ticket)
      },
      (err: Error) => {
        this.starting--
        // Never any room for a worker of this pool: the waiters no worker will serve fail.
        if (this.workers.size + this.starting === 0) for (const q of this.queue.splice(0)) q.reject(err)
      },
    )
  }

  private spawn(ticket: AdmissionTicket): void {
    this.spawning++
    ;(this.opts.start ?? PythonWorker.start)(this.config).then(
      (w) => {
        this.starting--
        this.spawning--
        if (this.closed) {
          ticket.release()
          return w.kill()
        }
        this.workers.add(w)
        this.tickets.set(w, ticket)
        // A worker that dies while idle gives its quota back now, not when next looked at.
        void w.exited.then(() => {
          const i = this.idle.indexOf(w)
          if (i >= 0) {
            this.idle.splice(i, 1)
            this.forget(w)
          }
        })
        this.onColdStart(w.coldStartMs)
        const next = this.queue.shift()
        if (next) next.resolve({ worker: w, cold: true })
        else this.idle.push(w)
      },
      (err: RunError) => {
        this.starting--
        this.spawning--
        ticket.release()
        // A load error (syntax, import, missing handler) is the same for every waiter of this
        // version: fail them all rather than restarting in a loop. A worker that died while
        // starting (killed, sandbox hiccup) fails the waiters but not the version.
        if (isLoadError(err)) this.loadError = err
        for (const q of this.queue.splice(0)) q.reject(err)
      },
    )
  }

  private reap(): void {
    const now = Date.now()
    for (let i = this.idle.length - 1; i >= 0 && this.workers.size > this.opts.reserved; i--) {
      const w = this.idle[i]!
      if (now - w.lastUsed >= this.opts.idleMs) {
        this.idle.splice(i, 1)
        this.forget(w)
        w.kill()
      }
    }
    this.fillReserved()
  }

  /** The least recently used idle worker, if any (reserved ones only with `includeReserved`). */
  oldestIdle(includeReserved: boolean): PythonWorker | undefined {
    if (!includeReserved && this.workers.size <= this.opts.reserved) return undefined
    let oldest: PythonWorker | undefined
    for (const w of this.idle) if (!oldest || w.lastUsed < oldest.lastUsed) oldest = w
    return oldest
  }

  /** Stops an idle worker to give its quota to waiting work elsewhere. */
  evict(w: PythonWorker): boolean {
    const i = this.idle.indexOf(w)
    if (i < 0) return false
    this.idle.splice(i, 1)
    this.forget(w)
    w.kill()
    return true
  }

  /** A worker left the pool: its quota goes back. */
  private forget(w: PythonWorker): void {
    this.workers.delete(w)
    this.tickets.get(w)?.release()
    this.tickets.delete(w)
  }

  close(): void {
    this.closed = true
    clearInterval(this.reaper)
    for (const w of this.idle.splice(0)) {
      this.forget(w)
      w.kill()
    }
    // Busy workers finish their invocation and are stopped on release.
    for (const q of this.queue.splice(0))
      q.reject({
        code: 'PYTHON_RUNTIME_ERROR',
        message: 'the element changed while this invocation waited; retry',
      })
  }

  /** Kills every worker now (server shutdown). */
  destroy(): void {
    this.close()
    for (const w of [...this.workers]) {
      this.forget(w)
      w.kill()
    }
  }
}
