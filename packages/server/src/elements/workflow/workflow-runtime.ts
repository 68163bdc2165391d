// The workflow type's runtime: starts runs (`invoke`), executes them with the interpreter over
// a PlatformHost, and resumes them from the durable run queue — a run whose node died (or a
// server restarted after `kill -9`) is taken over and replayed from its step records, so it
// continues from the last completed task and never repeats a completed call. A waiting run
// (`wait`, `listen`) holds a timer or a poll, no process.
import { OutboundPolicy } from '../../net/outbound-policy.ts'
import type { QueuedRunExecutor } from '../../runs/run-queue.ts'
import type { ElementRow, Json, JsonObject, RunRow } from '../../storage/storage.ts'
import { WorkflowCancelled, WorkflowFault } from '../../workflows/dsl-faults.ts'
import { WorkflowInterpreter } from '../../workflows/interpreter.ts'
import type { CloudEvent } from '../../workflows/workflow-host.ts'
import type { PlatformContext, StartRunOptions, TypeRuntime } from '../element.ts'
import { createRunWithInputFiles } from '../run-input-files.ts'
import { elementAtRef, elementOfRun } from '../source/element-at-ref.ts'
import { AutomationScheduler } from './automation-scheduler.ts'
import { Automations } from './automations.ts'
import { cachedDocument } from './document-cache.ts'
import { PlatformHost, SHUTDOWN } from './platform-host.ts'
import type { WorkflowSpec } from './spec.ts'
import { loadSpilledValues } from './step-outputs.ts'
import { WORKFLOW_RUN as WORKFLOW } from './workflow-errors.ts'
import { EventWaiters } from './workflow-events.ts'
import { type WorkflowStore, workflowTables } from './workflow-tables.ts'

/** Workflow runs one node executes at once (they mostly wait; a bound against runaway fan-out). */
export const MAX_ACTIVE_WORKFLOW_RUNS = 10_000
/** Takeovers of one run (a node dying each time) before it ends failed. */
const MAX_RESUMES = 50

export class WorkflowRuntime implements TypeRuntime {
  readonly runnableOperations = ['invoke'] as const
  readonly events: EventWaiters
  /** The workflows' `schedule`s as automations (listed, paused and synced by the API). */
  readonly automations: Automations
  private readonly stopWatching: () => void
  private readonly policy: OutboundPolicy
  private active = 0
  private closed = false
  private readonly running = new Map<string, Promise<void>>()
  private readonly controllers = new Map<string, AbortController>()

  constructor(private readonly p: PlatformContext) {
    this.policy = new OutboundPolicy(p.config.outbound.allow, p.log)
    this.events = new EventWaiters(() => this.store(), p.bus)
    const scheduler = new AutomationScheduler({
      p,
      store: () => this.store(),
      ...(p.clock ? { clock: p.clock } : {}),
      start: async (element, input, info) => {
        const at = await elementAtRef(p.elements, element)
        return this.startRun(at.element, 'invoke', input, 'automation', info, { source: at.source })
      },
    })
    this.automations = new Automations(p, () => this.store(), scheduler)
    this.stopWatching = this.automations.watch()
    scheduler.start()
  }

  store(): WorkflowStore {
    return this.p.elements.storeOf(workflowTables)
  }

  readonly queue: QueuedRunExecutor = {
    reserve: (_element, n) => Math.max(0, Math.min(n, MAX_ACTIVE_WORKFLOW_RUNS - this.active)),
    unreserve: () => {},
    resume: (element, run) => {
      elementOfRun(this.p.elements, element, run).then(
        (at) => this.launch(at, run),
        (err: unknown) =>
          void this.p.runs.finishUnstarted(run, 'failed', {
            code: WORKFLOW.WORKFLOW_TASK_FAILED.code,
            message: `the workflow's definition could not be read: ${(err as Error).message}`,
            class: 'internal',
            retryable: false,
          }),
      )
    },
    maxAttempts: (_element, run) => Math.min(run.attempts + 2, MAX_RESUMES),
  }

  async startRun(
    element: ElementRow,
    _operation: string,
    input: Json,
    trigger: string,
    triggerInfo: JsonObject | null,
    opts: StartRunOptions = {},
  ): Promise<RunRow> {
    const run = await createRunWithInputFiles(
      this.p.runs,
      this.p.config.dataDir,
      element,
      input,
      trigger,
      triggerInfo,
      opts,
    )
    this.launch(element, run)
    return run
  }

  /**
   * A CloudEvent into the circle: stored and announced to listeners and automations, and (unless
   * it came from there) published on the engine's pub/sub with its type as the topic.
   */
  async announce(circleId: string, event: CloudEvent, where = '/', fromEngine = false): Promise<void> {
    await this.events.publish(circleId, event, where)
    if (fromEngine || !this.p.engine) return
    const caller = {
      circleId,
      circleSlug: await this.p.elements.circleSlug(circleId),
      keyId: 'system',
      canRead: true,
      canWrite: true,
      canExecute: true,
    }
    await this.p.engine
      .invoke(caller, 'publish', { topic: event.type, data: event }, {})
      .catch((err: unknown) =>
        this.p.log.warn({ err, event: event.id }, 'workflow event not published on the engine'),
      )
  }

