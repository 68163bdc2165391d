// The task kinds with effects outside the run, each through the host: wait, emit, listen,
// call (http, openapi, periodic, functions of `use.functions`) and run (workflow, script).
import { randomUUID } from 'node:crypto'
import type { Json, JsonObject } from '../storage/storage.ts'
import { authenticationOf } from './dsl-auth.ts'
import { fault } from './dsl-faults.ts'
import { durationMs } from './dsl-schedule.ts'
import { eventMatches } from './event-filters.ts'
import { openApiCall } from './openapi-call.ts'
import { abortError, type Interpreter, type TaskCall, type TaskExecutor, truthy } from './task-types.ts'
import type { CloudEvent, HttpCall } from './workflow-host.ts'

const wait: TaskExecutor = async (x, t) => {
  const spec = x.eval(t.task['wait'] ?? null, t.input, t.frame, t.input, `${t.step.position}/wait`)
  const ms = durationMs(spec)
  if (ms === undefined)
    throw fault('validation', 'wait needs a duration (ISO 8601 or {seconds: …})', t.step.position)
  const wakeAt = t.prior?.wake_at ? Date.parse(t.prior.wake_at) : Date.now() + ms
  if (!t.prior?.wake_at)
    await x.host.record(runningStep(t, { wake_at: new Date(wakeAt).toISOString() }), true)
  await x.host.sleep(wakeAt, t.frame.signal).catch(() => {
    throw abortError(t.frame.signal)
  })
  return { output: t.input }
}

/** The running record of a step, with what a resumed run needs (a wake time). */
function runningStep(t: TaskCall, extra: JsonObject) {
  return {
    key: t.step.key,
    name: t.name,
    position: t.step.position,
    kind: 'wait',
    status: 'running' as const,
    input: t.input,
    output: null,
    error: null,
    attempts: 1,
    started_at: t.prior?.started_at ?? new Date().toISOString(),
    completed_at: null,
    duration_ms: null,
    ...extra,
  }
}

const emit: TaskExecutor = async (x, t) => {
  const spec = ((t.task['emit'] ?? {}) as JsonObject)['event'] as JsonObject | undefined
  const attrs = x.eval(
    (spec?.['with'] ?? {}) as Json,
    t.input,
    t.frame,
    t.input,
    `${t.step.position}/emit`,
  ) as JsonObject
  if (typeof attrs['type'] !== 'string' || typeof attrs['source'] !== 'string')
    throw fault('validation', 'an emitted event needs a string type and source', t.step.position)
  const event: CloudEvent = {
    ...attrs,
    specversion: '1.0',
    id: typeof attrs['id'] === 'string' ? attrs['id'] : randomUUID(),
    source: attrs['source'],
    type: attrs['type'],
    time: typeof attrs['time'] === 'string' ? attrs['time'] : new Date().toISOString(),
  }
  await x.host.emit(t.step, event)
  return { output: t.input }
}

const listen: TaskExecutor = async (x, t) => {
  const spec = (t.task['listen'] ?? {}) as JsonObject
  const to = (spec['to'] ?? {}) as JsonObject
  const mode = 'all' in to ? 'all' : 'any' in to ? 'any' : 'one'
  const raw = mode === 'one' ? [to['one']] : ((to[mode] ?? []) as Json[])
  // Filters are matched against each event (their expressions see the event's attribute).
  const filters = raw.map((f) => ((f as JsonObject | null)?.['with'] ?? {}) as JsonObject)
  const since = t.prior?.started_at ?? new Date().toISOString()
  const wait: Waiter = (fs, m, exclude) =>
    x.host.listen(t.step, fs, m, since, t.frame.signal, exclude).catch((err) => {
      if (t.frame.signal.aborted) throw abortError(t.frame.signal)
      throw err
    })
  const until = to['until']
  const events =
    until === undefined || until === null || mode === 'all'
      ? await wait(filters, mode)
      : await listenUntil(x, t, filters, until, wait)
  const read = typeof spec['read'] === 'string' ? spec['read'] : 'data'
  return { output: read === 'envelope' ? (events as Json) : events.map((e) => e['data'] ?? null) }
}

