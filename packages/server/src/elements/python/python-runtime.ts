// The python element's runtime: the invoke orchestration — a run record, attempts with backoff
// for retryable failures, cancellation, metrics, and the element's deployed/error state — over
// its worker pools (element-pools.ts).
import { jsonValueTooDeep } from '../../json-depth.ts'
import { OutboundPolicy } from '../../net/outbound-policy.ts'
import type { WorkerPool } from '../../python/worker-pool.ts'
import { WaitCancel } from '../../python/worker-types.ts'
import type { Lease } from '../../quotas/resource-budget.ts'
import {
  ARTIFACT_CAP_BYTES,
  adoptStagedInputFiles,
  readInputFields,
  runInputDir,
  runOutputDir,
  writeArtifactSummary,
} from '../../runs/run-files.ts'
import type { QueuedRunExecutor } from '../../runs/run-queue.ts'
import type { RunOutcome } from '../../runs/run-service.ts'
import type { ElementRow, Json, JsonObject, RunRow } from '../../storage/storage.ts'
import type { PlatformContext, RunSource, StartRunOptions, TypeRuntime, WriteTarget } from '../element.ts'
import { newRunOf } from '../new-run.ts'
import { ElementHealth } from './element-health.ts'
import { ElementPools } from './element-pools.ts'
import { ElementSlots } from './element-slots.ts'
import { handlerEngineCall, traceContext } from './handler-calls.ts'
import { LayerBuilder } from './layer-builder.ts'
import { LayerMounts } from './layer-mounts.ts'
import { verifyLayerReferences } from './layer-references.ts'
import { PythonEvents } from './python-events.ts'
import { PythonMetrics } from './python-metrics.ts'
import { resumeQueuedRun } from './queued-run.ts'
import { asRunError, RESULT_TOO_DEEP, withClass } from './run-error-of.ts'
import { SourceMaterializer } from './source-materializer.ts'
import { PY, pythonSpecOf, RETRYABLE_RUN_CODES } from './spec.ts'
import { startTestRun } from './test-runner.ts'

