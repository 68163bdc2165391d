// One warm Python worker: a sandboxed process that imported the user's code once and serves
// invocations one at a time over the worker.py protocol. Logs are split per run at the
// sentinels worker.py writes, and capped per run.
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { jsonValueTooDeep, tooDeepMessage } from '../json-depth.ts'
import { drainOutput } from '../sandbox/drain-output.ts'
import type { SandboxProcess } from '../sandbox/executor.ts'
import { environmentScript } from '../sandbox/sandbox-environment.ts'
import type { Json, JsonObject } from '../storage/storage.ts'
import { LineSplitter, SentinelSplitter } from './stream-splitters.ts'
import { createWorkerDir, type WorkerDirState } from './worker-files.ts'
import { linkTree, workerEnv, workerMounts } from './worker-launch.ts'
import type { EngineCallHandler, InvocationResult, LogLine, RunError, WorkerConfig } from './worker-types.ts'

// worker.py sits beside this file in src/; from the bundled bin it is found in src/python of the
// package, whether the bundle is dist/periodic.mjs or a split chunk in dist/b<stamp>/.
const here = dirname(fileURLToPath(import.meta.url))
export const RUNTIME_DIR =
  [here, join(here, '../src/python'), join(here, '../../src/python')].find((d) =>
    existsSync(join(d, 'worker.py')),
  ) ?? here

const loadErrors = new WeakSet<RunError>()
const MAX_CALLS_IN_FLIGHT = 16

/** The code itself failed to load (syntax, import, missing handler): a restart cannot help. */
export const isLoadError = (err: RunError): boolean => loadErrors.has(err)

export type { EngineCallHandler, InvocationResult, LogLine, RunError, WorkerConfig }

interface Pending {
  id: string
  result?: JsonObject
  ended: Set<'stdout' | 'stderr'>
  logs: LogLine[]
  logBytes: number
  dropped: number
  timer?: NodeJS.Timeout
  onChunk?: (data: Json) => void
  onLog?: (stream: 'stdout' | 'stderr', data: string) => void
  onCall?: EngineCallHandler
  resolve(r: InvocationResult): void
}

export class PythonWorker {
  readonly startedAt = Date.now()
  lastUsed = Date.now()
  coldStartMs = 0
  handlerName = ''
  private proc!: SandboxProcess
  private pending: Pending | undefined
  private startupLogs: LogLine[] = []
  private dead = false
  private callsInFlight = 0
  private readonly splitters: SentinelSplitter[] = []
  private readonly sentinel = `\u001ePERIODIC-END-${randomBytes(8).toString('hex')}:`
  /** This worker's own host directory of input/ and output/ (see worker-files.ts). */
  filesDir: string | undefined
  readonly filesState: WorkerDirState = { inputLinked: 0, outputDirty: false }

  /** A start or a load in progress: settled by worker.py's waiting, ready or load_error line. */
  private starting: { t0: number; resolve(w: PythonWorker): void; reject(e: RunError): void } | undefined

  private constructor(private cfg: WorkerConfig) {}

  get alive(): boolean {
    return !this.dead
  }

  /** Settles once the process has exited, for whatever reason. */
  get exited(): Promise<unknown> {
    return this.proc.exited
  }

  get busy(): boolean {
    return this.pending !== undefined
  }

  /** Starts a worker; rejects with the load error (syntax, import, missing handler) as a RunError. */
  static start(cfg: WorkerConfig): Promise<PythonWorker> {
    return new PythonWorker(cfg).boot(false)
  }

  /**
   * Starts a generic sandbox (warm-sandboxes.ts): namespace, network and interpreter up and
   * worker.py waiting for its code, which `load` gives it. `cfg` sets the limits and needs a
   * filesRoot (the code is copied into the worker's own directory); its code and env are unused.
   */
  static startGeneric(cfg: WorkerConfig): Promise<PythonWorker> {
    return new PythonWorker(cfg).boot(true)
  }

  /**
   * Gives a generic sandbox its element: the code copied into its (read-only mounted) code
   * directory, then the environment a fresh worker of `cfg` starts with on stdin, a pipe like
   * the fresh worker's. Resolves when the handler is imported; the cold start is this load.
   */
  async load(cfg: WorkerConfig): Promise<PythonWorker> {
    const t0 = performance.now()
    const env = workerEnv(cfg, this.sentinel, this.filesDir)
    environmentScript(env) // refuses the names a fresh worker's sandbox refuses
    linkTree(cfg.codeDir, join(this.filesDir!, 'code'))
    this.cfg = cfg
    const ready = this.started(t0)
    this.proc.stdin.write(`${JSON.stringify({ type: 'load', env })}\n`)
    return ready
  }

  private started(t0: number): Promise<PythonWorker> {
    return new Promise((resolve, reject) => {
      this.starting = { t0, resolve, reject }
    })
  }