type Waiter = (
  fs: JsonObject[],
  m: 'one' | 'any' | 'all',
  exclude?: ReadonlySet<string>,
) => Promise<CloudEvent[]>

/** `any` … `until`: consumes matching events one by one until the condition holds (or its event comes). */
async function listenUntil(
  x: Interpreter,
  t: TaskCall,
  filters: JsonObject[],
  until: Json,
  wait: Waiter,
): Promise<CloudEvent[]> {
  const strategy = until && typeof until === 'object' && !Array.isArray(until) ? until : undefined
  const stopList = strategy
    ? ((strategy['one'] ? [strategy['one']] : (strategy['any'] ?? strategy['all'] ?? [])) as Json[])
    : []
  const stopFilters = stopList.map((f) => ((f as JsonObject | null)?.['with'] ?? {}) as JsonObject)
  const consumed: CloudEvent[] = []
  const seen = new Set<string>()
  for (let n = 0; n < x.limits.maxIterations; n++) {
    const [e] = await wait(filters.length ? [...filters, ...stopFilters] : [], 'any', seen)
    if (!e) continue
    seen.add(e.id)
    if (stopFilters.some((f) => eventMatches(e, f))) return consumed
    consumed.push(e)
    if (typeof until === 'string') {
      const data = consumed.map((c) => c['data'] ?? null) as Json
      if (truthy(x.evalExpr(until, data, t.frame, t.input, `${t.step.position}/listen/to/until`)))
        return consumed
    }
  }
  throw fault(
    'runtime',
    `listen consumed ${x.limits.maxIterations} events without meeting its until`,
    t.step.position,
  )
}

const call: TaskExecutor = async (x, t) => {
  const fn = String(t.task['call'])
  const where = t.step.position
  const args = x.eval(
    (t.task['with'] ?? {}) as Json,
    t.input,
    t.frame,
    t.input,
    `${where}/with`,
  ) as JsonObject
  if (fn === 'periodic') {
    const target = args['target']
    if (typeof target !== 'string' || !target)
      throw fault(
        'validation',
        'call: periodic needs with.target (an element path or engine function id)',
        where,
      )
    const op = typeof args['operation'] === 'string' ? args['operation'] : undefined
    const input = (args['input'] ?? t.input) as Json
    const result = await x.host.callPeriodic(t.step, target, input, op, t.frame.signal)
    return { output: withStepResult(t, result) }
  }
  if (fn === 'http' || fn === 'openapi') {
    const auth = authorization(
      x,
      t,
      fn === 'http'
        ? ((args['endpoint'] as JsonObject | null)?.['authentication'] ?? undefined)
        : args['authentication'],
    )
    if (fn === 'openapi') return { output: await openApiCall(x, t, args, auth) }
    const req = httpCallOf(args, t.input, where)
    if (auth) req.headers['authorization'] = auth
    return { output: await x.host.callHttp(t.step, req, t.frame.signal) }
  }
  // A function of `use.functions`: a task definition run with the arguments as its input.
  const def = x.used('functions', fn, `${where}/call`)
  const r = await x.runTask(fn, def, args, `/use/functions/${fn}`, `${t.step.key}/fn`, t.frame)
  return { output: r.output }
}

/**
 * What `call: periodic` hands on: the task's input with the run's output added under the task's
 * name, so later tasks address every step's result (`.parse.lines`), as a flow's steps are in
 * Windmill or Trigger.dev. `output.as` reshapes it as usual (`output: { as: .parse }`).
 */
export function withStepResult(t: TaskCall, result: Json): Json {
  const base = t.input && typeof t.input === 'object' && !Array.isArray(t.input) ? t.input : {}
  return { ...base, [t.name]: result }
}

