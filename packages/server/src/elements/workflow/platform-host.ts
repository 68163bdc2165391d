// The platform side of a running workflow (the interpreter's WorkflowHost): step records
// batched into the workflow tables, calls to the circle's elements and engine functions as
// child runs with ids derived from the step (a resumed step finds its run instead of starting
// another), HTTP through the outbound policy, events, timers and secrets. Every effect runs
// with the scopes of whoever started the run, looked up again at each call: a key revoked
// mid-run stops the run's next call.
import { type Actor, hasScope } from '../../auth/actor.ts'
import type { OutboundPolicy } from '../../net/outbound-policy.ts'
import { isTerminal } from '../../runs/run-service.ts'
import type { ElementRow, Json, JsonObject, RunRow } from '../../storage/storage.ts'
import { fault } from '../../workflows/dsl-faults.ts'
import type {
  CloudEvent,
  HttpCall,
  StepRecord,
  StepRef,
  WorkflowHost,
} from '../../workflows/workflow-host.ts'
import { childRunId } from '../child-run-id.ts'
import type { PlatformContext } from '../element.ts'
import { stageFilesForChild } from '../run-input-files.ts'
import { StarterRefused, starterActor } from '../run-starter.ts'
import { elementAtRef } from '../source/element-at-ref.ts'
import { fetchDocument, sendHttpCall } from './http-call.ts'
import { runPythonScript } from './script-runner.ts'
import { openWorkflowSecrets, type WorkflowSpec } from './spec.ts'
import { spillLargeValues } from './step-outputs.ts'
import type { EventWaiters } from './workflow-events.ts'
import type { WorkflowStore } from './workflow-tables.ts'

/** The abort reason of a server shutting down: runs stop unended, their children go on. */
export const SHUTDOWN = new Error('the server is shutting down')

/** Nesting of `run: workflow` (and workflows calling workflows) a run may reach. */
export const MAX_WORKFLOW_DEPTH = 10
const FLUSH_MS = 25
const SECRET_MIN_REDACT = 4

export interface HostDeps {
  p: PlatformContext
  store: WorkflowStore
  policy: OutboundPolicy
  events: EventWaiters
  /** Stores and announces an emitted event (listeners, automations, the engine's pub/sub). */
  announce(circleId: string, event: CloudEvent, where: string): Promise<void>
  /** Starts a workflow run of this type (sub-workflows). */
  startWorkflow(element: ElementRow, input: Json, info: JsonObject, runId: string): Promise<RunRow>
}

export class PlatformHost implements WorkflowHost {
  readonly steps: Map<string, StepRecord & { seq: number }>
  private nextSeq: number
  private pending = new Map<string, StepRecord & { seq: number }>()
  private flushTimer: NodeJS.Timeout | undefined
  private flushing: Promise<void> = Promise.resolve()
  private redactions: string[] = []
  private readonly children = new Set<string>()
  readonly run: { id: string; startedAt: string; depth: number }

  constructor(
    private readonly d: HostDeps,
    private readonly runRow: RunRow,
    private readonly element: ElementRow,
    private readonly circleSlug: string,
    steps: Array<StepRecord & { seq: number }>,
    readonly signal: AbortSignal,
    depth: number,
  ) {
    this.steps = new Map(steps.map((s) => [s.key, s]))
    this.nextSeq = steps.reduce((m, s) => Math.max(m, s.seq), 0) + 1
    this.run = { id: runRow.id, startedAt: runRow.started_at ?? runRow.created_at, depth }
    signal.addEventListener('abort', () => signal.reason !== SHUTDOWN && this.cancelChildren(), {
      once: true,
    })
  }

  async record(step: StepRecord, durable: boolean): Promise<void> {
    const prev = this.steps.get(step.key)
    const seq = prev?.seq ?? this.nextSeq++
    const row = await spillLargeValues(this.d.p.config.dataDir, this.runRow.id, {
      ...this.redact(step),
      seq,
      child_run_id: step.child_run_id ?? prev?.child_run_id ?? null,
      wake_at: step.wake_at ?? prev?.wake_at ?? null,
    })
    this.steps.set(step.key, row)
    this.pending.set(step.key, row)
    // Live step events for whoever follows the run (GET /api/v1/runs/{id}/events: stream `step`).
    if (prev?.status !== row.status)
      this.d.p.runs.appendLog(
        this.runRow.id,
        'step',
        `${JSON.stringify({ key: row.key, name: row.name, position: row.position, kind: row.kind, status: row.status, attempts: row.attempts, duration_ms: row.duration_ms, ...(row.error ? { error: row.error } : {}) })}\n`,
      )
    if (durable) return this.flush()
    this.flushTimer ??= setTimeout(() => void this.flush().catch(() => {}), FLUSH_MS)
  }

  /** Writes pending step records (one statement per 400). */
  flush(): Promise<void> {
    clearTimeout(this.flushTimer)
    this.flushTimer = undefined
    if (this.pending.size === 0) return this.flushing
    const rows = [...this.pending.values()]
    this.pending.clear()
    this.flushing = this.flushing.then(() => this.d.store.putSteps(this.runRow.id, rows))
    return this.flushing
  }

