// The task graph of a workflow definition, built in the browser: the DSL document (YAML or JSON
// text, parsed with the `yaml` package loaded on demand) becomes a tree of task nodes, each with
// the same position the interpreter records on its steps (`/do/1/checkTotals/do/0/check`), so a
// run's steps (GET /api/v1/runs/{id}/steps) can be laid over the nodes by position.
import type { RunStep } from '@periodic/sdk'

export const TASK_KINDS = [
  'call',
  'for',
  'do',
  'emit',
  'fork',
  'listen',
  'raise',
  'run',
  'set',
  'switch',
  'try',
  'wait',
] as const

/** A list of tasks nested in a task (a `do`, a `for` body, `try`, `catch.do`, fork branches). */
export interface TaskLane {
  label: string
  nodes: TaskNode[]
}

export interface TaskNode {
  name: string
  kind: string
  /** The interpreter's position of the task: `/do/<i>/<name>` and so on. */
  position: string
  /** A one-line summary of what the task does (`call periodic acme/parse`, `for line in …`). */
  summary: string
  /** `then:` (a jump to another task of the same list, `end`, `exit`). */
  next: string | null
  /** Switch cases: name, condition, where they go. */
  cases: Array<{ name: string; when: string | null; next: string }>
  /** `if:` condition (the task is skipped when false). */
  condition: string | null
  lanes: TaskLane[]
}

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Parses YAML or JSON text into the document (throws with the parser's message). */
export async function parseDefinitionText(text: string): Promise<unknown> {
  const { parse } = await import('yaml')
  return parse(text)
}

/** The definition text inside whatever a run's definition snapshot holds. */
export function definitionTextOf(snapshot: unknown): string | null {
  if (typeof snapshot === 'string') return snapshot
  if (isObj(snapshot) && typeof snapshot['definition'] === 'string') return snapshot['definition']
  return null
}

function kindOf(task: Obj): string {
  return TASK_KINDS.find((k) => k in task) ?? 'unknown'
}

function short(v: unknown, max = 60): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v)
  if (s === undefined) return ''
  return s.length > max ? `${s.slice(0, max - 1)}…` : s
}

function summaryOf(kind: string, task: Obj): string {
  const spec = task[kind]
  switch (kind) {
    case 'call': {
      const w = isObj(task['with']) ? task['with'] : {}
      const where =
        w['target'] ?? w['endpoint'] ?? (isObj(w['document']) ? w['document']['endpoint'] : undefined)
      const method = typeof w['method'] === 'string' ? `${w['method'].toUpperCase()} ` : ''
      return `${short(spec)}${where !== undefined ? ` → ${method}${short(where, 48)}` : ''}`
    }
    case 'for': {
      const f = isObj(spec) ? spec : {}
      return `each ${short(f['each'] ?? 'item')} in ${short(f['in'] ?? '', 44)}`
    }
    case 'wait':
      return isObj(spec)
        ? Object.entries(spec)
            .map(([k, v]) => `${v} ${k}`)
            .join(' ')
        : short(spec)
    case 'raise': {
      const e = isObj(spec) ? spec['error'] : undefined
      return isObj(e) ? short(e['title'] ?? e['type'] ?? e['detail'] ?? '') : short(e ?? '')
    }
    case 'run':
      return isObj(spec) ? (Object.keys(spec).filter((k) => k !== 'await')[0] ?? '') : ''
    case 'set':
      return isObj(spec) ? `sets ${Object.keys(spec).slice(0, 4).join(', ')}` : short(spec)
    case 'emit': {
      const ev = isObj(spec) && isObj(spec['event']) ? spec['event'] : {}
      const w = isObj(ev['with']) ? ev['with'] : {}
      return short(w['type'] ?? '')
    }
    case 'listen':
      return isObj(spec) && isObj(spec['to']) ? Object.keys(spec['to']).join(', ') : ''
    case 'fork':
      return isObj(spec) && spec['compete'] === true ? 'branches compete' : 'branches in parallel'
    default:
      return ''
  }
}