  /** Engine publishes whose data is a CloudEvent are the circle's events too (listen, automations). */
  onPublished(circleId: string, _topic: string, data: Json): void {
    if (!data || typeof data !== 'object' || Array.isArray(data)) return
    const e = data as JsonObject
    if (e['specversion'] !== '1.0' || typeof e['type'] !== 'string' || typeof e['source'] !== 'string') return
    if (typeof e['id'] !== 'string' || this.events.remembers(e['id'])) return
    void this.announce(circleId, e as CloudEvent, '/', true).catch((err: unknown) =>
      this.p.log.warn({ err }, 'an engine event could not be stored for workflows'),
    )
  }

  /** The definition snapshot a run started with (the runs API's `definition`). */
  async runDefinition(run: RunRow): Promise<Json | undefined> {
    const snap = await this.store().getRun(run.id)
    return snap
      ? { format: 'yaml', definition: snap.definition, document: cachedDocument(snap.definition) }
      : undefined
  }

  /** The steps of a run, in the order they began. */
  async runSteps(run: RunRow): Promise<JsonObject[]> {
    return (await this.store().listSteps(run.id)).map(
      ({ seq: _seq, context: _context, ...s }) => s as unknown as JsonObject,
    )
  }

  private launch(element: ElementRow, run: RunRow): void {
    if (this.closed) return
    this.active++
    const done = this.execute(element, run)
      .catch((err: unknown) => this.p.log.error({ err, run: run.id }, 'workflow run orchestration failed'))
      .finally(() => {
        this.active--
        this.running.delete(run.id)
        this.controllers.delete(run.id)
      })
    this.running.set(run.id, done)
  }

  private async execute(element: ElementRow, run: RunRow): Promise<void> {
    const store = this.store()
    const spec = element.spec as unknown as WorkflowSpec
    const depth = Number(run.trigger_info?.['depth'] ?? 0)
    let snap = await store.getRun(run.id)
    if (!snap) {
      snap = {
        run_id: run.id,
        circle_id: run.circle_id,
        element_id: element.id,
        definition: spec.definition,
        depth,
        created_at: new Date().toISOString(),
      }
      await store.snapshot(snap)
    }
    const steps = await loadSpilledValues(this.p.config.dataDir, run.id, await store.listSteps(run.id))
    const ctl = new AbortController()
    this.p.runs.onCancel(run.id, () => ctl.abort())
    this.controllers.set(run.id, ctl)
    this.p.runs.markRunning(run.id, run.attempts + 1)
    const circleSlug = await this.p.elements.circleSlug(run.circle_id)
    const host = new PlatformHost(
      {
        p: this.p,
        store,
        policy: this.policy,
        events: this.events,
        announce: (circleId, event, where) => this.announce(circleId, event, where),
        startWorkflow: (el, input, info, runId) =>
          this.startRun(el, 'invoke', input, 'workflow', info, { runId }),
      },
      run,
      element,
      circleSlug,
      steps,
      ctl.signal,
      depth,
    )
    const t0 = performance.now()
    const end = (status: 'succeeded' | 'failed' | 'cancelled', output: Json, error: JsonObject | null) =>
      this.p.runs.finish(run, {
        status,
        output,
        error,
        duration_ms: performance.now() - t0,
        cold_start: steps.length > 0,
        memory_used_mb: null,
        logs: [],
        logs_truncated: false,
      })
    try {
      const output = await new WorkflowInterpreter(cachedDocument(snap.definition), host).run(run.input)
      await host.flush()
      await end('succeeded', output, null)
    } catch (err) {
      await host.flush().catch(() => {})
      if (this.closed) return
      if (err instanceof WorkflowCancelled || ctl.signal.aborted)
        return void (await end('cancelled', null, {
          code: 'RUN_CANCELLED',
          message: 'the workflow run was cancelled',
        }))
      const e =
        err instanceof WorkflowFault ? err.error : { type: 'runtime', status: 500, detail: String(err) }
      await end('failed', null, {
        code: WORKFLOW.WORKFLOW_TASK_FAILED.code,
        message: `${e.instance ?? '/'}: ${e.detail ?? e.title ?? e.type}`,
        class: 'validation',
        retryable: false,
        error: e as JsonObject,
      })
    }
  }

  /**
   * Stops executing without ending the runs: they stay claimed by this node, whose heartbeat
   * stops, so another node (or this one after a restart) resumes them from their steps.
   */
  async close(): Promise<void> {
    this.closed = true
    // Runs stop where they are, unended: this node's claim lapses and they resume elsewhere (or
    // here after a restart). Their child runs are left alone (SHUTDOWN is no cancel).
    for (const ctl of this.controllers.values()) ctl.abort(SHUTDOWN)
    this.stopWatching()
    this.automations.scheduler.close()
    // Firings already under way finish their writes before the storage closes.
    await Promise.race([this.automations.scheduler.idle(), new Promise((r) => setTimeout(r, 5000).unref())])
  }
}
