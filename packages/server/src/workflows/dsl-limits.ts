// Limits on a workflow definition, against hostile or runaway input. The numbers are exported
// for the docs (docs/workflows.md quotes them) and checked before anything walks the document.
import { isObject, walkTasks } from './dsl-tasks.ts'

export const WORKFLOW_DEFINITION_LIMITS = {
  /** Size of the definition text (UTF-8 bytes). */
  maxBytes: 512 * 1024,
  /** Nesting of YAML/JSON values (maps and lists inside each other). */
  maxValueDepth: 64,
  /** Tasks in the whole definition, nested ones and use.functions included. */
  maxTasks: 1000,
  /** Nesting of task lists (a `do` inside a `for` inside a `try` … is 3). */
  maxTaskDepth: 16,
  /** YAML alias expansions (`*anchor`), against "billion laughs". */
  maxAliases: 100,
  /** Problems listed in details.errors (the message says how many there were in all). */
  maxReportedProblems: 100,
  /** Largest `metadata.concurrency` of a for task. */
  maxForConcurrency: 64,
} as const

export interface LimitBreach {
  limit: keyof typeof WORKFLOW_DEFINITION_LIMITS
  max: number
  actual: number
  path: string
  message: string
}

/**
 * The deepest nesting of flow brackets (`[`, `{`) in the raw text, skipping quoted strings and
 * comments. The YAML parser recurses per level, so a hostile `[[[[…` must be refused before it
 * parses (a plain scalar may hold a stray bracket, hence a margin over maxValueDepth).
 */
export function flowDepth(text: string, stopAt: number): number {
  let depth = 0
  let deepest = 0
  let quote = ''
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]
    if (quote) {
      if (ch === quote) quote = ''
      else if (ch === '\\' && quote === '"') i++
      else if (ch === '\n' && quote === "'") quote = ''
      continue
    }
    if (ch === '"' || ch === "'") quote = ch
    else if (ch === '#' && (i === 0 || /\s/.test(text[i - 1] ?? ''))) {
      const nl = text.indexOf('\n', i)
      i = nl < 0 ? text.length : nl
    } else if (ch === '[' || ch === '{') {
      depth++
      if (depth > deepest) deepest = depth
      if (deepest > stopAt) return deepest
    } else if ((ch === ']' || ch === '}') && depth > 0) depth--
  }
  return deepest
}

/** The nesting depth of a value, without recursion (a hostile value must not blow the stack). */
export function valueDepth(value: unknown, stopAt: number): number {
  let deepest = 0
  const stack: Array<[unknown, number]> = [[value, 1]]
  while (stack.length > 0) {
    const [v, d] = stack.pop() as [unknown, number]
    if (v === null || typeof v !== 'object') continue
    if (d > deepest) deepest = d
    if (deepest > stopAt) return deepest
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, d + 1])
  }
  return deepest
}

/** The first limit the (parsed) document breaks, if any. Value depth is checked first. */
export function limitBreach(doc: unknown): LimitBreach | undefined {
  const L = WORKFLOW_DEFINITION_LIMITS
  const depth = valueDepth(doc, L.maxValueDepth)
  if (depth > L.maxValueDepth)
    return {
      limit: 'maxValueDepth',
      max: L.maxValueDepth,
      actual: depth,
      path: '/',
      message: `values nest deeper than ${L.maxValueDepth} levels`,
    }
  if (!isObject(doc)) return undefined
  let tasks = 0
  let deepest: { depth: number; path: string } = { depth: 0, path: '/' }
  walkTasks(doc, (v) => {
    tasks++
    if (v.depth > deepest.depth) deepest = { depth: v.depth, path: v.path }
  })
  if (tasks > L.maxTasks)
    return {
      limit: 'maxTasks',
      max: L.maxTasks,
      actual: tasks,
      path: '/do',
      message: `the definition has ${tasks} tasks; at most ${L.maxTasks} are allowed`,
    }
  if (deepest.depth > L.maxTaskDepth)
    return {
      limit: 'maxTaskDepth',
      max: L.maxTaskDepth,
      actual: deepest.depth,
      path: deepest.path,
      message: `task lists nest ${deepest.depth} deep; at most ${L.maxTaskDepth} are allowed`,
    }
  return undefined
}