  /** The starter's key, as it stands now (revoked or stripped of `execute`: no more calls). */
  private async actor(where: string): Promise<Actor> {
    try {
      return await starterActor(this.d.p.elements, this.runRow)
    } catch (err) {
      if (!(err instanceof StarterRefused)) throw err
      throw fault(err.kind, err.message, where, err.kind === 'authorization' ? { status: 403 } : {})
    }
  }

  async callPeriodic(
    step: StepRef,
    target: string,
    input: Json,
    operation: string | undefined,
    signal: AbortSignal,
  ): Promise<Json> {
    const actor = await this.actor(step.position)
    if (target.includes('::')) return this.callEngine(step, actor, target, input)
    const segments = target.split('/').filter(Boolean)
    if (segments[0] === this.circleSlug) segments.shift()
    const notFound = () =>
      fault('runtime', `no element "${target.slice(0, 200)}" in this circle`, step.position, {
        status: 404,
        code: 'ELEMENT_NOT_FOUND',
      })
    if (segments.length === 0) throw notFound()
    let element: ElementRow
    try {
      element = await this.d.p.elements.resolve(actor, this.circleSlug, segments)
    } catch {
      throw notFound()
    }
    if (element.circle_id !== this.runRow.circle_id) throw notFound()
    const runtime = this.d.p.elements.registry.runtimeOf(element.element_type)
    const runnable = runtime?.runnableOperations ?? []
    const op = operation ?? runnable[0]
    if (!runtime?.startRun || !op || !runnable.includes(op))
      throw fault(
        'configuration',
        `${element.element_type} element "${element.slug}" has no runnable operation "${op ?? ''}"`,
        step.position,
      )
    if (!element.enabled)
      throw fault('runtime', `"${element.slug}" is disabled`, step.position, { status: 409 })
    const id = childRunId(this.runRow.id, step.key)
    const existing = await this.d.p.runs.get(id)
    const run =
      existing ??
      (await (async () => {
        const at = await elementAtRef(this.d.p.elements, element)
        if (at.element.element_type === 'workflow') this.checkDepth(step)
        // Files the input refers to go with it (the child reads them in /periodic/input).
        const upload = await stageFilesForChild(this.d.p.config.dataDir, this.runRow.id, input)
        const info = { ...this.childInfo(step), ...(upload ? { input_upload: upload } : {}) }
        return runtime.startRun!(at.element, op, input, 'workflow', info, { source: at.source, runId: id })
      })())
    return this.awaitChild(step, run, signal)
  }

  private async callEngine(step: StepRef, actor: Actor, fn: string, input: Json): Promise<Json> {
    const engine = this.d.p.engine
    if (!engine) throw fault('communication', 'the engine is not running', step.position)
    const caller = {
      circleId: this.runRow.circle_id,
      circleSlug: this.circleSlug,
      keyId: actor.keyId,
      canRead: hasScope(actor, 'read'),
      canWrite: hasScope(actor, 'write'),
      canExecute: hasScope(actor, 'execute'),
    }
    try {
      return await engine.invoke(caller, fn, input, { timeoutMs: 600_000 } as never)
    } catch (err) {
      const e = err as { code?: string; message?: string }
      const code = e.code ?? 'invocation_failed'
      if (code === 'FORBIDDEN')
        throw fault('authorization', `${fn}: ${e.message ?? code}`, step.position, { code })
      throw fault(
        code === 'function_not_found' ? 'runtime' : 'communication',
        `${fn}: ${e.message ?? code}`,
        step.position,
        {
          code,
          ...(code === 'function_not_found' ? { status: 404 } : {}),
        },
      )
    }
  }

  private childInfo(step: StepRef): JsonObject {
    const info = this.runRow.trigger_info ?? {}
    return {
      key_id: info['key_id'] ?? null,
      parent_run_id: this.runRow.id,
      parent_step: step.name,
      step_key: step.key,
      depth: this.run.depth + 1,
      ...(this.runRow.trace_id && this.runRow.span_id
        ? { traceparent: `00-${this.runRow.trace_id}-${this.runRow.span_id}-01` }
        : {}),
    }
  }

  private checkDepth(step: StepRef): void {
    if (this.run.depth + 1 > MAX_WORKFLOW_DEPTH)
      throw fault(
        'runtime',
        `workflows nest at most ${MAX_WORKFLOW_DEPTH} deep (recursion through sub-workflows?)`,
        step.position,
        {
          code: 'WORKFLOW_DEPTH_EXCEEDED',
        },
      )
  }

