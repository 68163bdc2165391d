// The workflow interpreter: walks a DSL document's task lists, transforms data between tasks
// (`input.from`, `output.as`, `export.as`, schemas), follows flow directives, and records every
// task as a step. It is a replayer: a resumed run walks the same path and takes each completed
// step's recorded output instead of executing it again, so a completed `call` never repeats.
// Effects go through the host (workflow-host.ts); the task kinds are in control-tasks.ts and
// effect-tasks.ts.
import type { Json, JsonObject } from '../storage/storage.ts'
import { controlTasks } from './control-tasks.ts'
import { checkSchema } from './data-schemas.ts'
import type { WorkflowDocument } from './definition.ts'
import { asFault, fault, WorkflowFault } from './dsl-faults.ts'
import { durationMs } from './dsl-schedule.ts'
import { effectTasks } from './effect-tasks.ts'
import { type ExpressionScope, evaluate, evaluateDeep, isExpression } from './expressions.ts'
import {
  abortError,
  entriesOf,
  type Frame,
  type Interpreter,
  kindOf,
  linked,
  type TaskExecutor,
  truthy,
  WORKFLOW_LIMITS,
} from './task-types.ts'
import type { StepRecord, StepRef, WorkflowHost } from './workflow-host.ts'

/** Kinds whose execution has effects outside the run: their start is recorded before they begin. */
const EFFECTS = new Set(['call', 'run', 'emit', 'listen', 'wait'])
const COMPOSITE = new Set(['do', 'for', 'fork', 'try'])
const YIELD_EVERY = 256
const RUNTIME: Json = { name: 'periodic', version: '0.1.0' }
const VARIABLE = /\$([A-Za-z_][A-Za-z0-9_]*)/g
const mentionsOfText = new Map<string, ReadonlySet<string>>()
const mentionsOfObject = new WeakMap<object, ReadonlySet<string>>()

/**
 * The `$names` in an expression or in the strings of an object of expressions (a name inside a
 * string literal counts too: binding one variable more changes no result). Kept per expression.
 */
export function mentionedVariables(expr: Json): ReadonlySet<string> {
  if (typeof expr === 'string') {
    let names = mentionsOfText.get(expr)
    if (!names) {
      names = new Set(Array.from(expr.matchAll(VARIABLE), (m) => m[1]!))
      if (mentionsOfText.size >= 10_000) mentionsOfText.clear()
      mentionsOfText.set(expr, names)
    }
    return names
  }
  if (!expr || typeof expr !== 'object') return new Set()
  let names = mentionsOfObject.get(expr)
  if (!names) {
    const all = new Set<string>()
    for (const v of Object.values(expr)) for (const n of mentionedVariables(v as Json)) all.add(n)
    names = all
    mentionsOfObject.set(expr, names)
  }
  return names
}

export class WorkflowInterpreter implements Interpreter {
  context: Json = {}
  private secretValues: Record<string, Json> = {}
  private workflowInput: Json = null
  private steps = 0
  private readonly visits = new Map<string, number>()
  private readonly executors: Record<string, TaskExecutor> = { ...controlTasks, ...effectTasks }

  constructor(
    readonly doc: WorkflowDocument,
    readonly host: WorkflowHost,
    readonly limits = WORKFLOW_LIMITS,
  ) {}

  /** Runs the workflow on `rawInput` to its output; throws WorkflowFault or WorkflowCancelled. */
  async run(rawInput: Json): Promise<Json> {
    const use = (this.doc['use'] ?? {}) as JsonObject
    const names = Array.isArray(use['secrets']) ? (use['secrets'] as string[]) : []
    this.secretValues = names.length ? await this.host.secrets(names) : {}
    const spec = (this.doc['input'] ?? {}) as JsonObject
    checkSchema(spec['schema'], rawInput, 'the workflow input', '/input')
    this.workflowInput = rawInput
    const frame: Frame = { vars: {}, signal: this.host.signal }
    const input =
      spec['from'] !== undefined
        ? this.evalExpr(spec['from'], rawInput, frame, rawInput, '/input/from')
        : rawInput
    const timeoutMs = this.timeoutOf(this.doc['timeout'])
    const res = await this.withTimeout(timeoutMs, frame, '/', (f) =>
      this.runList(this.doc.do, input, f, '/do', ''),
    )
    const out = (this.doc['output'] ?? {}) as JsonObject
    const output =
      out['as'] !== undefined
        ? this.evalExpr(out['as'], res.output, frame, res.output, '/output/as', { output: res.output })
        : res.output
    checkSchema(out['schema'], output, 'the workflow output', '/output')
    return output
  }

