// The checks the JSON schema cannot express: the DSL version we read, task kinds, names that must
// exist (flow targets, functions, reusable errors/retries/timeouts/authentications, secrets),
// duplicate task names, our `call: periodic` arguments and for-loop concurrency bound, durations
// with a fixed length, the cron text. Each problem names its JSON pointer.
import type { JsonObject } from '../storage/storage.ts'
import { WORKFLOW_DEFINITION_LIMITS } from './dsl-limits.ts'
import { durationMs, toEngineCron } from './dsl-schedule.ts'
import type { DefinitionProblem } from './dsl-schema-errors.ts'
import { isObject, pointer, TASK_KINDS, type TaskVisit, walkTasks } from './dsl-tasks.ts'

/** DSL versions read: 1.0.x (patch releases of 1.0 only add to it). */
export const DSL_VERSION = /^1\.0\.\d+$/
const TOP_LEVEL = ['document', 'input', 'use', 'do', 'timeout', 'output', 'schedule', 'evaluate']
const DIRECTIVES = ['continue', 'exit', 'end']
const BUILTIN_CALLS = ['http', 'openapi', 'grpc', 'asyncapi', 'mcp', 'a2a']
/** Our own call: an element of the circle or an engine function, `with: {target, input}`. */
export const PERIODIC_CALL = 'periodic'
const KIND_LIST = [...TASK_KINDS].sort().join(', ')

type Problems = DefinitionProblem[]

function named(use: JsonObject, key: string): JsonObject {
  return isObject(use[key]) ? (use[key] as JsonObject) : {}
}

function checkDuration(v: unknown, path: string, out: Problems): void {
  if (
    typeof v === 'string' &&
    /^P/.test(v) &&
    durationMs(v) === undefined &&
    /[YM]/.test(v.split('T')[0] ?? '')
  )
    out.push({ path, message: 'durations in years or months have no fixed length; use days, weeks or less' })
}

function checkRetry(retry: unknown, path: string, out: Problems): void {
  if (!isObject(retry)) return
  checkDuration(retry.delay, pointer(path, 'delay'), out)
  if (isObject(retry.limit)) {
    checkDuration(retry.limit.duration, pointer(path, 'limit', 'duration'), out)
    if (isObject(retry.limit.attempt))
      checkDuration(retry.limit.attempt.duration, pointer(path, 'limit', 'attempt', 'duration'), out)
  }
  if (isObject(retry.jitter)) {
    checkDuration(retry.jitter.from, pointer(path, 'jitter', 'from'), out)
    checkDuration(retry.jitter.to, pointer(path, 'jitter', 'to'), out)
  }
}

function checkTimeout(t: unknown, path: string, use: JsonObject, out: Problems): void {
  if (typeof t === 'string' && !Object.hasOwn(named(use, 'timeouts'), t))
    out.push({ path, message: `no timeout named '${t}' in use.timeouts` })
  if (isObject(t)) checkDuration(t.after, pointer(path, 'after'), out)
}

function checkAuth(policy: unknown, path: string, use: JsonObject, out: Problems): void {
  if (!isObject(policy)) return
  if (typeof policy.use === 'string' && !Object.hasOwn(named(use, 'authentications'), policy.use))
    out.push({
      path: pointer(path, 'use'),
      message: `no authentication named '${policy.use}' in use.authentications`,
    })
  const secrets = Array.isArray(use.secrets) ? use.secrets : []
  for (const [scheme, v] of Object.entries(policy))
    if (isObject(v) && typeof v.use === 'string' && !secrets.includes(v.use))
      out.push({
        path: pointer(path, scheme, 'use'),
        message: `secret '${v.use}' is not declared in use.secrets`,
      })
}

function checkFlow(target: unknown, path: string, siblings: Set<string> | undefined, out: Problems) {
  if (typeof target !== 'string' || DIRECTIVES.includes(target)) return
  if (!siblings)
    out.push({ path, message: `a function cannot jump to '${target}': use continue, exit or end` })
  else if (!siblings.has(target))
    out.push({
      path,
      message: `no task named '${target}' in this task list (then must name a sibling task, or be continue, exit or end)`,
    })
}

