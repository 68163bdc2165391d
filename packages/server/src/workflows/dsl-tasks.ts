// Reading the task tree of a DSL document: a task's kind, the entries of a task list (an array
// of single-key maps), and a walk over every task list with its JSON pointer. The walk is
// defensive (it runs before schema validation too, to refuse unsupported features by name), so
// it skips anything that is not shaped like a task rather than trusting the schema.
import type { JsonObject } from '../storage/storage.ts'
import { TASK_KINDS, type TaskKind } from './dsl-schema.ts'

export { TASK_KINDS, type TaskKind }

/** One named task of a task list. */
export interface TaskEntry {
  name: string
  task: JsonObject
}

/** A task met by walkTasks: where it is, its list, how deep (1 = in the top-level `do`). */
export interface TaskVisit extends TaskEntry {
  path: string
  kind: TaskKind | undefined
  listPath: string
  depth: number
}

export function isObject(v: unknown): v is JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

/** RFC 6901 escaping of one pointer segment. */
export function escapePointer(segment: string | number): string {
  return String(segment).replace(/~/g, '~0').replace(/\//g, '~1')
}

export function pointer(base: string, ...segments: Array<string | number>): string {
  return base + segments.map((s) => `/${escapePointer(s)}`).join('')
}

/** The kind of a task, or undefined when it has none of the DSL's task keys. */
export function taskKindOf(task: unknown): TaskKind | undefined {
  if (!isObject(task)) return undefined
  return TASK_KINDS.find((k) => k in task)
}

/** The kind of a (validated) task. Throws for a task of no known kind (it was refused on write). */
export function taskKind(task: JsonObject): TaskKind {
  const kind = taskKindOf(task)
  if (!kind) throw new Error(`not a DSL task: ${Object.keys(task).join(', ')}`)
  return kind
}

/** [{name, task}] of a task list (`do`, `try`, `fork.branches`, …); skips malformed items. */
export function taskEntries(list: unknown): TaskEntry[] {
  if (!Array.isArray(list)) return []
  const out: TaskEntry[] = []
  for (const item of list) {
    if (!isObject(item)) continue
    const keys = Object.keys(item)
    const name = keys[0]
    const task = name === undefined ? undefined : item[name]
    if (keys.length === 1 && name !== undefined && isObject(task)) out.push({ name, task })
  }
  return out
}

/** The task lists nested in one task, each with its path segments relative to the task. */
export function childLists(task: JsonObject): Array<{ list: unknown; at: string[] }> {
  const out: Array<{ list: unknown; at: string[] }> = []
  const kind = taskKindOf(task)
  if (kind === 'do' || kind === 'for') out.push({ list: task.do, at: ['do'] })
  if (kind === 'try') {
    out.push({ list: task.try, at: ['try'] })
    if (isObject(task.catch)) out.push({ list: task.catch.do, at: ['catch', 'do'] })
  }
  if (kind === 'fork' && isObject(task.fork)) out.push({ list: task.fork.branches, at: ['fork', 'branches'] })
  if (kind === 'listen' && isObject(task.foreach)) out.push({ list: task.foreach.do, at: ['foreach', 'do'] })
  if (kind === 'call' && isObject(task.with) && isObject(task.with.subscription)) {
    const each = task.with.subscription.foreach
    if (isObject(each)) out.push({ list: each.do, at: ['with', 'subscription', 'foreach', 'do'] })
  }
  return out
}

/**
 * Visits every task of the document, depth first: the top-level `do` and the tasks declared as
 * functions in `use.functions` (each a one-task "list" at /use/functions/<name>, depth 1).
 */
export function walkTasks(doc: unknown, visit: (v: TaskVisit) => void): void {
  if (!isObject(doc)) return
  const walkList = (list: unknown, listPath: string, depth: number) => {
    if (!Array.isArray(list)) return
    list.forEach((item, i) => {
      if (!isObject(item)) return
      for (const [name, task] of Object.entries(item)) {
        if (!isObject(task)) continue
        walkOne(name, task, pointer(listPath, i, name), listPath, depth)
      }
    })
  }
  const walkOne = (name: string, task: JsonObject, path: string, listPath: string, d: number) => {
    visit({ name, task, path, kind: taskKindOf(task), listPath, depth: d })
    for (const child of childLists(task)) walkList(child.list, pointer(path, ...child.at), d + 1)
  }
  walkList(doc.do, '/do', 1)
  const use = doc.use
  if (isObject(use) && isObject(use.functions)) {
    for (const [name, task] of Object.entries(use.functions)) {
      if (isObject(task)) walkOne(name, task, pointer('/use/functions', name), '/use/functions', 1)
    }
  }
}

/**
 * How many iterations of a `for` task may run at once: `metadata.concurrency` (Periodic's opt-in;
 * the DSL's for has no such field and its schema forbids extra keys there), else 1 — the DSL's
 * own meaning, one iteration after the other.
 */
export function forConcurrency(task: JsonObject): number {
  const c = isObject(task.metadata) ? task.metadata.concurrency : undefined
  return typeof c === 'number' && Number.isInteger(c) && c > 1 ? c : 1
}