  /** Runs a task list; `flow` is `end` when a task ended the workflow. */
  async runList(
    list: Json | undefined,
    input: Json,
    frame: Frame,
    position: string,
    key: string,
  ): Promise<{ output: Json; flow: 'continue' | 'end' }> {
    const entries = entriesOf(list)
    let data = input
    let i = 0
    while (i < entries.length) {
      const { name, task } = entries[i]!
      const res = await this.runTask(name, task, data, `${position}/${i}/${name}`, `${key}/${i}`, frame)
      data = res.output
      const then = res.next
      if (then === 'continue') i++
      else if (then === 'exit') return { output: data, flow: 'continue' }
      else if (then === 'end') return { output: data, flow: 'end' }
      else {
        const next = entries.findIndex((e) => e.name === then)
        if (next < 0)
          throw fault('configuration', `flow directive "${then}" names no task of this list`, position)
        i = next
      }
    }
    return { output: data, flow: 'continue' }
  }

  /** Executes (or replays) one task: transforms, `if`, timeout, execution, record. */
  async runTask(
    name: string,
    task: JsonObject,
    rawInput: Json,
    position: string,
    baseKey: string,
    frame: Frame,
  ): Promise<{ output: Json; next: string }> {
    const key = this.visitKey(baseKey)
    const done = this.host.steps.get(key)
    if (done && (done.status === 'succeeded' || done.status === 'skipped')) {
      if (done.context !== undefined) this.context = done.context
      return { output: done.output, next: done.flow ?? 'continue' }
    }
    await this.checkpointTick(frame)
    const kind = kindOf(task)
    const started = new Date()
    const step: StepRef = { key, name, position }
    const base = (status: StepRecord['status']): StepRecord => ({
      key,
      name,
      position,
      kind,
      status,
      input: rawInput,
      output: null,
      error: null,
      attempts: (done?.attempts ?? 0) + 1,
      started_at: done?.started_at ?? started.toISOString(),
      completed_at: null,
      duration_ms: null,
    })
    const effect = EFFECTS.has(kind)
    try {
      const spec = (task['input'] ?? {}) as JsonObject
      checkSchema(spec['schema'], rawInput, `the input of task ${name}`, position)
      const input =
        spec['from'] !== undefined
          ? this.evalExpr(spec['from'], rawInput, frame, rawInput, `${position}/input/from`)
          : rawInput
      if (
        task['if'] !== undefined &&
        !truthy(this.evalExpr(task['if'], input, frame, input, `${position}/if`))
      ) {
        await this.host.record(
          {
            ...base('skipped'),
            output: rawInput,
            completed_at: new Date().toISOString(),
            duration_ms: 0,
            flow: 'continue',
          },
          false,
        )
        return { output: rawInput, next: 'continue' }
      }
      const executor = this.executors[kind]
      if (!executor) throw fault('configuration', `task ${name} has no type Periodic runs`, position)
      // Effects are recorded as started before they begin (a resumed run finds them); composite
      // tasks too, unawaited, so steps list in the order they began.
      if (!done && (effect || COMPOSITE.has(kind)))
        await this.host.record({ ...base('running'), input }, effect)
      const call = { name, task, input, step, frame, prior: done }
      const res = await this.withTimeout(this.timeoutOf(task['timeout']), frame, position, (f) =>
        executor(this, { ...call, frame: f }),
      )
      const out = (task['output'] ?? {}) as JsonObject
      const taskVar = { name, reference: position, input, output: res.output }
      const output =
        out['as'] !== undefined
          ? this.evalExpr(out['as'], res.output, frame, input, `${position}/output/as`, {
              output: res.output,
              task: taskVar,
            })
          : res.output
      checkSchema(out['schema'], output, `the output of task ${name}`, position)
      const exp = (task['export'] ?? {}) as JsonObject
      let exported: Json | undefined
      if (exp['as'] !== undefined) {
        exported = this.evalExpr(exp['as'], output, frame, input, `${position}/export/as`, { output })
        checkSchema(exp['schema'], exported, `the context exported by task ${name}`, position)
        this.context = exported
      }
      const then = res.next ?? (typeof task['then'] === 'string' ? task['then'] : 'continue')
      const ended = new Date()
      await this.host.record(
        {
          ...base('succeeded'),
          input,
          output,
          ...(exported !== undefined ? { context: exported } : {}),
          flow: then,
          completed_at: ended.toISOString(),
          duration_ms: ended.getTime() - started.getTime(),
        },
        effect,
      )
      return { output, next: then }
    } catch (err) {
      const f = asFault(err, position)
      if (f instanceof WorkflowFault) {
        const ended = new Date()
        await this.host.record(
          {
            ...base('failed'),
            error: f.error as JsonObject,
            completed_at: ended.toISOString(),
            duration_ms: ended.getTime() - started.getTime(),
          },
          effect,
        )
      }
      throw f
    }
  }