function checkCall(v: TaskVisit, use: JsonObject, out: Problems): void {
  const call = v.task.call
  if (typeof call !== 'string' || BUILTIN_CALLS.includes(call)) return
  if (call === PERIODIC_CALL) {
    const args = v.task.with
    const at = pointer(v.path, 'with')
    if (!isObject(args) || typeof args.target !== 'string' || args.target.trim() === '')
      out.push({
        path: pointer(at, 'target'),
        message: "call: periodic needs with.target: '<circle>/<element path>' or an engine function id",
      })
    else
      for (const key of Object.keys(args))
        if (key !== 'target' && key !== 'input')
          out.push({
            path: pointer(at, key),
            message: `unknown property '${key}' (call: periodic takes with.target and with.input)`,
          })
    return
  }
  if (call.includes('@') || call.includes('://')) return // refused as a feature
  if (!Object.hasOwn(named(use, 'functions'), call))
    out.push({
      path: pointer(v.path, 'call'),
      message: `'${call}' is not a declared function: declare it in use.functions, or use call: http, openapi or periodic`,
    })
}

function checkFor(task: JsonObject, path: string, out: Problems): void {
  const c = isObject(task.metadata) ? task.metadata.concurrency : undefined
  if (c === undefined) return
  const max = WORKFLOW_DEFINITION_LIMITS.maxForConcurrency
  const at = pointer(path, 'metadata', 'concurrency')
  if (typeof c !== 'number' || !Number.isInteger(c) || c < 1 || c > max)
    out.push({ path: at, message: `must be an integer from 1 to ${max}` })
  else if (c > 1 && 'while' in task)
    out.push({
      path: at,
      message: 'a for task with while runs its iterations one at a time; drop while or concurrency',
    })
}

function checkTask(v: TaskVisit, lists: Map<string, Set<string>>, use: JsonObject, out: Problems) {
  const siblings = v.listPath === '/use/functions' ? undefined : lists.get(v.listPath)
  const t = v.task
  if (!v.kind) {
    out.push({ path: v.path, message: `unknown task type: expected one of ${KIND_LIST}` })
    return
  }
  checkFlow(t.then, pointer(v.path, 'then'), siblings, out)
  checkTimeout(t.timeout, pointer(v.path, 'timeout'), use, out)
  if (v.kind === 'switch' && Array.isArray(t.switch))
    t.switch.forEach((item, i) => {
      if (isObject(item))
        for (const [name, c] of Object.entries(item))
          if (isObject(c)) checkFlow(c.then, pointer(v.path, 'switch', i, name, 'then'), siblings, out)
    })
  if (v.kind === 'call') {
    checkCall(v, use, out)
    const args = isObject(t.with) ? t.with : {}
    if (t.call === 'http' && isObject(args.endpoint))
      checkAuth(args.endpoint.authentication, pointer(v.path, 'with', 'endpoint', 'authentication'), use, out)
    if (t.call === 'openapi')
      checkAuth(args.authentication, pointer(v.path, 'with', 'authentication'), use, out)
  }
  if (v.kind === 'raise' && isObject(t.raise) && typeof t.raise.error === 'string')
    if (!Object.hasOwn(named(use, 'errors'), t.raise.error))
      out.push({
        path: pointer(v.path, 'raise', 'error'),
        message: `no error named '${t.raise.error}' in use.errors`,
      })
  if (v.kind === 'try' && isObject(t.catch)) {
    const retry = t.catch.retry
    if (typeof retry === 'string' && !Object.hasOwn(named(use, 'retries'), retry))
      out.push({
        path: pointer(v.path, 'catch', 'retry'),
        message: `no retry policy named '${retry}' in use.retries`,
      })
    checkRetry(retry, pointer(v.path, 'catch', 'retry'), out)
  }
  if (v.kind === 'wait') checkDuration(t.wait, pointer(v.path, 'wait'), out)
  if (v.kind === 'for') checkFor(t, v.path, out)
}