/** [{name, task}] of a task list; malformed items are skipped as the server would refuse them. */
function entriesOf(list: unknown): Array<{ name: string; task: Obj }> {
  if (!Array.isArray(list)) return []
  const out: Array<{ name: string; task: Obj }> = []
  for (const item of list) {
    if (!isObj(item)) continue
    const keys = Object.keys(item)
    const task = keys.length === 1 ? item[keys[0]!] : undefined
    if (isObj(task)) out.push({ name: keys[0]!, task })
  }
  return out
}

function nodeOf(name: string, task: Obj, position: string): TaskNode {
  const kind = kindOf(task)
  const lanes: TaskLane[] = []
  const spec = task[kind]
  if (kind === 'do') lanes.push({ label: 'do', nodes: listOf(task['do'], `${position}/do`) })
  if (kind === 'for') lanes.push({ label: 'each iteration', nodes: listOf(task['do'], `${position}/do`) })
  if (kind === 'try') {
    lanes.push({ label: 'try', nodes: listOf(task['try'], `${position}/try`) })
    const c = isObj(task['catch']) ? task['catch'] : null
    if (c && Array.isArray(c['do']))
      lanes.push({ label: 'catch', nodes: listOf(c['do'], `${position}/catch/do`) })
  }
  if (kind === 'fork' && isObj(spec))
    entriesOf(spec['branches']).forEach(({ name: b, task: t }, i) => {
      lanes.push({ label: `branch ${b}`, nodes: [nodeOf(b, t, `${position}/fork/branches/${i}/${b}`)] })
    })
  const cases =
    kind === 'switch'
      ? entriesOf(spec).map(({ name: c, task: t }) => ({
          name: c,
          when: t['when'] === undefined ? null : short(t['when'], 48),
          next: typeof t['then'] === 'string' ? t['then'] : 'continue',
        }))
      : []
  return {
    name,
    kind,
    position,
    summary: summaryOf(kind, task),
    next: typeof task['then'] === 'string' ? task['then'] : null,
    cases,
    condition: task['if'] === undefined ? null : short(task['if'], 48),
    lanes,
  }
}

function listOf(list: unknown, position: string): TaskNode[] {
  return entriesOf(list).map(({ name, task }, i) => nodeOf(name, task, `${position}/${i}/${name}`))
}

/** The top-level `do` of a parsed document as task nodes. */
export function buildGraph(doc: unknown): TaskNode[] {
  return isObj(doc) ? listOf(doc['do'], '/do') : []
}

/** Every node of the tree, depth first. */
export function allNodes(nodes: TaskNode[]): TaskNode[] {
  return nodes.flatMap((n) => [n, ...n.lanes.flatMap((l) => allNodes(l.nodes))])
}

/** What a node shows of a run: `waiting` is a running `wait`/`listen` (or one with a wake time). */
export type NodeStatus = 'succeeded' | 'failed' | 'running' | 'waiting' | 'skipped' | 'not run'

export const LEGEND: Array<{ status: NodeStatus; meaning: string }> = [
  { status: 'succeeded', meaning: 'finished' },
  { status: 'failed', meaning: 'raised an error' },
  { status: 'running', meaning: 'in progress' },
  { status: 'waiting', meaning: 'waiting for a time or an event' },
  { status: 'skipped', meaning: 'its if: was false' },
  { status: 'not run', meaning: 'not reached' },
]

export interface NodeRun {
  status: NodeStatus
  /** Every step recorded at this position (iterations of a loop, retries), in the order begun. */
  steps: RunStep[]
}

function stepStatus(s: RunStep): NodeStatus {
  if (s.status === 'running' && (s.wake_at || s.kind === 'wait' || s.kind === 'listen')) return 'waiting'
  return s.status
}

/** The steps of a run grouped by position: a node is running while any step is, else its last. */
export function stepsByPosition(steps: RunStep[]): Map<string, NodeRun> {
  const out = new Map<string, NodeRun>()
  for (const s of steps) {
    const entry = out.get(s.position) ?? { status: 'not run' as NodeStatus, steps: [] }
    entry.steps.push(s)
    out.set(s.position, entry)
  }
  for (const entry of out.values()) {
    const live = entry.steps.find((s) => s.status === 'running')
    entry.status = stepStatus(live ?? entry.steps[entry.steps.length - 1]!)
  }
  return out
}
