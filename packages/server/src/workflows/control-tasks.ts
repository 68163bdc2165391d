// The task kinds that shape the flow and the data, with no effect outside the run: set, do,
// switch, for, fork, try/catch (with retry policies) and raise.
import type { Json, JsonObject } from '../storage/storage.ts'
import { type DslError, ERROR_TYPE_BASE, errorMatches, fault, WorkflowFault } from './dsl-faults.ts'
import { forConcurrency } from './dsl-tasks.ts'
import { retryDelayMs, retryPolicyOf } from './retry-delays.ts'
import {
  abortError,
  entriesOf,
  type Frame,
  type Interpreter,
  linked,
  type TaskCall,
  type TaskExecutor,
  truthy,
} from './task-types.ts'

const set: TaskExecutor = async (x, t) => ({
  output: x.eval(t.task['set'] ?? {}, t.input, t.frame, t.input, `${t.step.position}/set`),
})

const doTask: TaskExecutor = async (x, t) => {
  const r = await x.runList(t.task['do'], t.input, t.frame, `${t.step.position}/do`, `${t.step.key}/do`)
  return r.flow === 'end' ? { output: r.output, next: 'end' } : { output: r.output }
}

const switchTask: TaskExecutor = async (x, t) => {
  for (const { name, task: c } of entriesOf(t.task['switch'])) {
    const when = c['when']
    const where = `${t.step.position}/switch/${name}/when`
    if (when === undefined || truthy(x.evalExpr(when, t.input, t.frame, t.input, where)))
      return { output: t.input, next: typeof c['then'] === 'string' ? c['then'] : 'continue' }
  }
  return { output: t.input }
}

const forTask: TaskExecutor = async (x, t) => {
  const spec = (t.task['for'] ?? {}) as JsonObject
  const where = t.step.position
  const items = x.evalExpr(spec['in'] ?? null, t.input, t.frame, t.input, `${where}/for/in`)
  const list: Json[] = Array.isArray(items)
    ? items
    : items && typeof items === 'object'
      ? Object.values(items)
      : items === null
        ? []
        : [items]
  if (list.length > x.limits.maxIterations)
    throw fault(
      'runtime',
      `for: ${list.length} items exceed the limit of ${x.limits.maxIterations} iterations`,
      where,
    )
  const each = typeof spec['each'] === 'string' ? spec['each'] : 'item'
  const at = typeof spec['at'] === 'string' ? spec['at'] : 'index'
  const frameOf = (i: number): Frame => ({ ...t.frame, vars: { ...t.frame.vars, [each]: list[i]!, [at]: i } })
  const concurrency = forConcurrency(t.task)
  if (concurrency > 1 && t.task['while'] === undefined)
    return forConcurrent(x, t, list.length, frameOf, concurrency)
  let data = t.input
  for (let i = 0; i < list.length; i++) {
    const frame = frameOf(i)
    if (
      t.task['while'] !== undefined &&
      !truthy(x.evalExpr(t.task['while'], data, frame, t.input, `${where}/while`))
    )
      break
    const r = await x.runList(t.task['do'], data, frame, `${where}/do`, `${t.step.key}/for@${i}/do`)
    data = r.output
    if (r.flow === 'end') return { output: data, next: 'end' }
  }
  return { output: data }
}

/** Iterations at most `n` at a time, each on the task's input; the output lists theirs in item order. */
async function forConcurrent(
  x: Interpreter,
  t: TaskCall,
  count: number,
  frameOf: (i: number) => Frame,
  n: number,
) {
  const outputs: Json[] = new Array(count).fill(null)
  let next = 0
  let ended = false
  const worker = async () => {
    while (next < count && !ended) {
      const i = next++
      const r = await x.runList(
        t.task['do'],
        t.input,
        frameOf(i),
        `${t.step.position}/do`,
        `${t.step.key}/for@${i}/do`,
      )
      outputs[i] = r.output
      if (r.flow === 'end') ended = true
    }
  }
  await Promise.all(Array.from({ length: Math.min(n, count) }, worker))
  return { output: outputs as Json }
}

const fork: TaskExecutor = async (x, t) => {
  const spec = (t.task['fork'] ?? {}) as JsonObject
  const branches = entriesOf(spec['branches'])
  const compete = spec['compete'] === true
  const ctl = linked(t.frame.signal)
  try {
    const runs = branches.map(({ name, task }, i) =>
      x.runTask(
        name,
        task,
        t.input,
        `${t.step.position}/fork/branches/${i}/${name}`,
        `${t.step.key}/fork/${i}`,
        {
          ...t.frame,
          signal: ctl.signal,
        },
      ),
    )
    if (!compete) return { output: (await Promise.all(runs)).map((r) => r.output) }
    const winner = await Promise.any(runs).catch((err: AggregateError) => {
      throw err.errors[0]
    })
    ctl.abort(
      new WorkflowFault({ type: `${ERROR_TYPE_BASE}runtime`, status: 500, detail: 'another branch won' }),
    )
    for (const r of runs) r.catch(() => {})
    return { output: winner.output }
  } finally {
    ctl.dispose()
  }
}