  private boot(generic: boolean): Promise<PythonWorker> {
    const t0 = performance.now()
    let codeDir = this.cfg.codeDir
    if (this.cfg.filesRoot) this.filesDir = createWorkerDir(this.cfg.filesRoot)
    if (generic) {
      codeDir = join(this.filesDir!, 'code')
      mkdirSync(codeDir, { mode: 0o755 })
    }
    const env = generic
      ? { ...workerEnv({ ...this.cfg, env: {} }, this.sentinel, this.filesDir), PERIODIC_POOLED: '1' }
      : workerEnv(this.cfg, this.sentinel, this.filesDir)
    this.proc = this.cfg.executor.spawn({
      argv: [this.cfg.python, '-S', '-u', '-X', 'utf8', '/periodic/runtime/worker.py'],
      env,
      mounts: workerMounts(this.cfg, RUNTIME_DIR, codeDir, this.filesDir),
      cwd: '/tmp',
      memoryMb: this.cfg.memoryMb,
      maxPids: this.cfg.maxPids,
      network: 'egress',
    })
    for (const stream of ['stdout', 'stderr'] as const) {
      const splitter = new SentinelSplitter(
        this.sentinel,
        (text) => this.onLog(stream, text),
        (id) => this.onEnd(stream, id),
      )
      this.splitters.push(splitter)
      // setEncoding keeps a character split across two reads whole.
      this.proc[stream].setEncoding('utf8')
      this.proc[stream].on('data', (d: string) => splitter.push(d))
      this.proc[stream].on('error', () => {})
    }
    this.proc.stdin.on('error', () => {})
    const booted = this.started(t0)
    const lines = new LineSplitter((line) => {
      let msg: JsonObject
      try {
        msg = JSON.parse(line) as JsonObject
      } catch {
        return
      }
      const s = this.starting
      if (s && (msg['type'] === 'waiting' || msg['type'] === 'ready')) {
        this.starting = undefined
        this.coldStartMs = performance.now() - s.t0
        this.handlerName = String(msg['handler'] ?? '')
        s.resolve(this)
      } else if (s && msg['type'] === 'load_error') {
        this.starting = undefined
        this.kill()
        const error = msg['error'] as RunError
        loadErrors.add(error)
        s.reject(error)
      } else {
        this.onControl(msg)
      }
    })
    this.proc.control.on('data', (d: Buffer) => lines.push(d.toString('utf8')))
    this.proc.control.on('error', () => {})
    void this.proc.exited.then(async (exit) => {
      this.dead = true
      // A run in progress still has its outputs there: the pool removes them after collecting.
      if (!this.pending) this.removeFilesDir()
      // What the worker printed last is still in the pipes: read it before the run ends.
      await drainOutput(this.proc, 500)
      for (const splitter of this.splitters) splitter.flush()
      const error: RunError = exit.oomKilled
        ? {
            code: 'PYTHON_OOM',
            message: `out of memory: the worker exceeded memory_mb (${this.cfg.memoryMb} MB) and was killed`,
          }
        : exit.signal || (exit.code ?? 0) >= 128
          ? {
              code: 'PYTHON_WORKER_LOST',
              message: `the worker was killed (${exit.signal ?? `exit ${exit.code}`}); it is replaced`,
            }
          : {
              code: 'PYTHON_RUNTIME_ERROR',
              message: `the Python process exited with code ${exit.code} (os._exit or a crash)`,
            }
      const s = this.starting
      if (s) {
        this.starting = undefined
        const logs = this.startupLogs.map((l) => l.data).join('')
        s.reject({ ...error, logs: logs.slice(-4000) })
      }
      this.finish({ error, workerLost: true })
    })
    return booted
  }

  invoke(
    id: string,
    input: Json,
    context: JsonObject,
    timeoutMs: number,
    hooks: {
      onChunk?: (data: Json) => void
      onLog?: (stream: 'stdout' | 'stderr', data: string) => void
      onCall?: EngineCallHandler
      /** Input files (field -> name under PERIODIC_INPUT_DIR) merged into the input by worker.py. */
      inputFiles?: Record<string, string>
    } = {},
  ): Promise<InvocationResult> {
    if (this.pending || this.dead) throw new Error('worker is busy or dead')
    this.lastUsed = Date.now()
    return new Promise((resolve) => {
      const { inputFiles, ...rest } = hooks
      const p: Pending = {
        id,
        ended: new Set(),
        logs: this.startupLogs,
        logBytes: 0,
        dropped: 0,
        ...rest,
        resolve,
      }
      this.startupLogs = []
      p.logBytes = p.logs.reduce((n, l) => n + l.data.length, 0)
      p.timer = setTimeout(() => {
        this.kill()
        for (const splitter of this.splitters) splitter.flush()
        this.finish({
          error: {
            code: 'PYTHON_TIMEOUT',
            message: `the invocation exceeded timeout_ms (${timeoutMs} ms) and its worker was stopped`,
          },
          workerLost: true,
        })
      }, timeoutMs)
      this.pending = p
      const msg =
        inputFiles && Object.keys(inputFiles).length
          ? { id, input, context, files: inputFiles }
          : { id, input, context }
      this.proc.stdin.write(`${JSON.stringify(msg)}\n`)
    })
  }

  kill(): void {
    this.dead = true
    this.proc?.kill()
    if (!this.pending) this.removeFilesDir()
  }