/** Function → the function it calls, for the cycle check. */
function functionCycles(use: JsonObject, out: Problems): void {
  const fns = named(use, 'functions')
  for (const start of Object.keys(fns)) {
    const seen = [start]
    let cur: unknown = fns[start]
    while (isObject(cur) && typeof cur.call === 'string' && Object.hasOwn(fns, cur.call)) {
      if (cur.call === start) {
        out.push({
          path: pointer('/use/functions', start),
          message: `function '${start}' calls itself (${[...seen, start].join(' → ')})`,
        })
        break
      }
      if (seen.includes(cur.call)) break
      seen.push(cur.call)
      cur = fns[cur.call]
    }
  }
}

function checkSchedule(s: unknown, out: Problems): void {
  if (!isObject(s)) return
  const set = ['every', 'cron', 'after', 'on'].filter((k) => k in s)
  if (set.length > 1)
    out.push({
      path: '/schedule',
      message: `a schedule has one of every, cron, after or on; this one has ${set.join(', ')}`,
    })
  checkDuration(s.every, '/schedule/every', out)
  checkDuration(s.after, '/schedule/after', out)
  if (typeof s.cron === 'string')
    try {
      toEngineCron(s.cron)
    } catch (err) {
      out.push({ path: '/schedule/cron', message: err instanceof Error ? err.message : String(err) })
    }
}

/** Every problem of this kind in the document (it need not be schema-valid). */
export function referenceProblems(doc: JsonObject): DefinitionProblem[] {
  const out: Problems = []
  const dsl = isObject(doc.document) ? doc.document.dsl : undefined
  if (typeof dsl === 'string' && !DSL_VERSION.test(dsl))
    out.push({
      path: '/document/dsl',
      message: `unsupported DSL version '${dsl}': Periodic reads Serverless Workflow DSL 1.0.x`,
    })
  for (const key of Object.keys(doc))
    if (!TOP_LEVEL.includes(key)) out.push({ path: pointer('', key), message: `unknown property '${key}'` })
  if ('evaluate' in doc) {
    const e = doc.evaluate
    if (!isObject(e))
      out.push({ path: '/evaluate', message: 'must be an object ({ language: jq, mode: strict })' })
    else
      for (const key of Object.keys(e))
        if (key !== 'language' && key !== 'mode')
          out.push({ path: pointer('/evaluate', key), message: `unknown property '${key}'` })
  }
  const use = isObject(doc.use) ? doc.use : {}
  if (PERIODIC_CALL in named(use, 'functions'))
    out.push({
      path: '/use/functions/periodic',
      message: "the function name 'periodic' is reserved for Periodic's own call",
    })
  const lists = new Map<string, Set<string>>()
  const firstAt = new Map<string, string>()
  const visits: TaskVisit[] = []
  walkTasks(doc, (v) => {
    visits.push(v)
    if (v.listPath === '/use/functions') return
    const names = lists.get(v.listPath) ?? new Set<string>()
    const key = `${v.listPath}\n${v.name}`
    if (names.has(v.name))
      out.push({ path: v.path, message: `duplicate task name '${v.name}' (first at ${firstAt.get(key)})` })
    else firstAt.set(key, v.path)
    names.add(v.name)
    lists.set(v.listPath, names)
  })
  for (const v of visits) checkTask(v, lists, use, out)
  functionCycles(use, out)
  checkTimeout(doc.timeout, '/timeout', use, out)
  for (const [name, t] of Object.entries(named(use, 'timeouts')))
    checkTimeout(t, pointer('/use/timeouts', name), use, out)
  for (const [name, r] of Object.entries(named(use, 'retries')))
    checkRetry(r, pointer('/use/retries', name), out)
  for (const [name, p] of Object.entries(named(use, 'authentications')))
    checkAuth(p, pointer('/use/authentications', name), use, out)
  checkSchedule(doc.schedule, out)
  return out
}
