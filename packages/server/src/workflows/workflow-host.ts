// What the interpreter asks of the platform: the step records of the run (a resumed run replays
// them), and every effect — calls, sub-workflows, scripts, events, timers. The element type
// (elements/workflow) implements it; the interpreter never touches storage or the network.
import type { Json, JsonObject } from '../storage/storage.ts'

export type StepStatus = 'running' | 'succeeded' | 'failed' | 'skipped'

/** One task execution of a run: its checkpoint, and what the runs API shows of it. */
export interface StepRecord {
  /** Unique in the run and stable across replays: the task's pointer with loop/attempt marks. */
  key: string
  name: string
  /** The task's JSON pointer in the definition, e.g. `/do/1/checkTotals`. */
  position: string
  kind: string
  status: StepStatus
  input: Json
  output: Json
  error: JsonObject | null
  /** `$context` after the task, when the task exported. */
  context?: Json
  /** The flow directive the task ended with (`continue`, `end`, `exit` or a task name). */
  flow?: string
  attempts: number
  started_at: string
  completed_at: string | null
  duration_ms: number | null
  /** The run a `call: periodic` or `run: workflow` started. */
  child_run_id?: string | null
  /** When a `wait` (or a retry's delay) ends. */
  wake_at?: string | null
}

/** Which task an effect belongs to (idempotency, links, artifacts). */
export interface StepRef {
  key: string
  name: string
  position: string
}

export interface HttpCall {
  method: string
  url: string
  headers: Record<string, string>
  query: Record<string, string>
  body?: Json
  /** `content` (default), `response` or `raw`. */
  output: string
  redirect: boolean
}

export interface CloudEvent extends JsonObject {
  specversion: string
  id: string
  source: string
  type: string
}

export interface WorkflowHost {
  /** Steps recorded so far (empty for a fresh run). */
  readonly steps: ReadonlyMap<string, StepRecord>
  /** Aborted when the run is cancelled or times out. */
  readonly signal: AbortSignal
  /**
   * Stores a step. `durable`: the write is awaited (before an effect starts, after it ends);
   * otherwise it may be batched (a pure task is recomputed if its record is lost).
   */
  record(step: StepRecord, durable: boolean): Promise<void>
  callPeriodic(
    step: StepRef,
    target: string,
    input: Json,
    operation: string | undefined,
    signal: AbortSignal,
  ): Promise<Json>
  callHttp(step: StepRef, call: HttpCall, signal: AbortSignal): Promise<Json>
  /** Reads an OpenAPI document (JSON or YAML) through the outbound policy; cached. */
  fetchDocument(step: StepRef, url: string, signal: AbortSignal): Promise<JsonObject>
  runWorkflow(
    step: StepRef,
    ref: { namespace?: string; name: string; version?: string },
    input: Json,
    wait: boolean,
    signal: AbortSignal,
  ): Promise<Json>
  runScript(step: StepRef, script: JsonObject, input: Json, signal: AbortSignal): Promise<Json>
  emit(step: StepRef, event: CloudEvent): Promise<void>
  /**
   * Events stored since `since` matching `filters` (eventMatches; `all`: one per filter, else the
   * first that matches any; no filters: any event), leaving out the ids in `exclude`.
   */
  listen(
    step: StepRef,
    filters: JsonObject[],
    mode: 'one' | 'any' | 'all',
    since: string,
    signal: AbortSignal,
    exclude?: ReadonlySet<string>,
  ): Promise<CloudEvent[]>
  /** Resolves at `untilMs` (epoch ms); rejects when `signal` aborts. */
  sleep(untilMs: number, signal: AbortSignal): Promise<void>
  /** The values of the secrets the definition declares in `use.secrets`. */
  secrets(names: string[]): Promise<Record<string, Json>>
  /** The run's descriptor for `$workflow` and `$runtime`. */
  readonly run: { id: string; startedAt: string; depth: number }
}