/** The Authorization header of a call's basic or bearer policy (inline, named, or from a secret). */
function authorization(x: Interpreter, t: TaskCall, policy: Json | undefined): string | undefined {
  const auth = authenticationOf(x.doc, policy)
  if (!auth) return undefined
  const where = `${t.step.position}/with`
  const text = (v: Json | undefined) => String(x.eval(v ?? '', t.input, t.frame, t.input, where) ?? '')
  let fields: JsonObject
  if ('secret' in auth) {
    const secrets = (x.scope(t.frame, t.input)['secret'] ?? {}) as JsonObject
    const held = secrets[auth.secret]
    fields =
      held && typeof held === 'object' && !Array.isArray(held)
        ? held
        : { token: held ?? '', password: held ?? '' }
  } else fields = auth as unknown as JsonObject
  if (auth.scheme === 'bearer') return `Bearer ${text(fields['token'])}`
  return `Basic ${Buffer.from(`${text(fields['username'])}:${text(fields['password'])}`).toString('base64')}`
}

/** The HTTP request a `call: http` describes; `{name}` in the URI is filled from the input. */
export function httpCallOf(args: JsonObject, input: Json, where: string): HttpCall {
  const endpoint = args['endpoint']
  const uri =
    typeof endpoint === 'string'
      ? endpoint
      : ((endpoint as JsonObject | undefined)?.['uri'] as string | undefined)
  if (typeof uri !== 'string') throw fault('validation', 'call: http needs with.endpoint', where)
  const filled = uri.replace(/\{([A-Za-z_][\w]*)\}/g, (_, name: string) => {
    const v = input && typeof input === 'object' && !Array.isArray(input) ? input[name] : undefined
    return encodeURIComponent(v === undefined || v === null ? '' : String(v))
  })
  const strings = (o: Json | undefined) =>
    Object.fromEntries(
      Object.entries((o ?? {}) as JsonObject).map(([k, v]) => [
        k,
        typeof v === 'string' ? v : JSON.stringify(v),
      ]),
    )
  return {
    method: String(args['method'] ?? 'get').toUpperCase(),
    url: filled,
    headers: strings(args['headers']),
    query: strings(args['query']),
    ...(args['body'] !== undefined ? { body: args['body'] } : {}),
    output: typeof args['output'] === 'string' ? args['output'] : 'content',
    redirect: args['redirect'] === true,
  }
}

const run: TaskExecutor = async (x, t) => {
  const spec = (t.task['run'] ?? {}) as JsonObject
  const where = `${t.step.position}/run`
  const awaited = spec['await'] !== false
  if (spec['workflow'] !== undefined) {
    const w = x.eval(spec['workflow'], t.input, t.frame, t.input, `${where}/workflow`) as JsonObject
    if (typeof w['name'] !== 'string') throw fault('validation', 'run: workflow needs a name', where)
    const ref = {
      name: w['name'],
      ...(typeof w['namespace'] === 'string' ? { namespace: w['namespace'] } : {}),
      ...(typeof w['version'] === 'string' ? { version: w['version'] } : {}),
    }
    const input = (w['input'] ?? t.input) as Json
    const out = await x.host.runWorkflow(t.step, ref, input, awaited, t.frame.signal)
    return { output: awaited ? out : t.input }
  }
  if (spec['script'] !== undefined) {
    const script = spec['script'] as JsonObject
    const args = x.eval(
      (script['arguments'] ?? {}) as Json,
      t.input,
      t.frame,
      t.input,
      `${where}/script/arguments`,
    )
    const env = x.eval(
      (script['environment'] ?? {}) as Json,
      t.input,
      t.frame,
      t.input,
      `${where}/script/environment`,
    )
    const out = await x.host.runScript(
      t.step,
      { ...script, arguments: args, environment: env },
      t.input,
      t.frame.signal,
    )
    return { output: awaited ? out : t.input }
  }
  throw fault('configuration', 'run supports workflow and script (python)', where)
}

export const effectTasks: Record<string, TaskExecutor> = { wait, emit, listen, call, run }
