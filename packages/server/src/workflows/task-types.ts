// The shapes task executors share with the interpreter (interpreter.ts runs the lists; the
// kinds are in control-tasks.ts and effect-tasks.ts), and small helpers they all use.
import type { Json, JsonObject } from '../storage/storage.ts'
import type { WorkflowDocument } from './definition.ts'
import { WorkflowCancelled, WorkflowFault } from './dsl-faults.ts'
import { taskEntries, taskKindOf } from './dsl-tasks.ts'
import type { ExpressionScope } from './expressions.ts'
import type { StepRecord, StepRef, WorkflowHost } from './workflow-host.ts'

/** Bounds every run has (documented in docs/workflows.md). */
export const WORKFLOW_LIMITS = {
  /** Iterations of one `for` (or `while`) task. */
  maxIterations: 100_000,
  /** Task executions in one run, replays included. */
  maxSteps: 1_000_000,
}

/** Loop variables, a caught error, and the signal that stops this branch. */
export interface Frame {
  vars: ExpressionScope
  signal: AbortSignal
}

export interface TaskCall {
  name: string
  task: JsonObject
  /** The task's transformed input. */
  input: Json
  step: StepRef
  frame: Frame
  /** The step's record when a resumed run finds it started but not finished. */
  prior: StepRecord | undefined
}

export interface TaskOutcome {
  output: Json
  /** A flow directive that overrides the task's own `then` (a switch case, an `end` inside). */
  next?: string
}

export type TaskExecutor = (x: Interpreter, t: TaskCall) => Promise<TaskOutcome>

/** What a task executor may ask of the interpreter running it. */
export interface Interpreter {
  readonly doc: WorkflowDocument
  readonly host: WorkflowHost
  readonly limits: typeof WORKFLOW_LIMITS
  context: Json
  runList(
    list: Json | undefined,
    input: Json,
    frame: Frame,
    position: string,
    key: string,
  ): Promise<{ output: Json; flow: 'continue' | 'end' }>
  runTask(
    name: string,
    task: JsonObject,
    rawInput: Json,
    position: string,
    baseKey: string,
    frame: Frame,
  ): Promise<{ output: Json; next: string }>
  scope(frame: Frame, input: Json, extra?: ExpressionScope, only?: ReadonlySet<string>): ExpressionScope
  eval(expr: Json, data: Json, frame: Frame, input: Json, where: string, extra?: ExpressionScope): Json
  evalExpr(expr: Json, data: Json, frame: Frame, input: Json, where: string, extra?: ExpressionScope): Json
  used(section: string, name: string, where: string): JsonObject
}

/** A task's kind ('unknown' for none: refused on write, so only a hand-made document has one). */
export function kindOf(task: JsonObject): string {
  return taskKindOf(task) ?? 'unknown'
}

/** `[{name: task}, …]` as entries. */
export const entriesOf = (list: Json | undefined) => taskEntries(list)

export const truthy = (v: Json) => v !== null && v !== false

/** What an aborted signal means for the task that sees it. */
export function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof WorkflowFault ? signal.reason : new WorkflowCancelled()
}

/** An AbortController that also aborts when `parent` does; `dispose` detaches it. */
export function linked(parent: AbortSignal): AbortController & { dispose(): void } {
  const ctl = new AbortController() as AbortController & { dispose(): void }
  const onAbort = () => ctl.abort(parent.reason)
  if (parent.aborted) ctl.abort(parent.reason)
  else parent.addEventListener('abort', onAbort, { once: true })
  ctl.dispose = () => parent.removeEventListener('abort', onAbort)
  return ctl
}