  /**
   * The variables an expression sees; `only`: just those of these names (the ones it mentions —
   * every variable bound costs each evaluation, and `$workflow` holds the whole document).
   */
  scope(frame: Frame, input: Json, extra: ExpressionScope = {}, only?: ReadonlySet<string>): ExpressionScope {
    if (!only)
      return {
        context: this.context,
        input,
        secret: this.secretValues,
        workflow: this.workflowVar(),
        runtime: RUNTIME,
        ...frame.vars,
        ...extra,
      }
    const scope: ExpressionScope = {}
    for (const name of only) {
      if (Object.hasOwn(extra, name)) scope[name] = extra[name]!
      else if (Object.hasOwn(frame.vars, name)) scope[name] = frame.vars[name]!
      else if (name === 'context') scope[name] = this.context
      else if (name === 'input') scope[name] = input
      else if (name === 'secret') scope[name] = this.secretValues
      else if (name === 'workflow') scope[name] = this.workflowVar()
      else if (name === 'runtime') scope[name] = RUNTIME
    }
    return scope
  }

  private workflowVar(): Json {
    return {
      id: this.host.run.id,
      definition: this.doc,
      input: this.workflowInput,
      startedAt: { iso8601: this.host.run.startedAt },
    }
  }

  /** Evaluates an expression or an object of expressions against `data`. */
  eval(expr: Json, data: Json, frame: Frame, input: Json, where: string, extra: ExpressionScope = {}): Json {
    return this.evaluateAt(isExpression(expr), expr, data, frame, input, where, extra)
  }

  /**
   * Evaluates a field that only takes an expression (`if`, `when`, `for.in`, `input.from`,
   * `output.as`, …): a string is jq whether or not it is wrapped in `${ }`, as the spec's own
   * examples write `if: .customer.age < 18`.
   */
  evalExpr(
    expr: Json,
    data: Json,
    frame: Frame,
    input: Json,
    where: string,
    extra: ExpressionScope = {},
  ): Json {
    return this.evaluateAt(typeof expr === 'string', expr, data, frame, input, where, extra)
  }

  private evaluateAt(
    single: boolean,
    expr: Json,
    data: Json,
    frame: Frame,
    input: Json,
    where: string,
    extra: ExpressionScope,
  ): Json {
    const scope = this.scope(frame, input, extra, mentionedVariables(expr))
    try {
      return single ? evaluate(expr as string, data, scope) : evaluateDeep(expr, data, scope)
    } catch (err) {
      throw asFault(err, where)
    }
  }

  /** A named entry of `use` (errors, retries, timeouts, functions). */
  used(section: string, name: string, where: string): JsonObject {
    const use = (this.doc['use'] ?? {}) as JsonObject
    const entry = ((use[section] ?? {}) as JsonObject)[name]
    if (!entry || typeof entry !== 'object')
      throw fault('configuration', `use.${section} declares no "${name}"`, where)
    return entry as JsonObject
  }

  private timeoutOf(t: Json | undefined): number | undefined {
    if (t === undefined || t === null) return undefined
    const spec = typeof t === 'string' ? this.used('timeouts', t, '/timeout') : (t as JsonObject)
    return durationMs(spec['after'])
  }

  private async withTimeout<T>(
    ms: number | undefined,
    frame: Frame,
    where: string,
    fn: (f: Frame) => Promise<T>,
  ): Promise<T> {
    if (ms === undefined) return fn(frame)
    const ctl = linked(frame.signal)
    const timedOut = fault('timeout', `timed out after ${ms} ms`, where)
    let timer: NodeJS.Timeout | undefined
    const expiry = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        ctl.abort(timedOut)
        reject(timedOut)
      }, ms)
    })
    try {
      return await Promise.race([fn({ ...frame, signal: ctl.signal }), expiry])
    } finally {
      clearTimeout(timer)
      ctl.dispose()
    }
  }

  private visitKey(key: string): string {
    const n = this.visits.get(key) ?? 0
    this.visits.set(key, n + 1)
    return n === 0 ? key : `${key}~${n}`
  }

  /** Limits, cancellation, and a turn of the event loop now and then (pure loops never hog it). */
  private async checkpointTick(frame: Frame): Promise<void> {
    if (frame.signal.aborted) throw abortError(frame.signal)
    if (++this.steps > this.limits.maxSteps)
      throw fault('runtime', `the run executed more than ${this.limits.maxSteps} tasks`, '/')
    if (this.steps % YIELD_EVERY === 0) await new Promise((r) => setImmediate(r))
  }
}