const tryTask: TaskExecutor = async (x, t) => {
  const where = t.step.position
  const c = (t.task['catch'] ?? {}) as JsonObject
  const as = typeof c['as'] === 'string' ? c['as'] : 'error'
  const filter = ((c['errors'] ?? {}) as JsonObject)['with'] as JsonObject | undefined
  const retrySpec = c['retry']
  const policy =
    retrySpec === undefined
      ? undefined
      : retryPolicyOf(
          typeof retrySpec === 'string'
            ? x.used('retries', retrySpec, `${where}/catch/retry`)
            : (retrySpec as JsonObject),
        )
  const firstAt = Date.now()
  for (let attempt = 1; ; attempt++) {
    try {
      const key = attempt === 1 ? `${t.step.key}/try` : `${t.step.key}/try@${attempt}`
      const r = await x.runList(t.task['try'], t.input, t.frame, `${where}/try`, key)
      return r.flow === 'end' ? { output: r.output, next: 'end' } : { output: r.output }
    } catch (err) {
      if (!(err instanceof WorkflowFault)) throw err
      const error = err.error
      const frame: Frame = { ...t.frame, vars: { ...t.frame.vars, [as]: error as JsonObject } }
      if (!caught(x, error, filter, c, frame, t.input, where)) throw err
      if (policy && attempt < policy.maxAttempts && retryAllowed(x, policy, frame, t.input, where)) {
        const waitMs = retryDelayMs(policy, attempt)
        if (Date.now() + waitMs - firstAt <= policy.maxDurationMs) {
          await x.host.sleep(Date.now() + waitMs, t.frame.signal).catch(() => {
            throw abortError(t.frame.signal)
          })
          continue
        }
      }
      if (c['do'] === undefined) return { output: t.input }
      const r = await x.runList(c['do'], t.input, frame, `${where}/catch/do`, `${t.step.key}/catch`)
      return r.flow === 'end' ? { output: r.output, next: 'end' } : { output: r.output }
    }
  }
}

function caught(
  x: Interpreter,
  error: DslError,
  filter: JsonObject | undefined,
  c: JsonObject,
  frame: Frame,
  input: Json,
  where: string,
): boolean {
  if (!errorMatches(error, filter)) return false
  if (c['when'] !== undefined && !truthy(x.evalExpr(c['when'], input, frame, input, `${where}/catch/when`)))
    return false
  if (
    c['exceptWhen'] !== undefined &&
    truthy(x.evalExpr(c['exceptWhen'], input, frame, input, `${where}/catch/exceptWhen`))
  )
    return false
  return true
}

function retryAllowed(
  x: Interpreter,
  p: ReturnType<typeof retryPolicyOf>,
  frame: Frame,
  input: Json,
  where: string,
): boolean {
  if (p.when !== undefined && !truthy(x.evalExpr(p.when, input, frame, input, `${where}/catch/retry/when`)))
    return false
  if (
    p.exceptWhen !== undefined &&
    truthy(x.evalExpr(p.exceptWhen, input, frame, input, `${where}/catch/retry/exceptWhen`))
  )
    return false
  return true
}

const raise: TaskExecutor = async (x, t) => {
  const where = t.step.position
  const spec = ((t.task['raise'] ?? {}) as JsonObject)['error']
  const declared =
    typeof spec === 'string' ? x.used('errors', spec, `${where}/raise/error`) : ((spec ?? {}) as JsonObject)
  const e = x.eval(declared, t.input, t.frame, t.input, `${where}/raise/error`) as JsonObject
  const type = typeof e['type'] === 'string' ? e['type'] : `${ERROR_TYPE_BASE}runtime`
  throw new WorkflowFault({
    ...e,
    type,
    status: typeof e['status'] === 'number' ? e['status'] : 500,
    ...(typeof e['title'] === 'string' ? { title: e['title'] } : {}),
    ...(typeof e['detail'] === 'string' ? { detail: e['detail'] } : {}),
    instance: typeof e['instance'] === 'string' ? e['instance'] : where,
  })
}

export const controlTasks: Record<string, TaskExecutor> = {
  set,
  do: doTask,
  switch: switchTask,
  for: forTask,
  fork,
  try: tryTask,
  raise,
}