const CANCELLED_BEFORE_START = {
  code: PY.RUN_CANCELLED.code,
  message: 'the run was cancelled before a worker took it',
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export class PythonRuntime implements TypeRuntime {
  readonly source: SourceMaterializer
  readonly layers: LayerBuilder
  readonly layerMounts: LayerMounts
  readonly metrics: PythonMetrics
  readonly events: PythonEvents
  private readonly pools: ElementPools
  readonly runHealth: ElementHealth

  constructor(private readonly p: PlatformContext) {
    this.runHealth = new ElementHealth(p.elements)
    this.source = new SourceMaterializer(
      p.config.dataDir,
      { allowLocal: p.config.python.gitAllowLocal, allowSsh: p.config.python.gitAllowSsh },
      new OutboundPolicy(p.config.outbound.allow, p.log),
      p.log,
    )
    this.layers = new LayerBuilder(p.config, p.executor)
    this.metrics = new PythonMetrics(p.metrics)
    this.events = new PythonEvents(p.bus, p.elements, p.log)
    this.layerMounts = new LayerMounts(p.elements, this.layers, p.config.dataDir, p.bus)
    this.pools = new ElementPools(p, this.source, this.layers, this.events, this.layerMounts)
  }

  readonly runnableOperations = ['invoke'] as const

  private readonly slots = new ElementSlots()

  /**
   * The durable queue's view of this type: room per element (slots are reserved before the
   * claim's await, so a start and a claim at the same moment cannot both take the last one),
   * resuming, retry policy.
   */
  readonly queue: QueuedRunExecutor = {
    reserve: (element, n) => {
      const k = Math.max(0, Math.min(n, this.room(element)))
      this.slots.add(element, k)
      return k
    },
    unreserve: (element, n) => this.slots.add(element, -n),
    resume: (element, run) =>
      resumeQueuedRun(
        this.p,
        element,
        run,
        (e) => this.launch(e, run, this.p.quotas.tryReserve(element.circle_id, { runs_in_flight: 1 })),
        () => this.slots.add(element, -1),
      ),
    maxAttempts: (element) => pythonSpecOf(element).retry.max_attempts,
  }

  /**
   * A git source's host must pass the outbound-address policy when the spec is written, and
   * every spec.layers entry must name a python-layer of the circle (layer-references.ts).
   */
  async verifyWrite(spec: JsonObject, target: WriteTarget): Promise<void> {
    const source = (spec['source'] ?? {}) as Record<string, unknown>
    if (source['type'] === 'git' && typeof source['repository'] === 'string')
      await this.source.verifyGitSource(source['repository'])
    await verifyLayerReferences(this.p.elements, spec, target)
  }

  startRun(
    element: ElementRow,
    _operation: string,
    input: Json,
    trigger: string,
    triggerInfo: JsonObject | null,
    opts?: StartRunOptions,
  ): Promise<RunRow> {
    return this.start(element, input, trigger, triggerInfo, opts)
  }

  /**
   * Creates the run and starts it; the caller decides how long to wait. A run this node has
   * room for (the element's concurrency, the server's and the circle's runs in flight) runs here
   * at once; otherwise it waits in the durable queue for any node with room, unless the caller
   * waits for it here (a synchronous invoke): then it waits in this node's pool, and 429
   * QUOTA_EXCEEDED when no run in flight is left (that queue cannot grow further).
   */
  async start(
    element: ElementRow,
    input: Json,
    trigger: string,
    triggerInfo: JsonObject | null = null,
    opts: StartRunOptions = {},
  ): Promise<RunRow> {
    const claim = opts.waiting === true || this.room(element) > 0
    const inFlight = claim ? this.p.quotas.admit(element.circle_id, { runs_in_flight: 1 }) : undefined
    if (claim) this.slots.add(element, 1)
    let run: RunRow
    try {
      run = await this.p.runs.create(
        newRunOf(element, 'invoke', input, trigger, triggerInfo, opts),
        // A caller waiting here is answered once the end is stored: the run need not be
        // stored before it starts (run-service.ts writes such a run once, with its end).
        { claim, waited: claim && opts.waiting === true },
      )
    } catch (err) {
      inFlight?.release()
      if (claim) this.slots.add(element, -1)
      throw err
    }
    if (claim) this.launch(element, run, inFlight)
    return run
  }

  /** How many more runs of `element` this node may start now. */
  private room(element: ElementRow): number {
    return this.p.quotas.hasRoom(element.circle_id, { runs_in_flight: 1 }) ? this.slots.free(element) : 0
  }

  /** Executes a run this node holds in a slot counted for it, freeing the slot when it ends. */
  private launch(element: ElementRow, run: RunRow, inFlight: Lease | undefined): void {
    void this.execute(element, run)
      .catch((err: unknown) => this.p.log.error({ err, run: run.id }, 'run orchestration failed'))
      .finally(() => {
        inFlight?.release()
        this.slots.add(element, -1)
      })
  }

  private async execute(element: ElementRow, run: RunRow): Promise<void> {
    const spec = pythonSpecOf(element)
    const t0 = performance.now()
    let cancelled = false
    let killCurrent: (() => void) | undefined
    const waiting = new WaitCancel()
    this.p.runs.onCancel(run.id, () => {
      cancelled = true
      waiting.cancel()
      killCurrent?.()
    })
    const done = (o: Omit<RunOutcome, 'duration_ms'> & { duration_ms?: number }) =>
      this.complete(element, run, { ...o, duration_ms: o.duration_ms ?? performance.now() - t0 })
    this.events.invoked(element, run)
    let pool: WorkerPool
    try {
      pool = await this.poolFor(element)
    } catch (err) {
      return done({
        status: 'failed',
        error: asRunError(err),
        cold_start: false,
        memory_used_mb: null,
        logs: [],
        logs_truncated: false,
      })
    }
    const dataDir = this.p.config.dataDir
    // Files of a multipart start were staged before the run existed: they are in place
    // before any worker can take the run.
    const staged = run.trigger_info?.['input_upload']
    if (typeof staged === 'string') await adoptStagedInputFiles(dataDir, staged, run.id)
    let delay = spec.retry.backoff_ms
    // A run taken over from a lost node continues the count of its attempts.
    for (let attempt = run.attempts + 1; ; attempt++) {
      if (cancelled)
        return done({
          status: 'cancelled',
          error: CANCELLED_BEFORE_START,
          cold_start: false,
          memory_used_mb: null,
          logs: [],
          logs_truncated: false,
        })
      const context = {
        invocation_id: run.id,
        element: element.slug,
        version: element.version,
        attempt,
        timeout_ms: spec.timeout_ms,
        ...traceContext(run),
      }
      let r: Awaited<ReturnType<WorkerPool['run']>>
      try {
        r = await pool.run(run.id, run.input, context, spec.timeout_ms, {
          cancel: waiting,
          // Running from the moment a worker takes the run: until then it is queued.
          onStart: (kill) => {
            killCurrent = kill
            if (cancelled) kill() // cancelled just as a worker took it
            this.p.runs.markRunning(run.id, attempt)
          },
          onChunk: (d) => this.p.runs.addChunk(run.id, d),
          onLog: (stream, data) => this.p.runs.appendLog(run.id, stream, data),
          onCall: (fid, data) => handlerEngineCall(this.p, element, run, fid, data),
          files: {
            inputDir: runInputDir(dataDir, run.id),
            outputDir: runOutputDir(dataDir, run.id),
            capBytes: ARTIFACT_CAP_BYTES,
            fields: () => readInputFields(dataDir, run.id),
            replaceEarlier: attempt > 1,
          },
        })
        if (r.artifacts?.files || r.artifacts?.truncated || r.artifacts?.refused_files) {
          const { files: _files, ...summary } = r.artifacts
          await writeArtifactSummary(dataDir, run.id, summary)
        }
      } catch (err) {
        return done({
          status: cancelled ? 'cancelled' : 'failed',
          error: cancelled ? CANCELLED_BEFORE_START : asRunError(err),
          cold_start: false,
          memory_used_mb: null,
          logs: [],
          logs_truncated: false,
        })
      }
      if (r.cold) {
        this.metrics.coldStart(element, r.coldStartMs)
        await this.events.coldStart(element, run, r.coldStartMs)
      }
      const outcome = {
        cold_start: r.cold,
        memory_used_mb: r.memoryMb,
        logs: r.logs,
        logs_truncated: r.logsTruncated,
      }
      if (cancelled)
        return done({
          status: 'cancelled',
          error: { code: PY.RUN_CANCELLED.code, message: 'the run was cancelled while it ran' },
          ...outcome,
        })
      if (!r.error && jsonValueTooDeep(r.output))
        return done({
          status: 'failed',
          error: withClass(RESULT_TOO_DEEP),
          ...outcome,
          duration_ms: r.durationMs,
        })
      if (!r.error)
        return done({ status: 'succeeded', output: r.output ?? null, ...outcome, duration_ms: r.durationMs })
      if (RETRYABLE_RUN_CODES.has(r.error.code) && attempt < spec.retry.max_attempts) {
        this.p.runs.addLogs(run.id, r.logs)
        await sleep(delay)
        delay = Math.round(delay * spec.retry.backoff_multiplier)
        continue
      }
      return done({ status: 'failed', error: withClass(r.error), ...outcome, duration_ms: r.durationMs })
    }
  }

  private async complete(element: ElementRow, run: RunRow, o: RunOutcome): Promise<void> {
    // Metrics and the element's state are settled before the run ends, so a caller woken by
    // the end (a sync invoke) already sees them.
    try {
      this.metrics.invocation(element, o)
      await this.events.ended(element, run, o)
      await this.runHealth.settle(element, o)
    } finally {
      await this.p.runs.finish(run, o)
    }
  }

  /** The pool for this element's version, source, layer and environment. */
  poolFor(element: ElementRow): Promise<WorkerPool> {
    return this.pools.poolFor(element)
  }

  /** Starts a pytest run over the tests stored beside the source; returns the run. */
  startTest(element: ElementRow, filter: string | undefined, source?: RunSource): Promise<RunRow> {
    return startTestRun(this.p, this, element, filter, source)
  }

  diagnostics(element: ElementRow) {
    const pools = this.pools.statsOf(element.id)
    return {
      executor: this.p.executor?.name ?? null,
      guarantees: this.p.executor?.guarantees ?? null,
      isolation_reachable: this.p.executor !== null,
      worker_available: pools.some((p) => p.idle > 0) || pools.length === 0,
      pools,
      warm_sandboxes: this.pools.warm.stats(),
      last_error: this.runHealth.lastError,
    }
  }

  async health(): Promise<{ ok: boolean; detail: string }> {
    return this.p.executor ? this.p.executor.health() : { ok: false, detail: 'no sandbox executor' }
  }

  async close(): Promise<void> {
    this.pools.close()
    this.layerMounts.close()
  }
}