  /** Waits for a child run's end; its failure is this step's. */
  private async awaitChild(step: StepRef, run: RunRow, signal: AbortSignal): Promise<Json> {
    this.children.add(run.id)
    const started = this.steps.get(step.key)
    if (started && started.child_run_id !== run.id)
      await this.record({ ...started, child_run_id: run.id }, true)
    try {
      let current = run
      while (!isTerminal(current.status)) {
        if (signal.aborted) throw signal.reason ?? new Error('cancelled')
        current = await this.d.p.runs.wait(current, 30_000)
      }
      if (current.status === 'succeeded') return current.output
      const err = current.error ?? {}
      throw fault(
        'runtime',
        `run ${run.id} ${current.status}: ${String(err['message'] ?? '')}`.trim(),
        step.position,
        {
          run_id: run.id,
          ...(typeof err['code'] === 'string' ? { code: err['code'] } : {}),
        },
      )
    } finally {
      this.children.delete(run.id)
    }
  }

  private cancelChildren(): void {
    for (const id of this.children)
      void this.d.p.runs
        .get(id)
        .then((r) => r && this.d.p.runs.cancelAndWait(r, 10_000))
        .catch(() => {})
  }

  async callHttp(step: StepRef, call: HttpCall, signal: AbortSignal): Promise<Json> {
    await this.actor(step.position)
    return sendHttpCall(this.d.policy, call, signal, step.position)
  }

  async fetchDocument(step: StepRef, url: string, signal: AbortSignal): Promise<JsonObject> {
    return fetchDocument(this.d.policy, url, signal, step.position)
  }

  async runWorkflow(
    step: StepRef,
    ref: { namespace?: string; name: string; version?: string },
    input: Json,
    wait: boolean,
    signal: AbortSignal,
  ): Promise<Json> {
    await this.actor(step.position)
    this.checkDepth(step)
    const id = childRunId(this.runRow.id, step.key)
    let run = await this.d.p.runs.get(id)
    if (!run) {
      const element = await this.findWorkflow(ref, step)
      const at = await elementAtRef(
        this.d.p.elements,
        element,
        ref.version && /^v\d/.test(ref.version) ? ref.version : undefined,
      )
      run = await this.d.startWorkflow(at.element, input, this.childInfo(step), id)
    }
    if (!wait) return null
    return this.awaitChild(step, run, signal)
  }

  /** A workflow (or block) of the circle by slug, or by its document's name (and namespace). */
  private async findWorkflow(ref: { namespace?: string; name: string }, step: StepRef): Promise<ElementRow> {
    const bySlug = await this.d.p.elements.records.findElementBySlug(this.runRow.circle_id, ref.name)
    if (bySlug?.element_type === 'workflow' && !bySlug.deleted_at) return bySlug
    for (const row of await this.d.p.elements.records.listCircleElements(this.runRow.circle_id)) {
      if (row.element_type !== 'workflow') continue
      const doc = /\bname:\s*['"]?([\w.-]+)/.exec(String((row.spec as JsonObject)['definition'] ?? ''))
      if (doc?.[1] === ref.name) return row
    }
    throw fault('runtime', `no workflow "${ref.name}" in this circle`, step.position, { status: 404 })
  }

  async runScript(step: StepRef, script: JsonObject, input: Json, signal: AbortSignal): Promise<Json> {
    await this.actor(step.position)
    return runPythonScript(this.d.p.executor, this.d.p.config, script, input, signal, step.position)
  }

  async emit(step: StepRef, event: CloudEvent): Promise<void> {
    await this.d.announce(this.runRow.circle_id, event, step.position)
  }

  async listen(
    _step: StepRef,
    filters: JsonObject[],
    mode: 'one' | 'any' | 'all',
    since: string,
    signal: AbortSignal,
    exclude?: ReadonlySet<string>,
  ): Promise<CloudEvent[]> {
    return this.d.events.waitFor(this.runRow.circle_id, filters, mode, since, signal, exclude)
  }

  sleep(untilMs: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason)
      // setTimeout caps at ~24.8 days: a longer wait re-arms on the way.
      const arm = () => setTimeout(done, Math.min(Math.max(0, untilMs - Date.now()), 2 ** 31 - 1))
      let timer = arm()
      function done() {
        if (Date.now() < untilMs) {
          timer = arm()
          return
        }
        signal.removeEventListener('abort', onAbort)
        resolve()
      }
      const onAbort = () => {
        clearTimeout(timer)
        reject(signal.reason)
      }
      signal.addEventListener('abort', onAbort, { once: true })
    })
  }

  async secrets(names: string[]): Promise<Record<string, Json>> {
    const values = await openWorkflowSecrets(
      this.d.p.elements,
      this.element.id,
      this.element.spec as unknown as WorkflowSpec,
      names,
    )
    this.redactions = Object.values(values).filter(
      (v): v is string => typeof v === 'string' && v.length >= SECRET_MIN_REDACT,
    )
    return values
  }

  /** A step record with every secret value replaced by `***` (records and logs never hold them). */
  private redact(step: StepRecord): StepRecord {
    if (this.redactions.length === 0) return step
    let text = JSON.stringify(step)
    for (const s of this.redactions) text = text.split(JSON.stringify(s).slice(1, -1)).join('***')
    return JSON.parse(text) as StepRecord
  }
}