  removeFilesDir(): void {
    if (this.filesDir) rmSync(this.filesDir, { recursive: true, force: true })
  }

  private onLog(stream: 'stdout' | 'stderr', data: string): void {
    const p = this.pending
    if (!p) {
      if (this.startupLogs.length < 1000) this.startupLogs.push({ stream, data })
      return
    }
    p.onLog?.(stream, data)
    if (p.logBytes + data.length > this.cfg.logCapBytes) {
      const room = Math.max(0, this.cfg.logCapBytes - p.logBytes)
      if (room > 0) p.logs.push({ stream, data: data.slice(0, room) })
      p.logBytes += room
      p.dropped += data.length - room
      return
    }
    p.logBytes += data.length
    const last = p.logs[p.logs.length - 1]
    if (last && last.stream === stream && last.data.length < 65536) last.data += data
    else p.logs.push({ stream, data })
  }

  private onEnd(stream: 'stdout' | 'stderr', id: string): void {
    const p = this.pending
    if (!p || p.id !== id) return
    p.ended.add(stream)
    this.maybeFinish()
  }

  private onControl(msg: JsonObject): void {
    const p = this.pending
    if (msg['type'] === 'call') {
      this.onCall(p, msg)
      return
    }
    if (!p || msg['id'] !== p.id) return
    // A chunk too deep to send on is dropped; the result (the chunks) then fails the run.
    if (msg['type'] === 'chunk') {
      if (!jsonValueTooDeep(msg['data'])) p.onChunk?.(msg['data'] ?? null)
    } else if (msg['type'] === 'result') {
      p.result = msg
      // A quiet run wrote nothing, so no sentinel follows on stdout or stderr.
      if (msg['quiet'] === true) p.ended.add('stdout').add('stderr')
      this.maybeFinish()
    }
  }

  /** An engine call of the handler (periodic.trigger/state/stream), answered on its stdin. */
  private onCall(p: Pending | undefined, msg: JsonObject): void {
    const call = msg['call']
    const answer = (reply: JsonObject) => {
      // Answered even when the invocation has ended meanwhile (a thread of the handler made the
      // call): the worker reads its stdin under one lock, so a late answer cannot be mistaken.
      if (!this.dead) this.proc.stdin.write(`${JSON.stringify({ type: 'call_result', call, ...reply })}\n`)
    }
    const fid = msg['function_id']
    if (!p || msg['id'] !== p.id || !p.onCall) {
      answer({
        error: { code: 'no_invocation', message: 'no run of this worker is waiting for this call' },
      })
      return
    }
    if (typeof fid !== 'string' || fid.length === 0 || fid.length > 512) {
      answer({ error: { code: 'invalid_payload', message: 'function_id must be 1 to 512 characters' } })
      return
    }
    if (jsonValueTooDeep(msg['data'])) {
      answer({ error: { code: 'json_too_deep', message: tooDeepMessage('the call’s data') } })
      return
    }
    // The SDK waits for each answer; only code writing the control fd itself can pile calls up.
    if (this.callsInFlight >= MAX_CALLS_IN_FLIGHT) {
      answer({
        error: { code: 'too_many_calls', message: `at most ${MAX_CALLS_IN_FLIGHT} engine calls at once` },
      })
      return
    }
    this.callsInFlight++
    p.onCall(fid, msg['data'] ?? null)
      .finally(() => this.callsInFlight--)
      .then(
        (result) => answer({ result }),
        (e: { code?: unknown; message?: unknown }) =>
          answer({
            error: {
              code: typeof e?.code === 'string' ? e.code : 'internal_error',
              message: typeof e?.message === 'string' ? e.message : String(e),
            },
          }),
      )
  }

  private maybeFinish(): void {
    const p = this.pending
    if (!p?.result || p.ended.size < 2) return
    const r = p.result
    this.finish({
      output: r['output'] ?? null,
      error: r['error'] as RunError | undefined,
      durationMs: Number(r['duration_ms'] ?? 0),
      memoryMb: typeof r['memory_mb'] === 'number' ? r['memory_mb'] : null,
      workerLost: false,
      ...(r['wrote_output'] === false ? { wroteOutput: false } : {}),
    })
  }

  private finish(r: Partial<InvocationResult> & { workerLost: boolean }): void {
    const p = this.pending
    if (!p) return
    this.pending = undefined
    clearTimeout(p.timer)
    if (p.dropped > 0)
      p.logs.push({
        stream: 'stderr',
        data: `\n[periodic: log capped at ${this.cfg.logCapBytes} bytes; ${p.dropped} bytes dropped]\n`,
      })
    p.resolve({
      output: r.error ? undefined : r.output,
      error: r.error,
      durationMs: r.durationMs ?? Date.now() - this.lastUsed,
      memoryMb: r.memoryMb ?? this.proc.peakMemoryMb(),
      logs: p.logs,
      logsTruncated: p.dropped > 0,
      workerLost: r.workerLost,
      ...(r.wroteOutput === false ? { wroteOutput: false } : {}),
    })
  }
}
