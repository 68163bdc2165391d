// Runtime expressions of the Serverless Workflow DSL: jq programs, written `${ … }` in the
// definition. PLACEHOLDER API (the jq helper replaces the internals, keeps the exports).
import jq from '@michaelhomer/jqjs'
import type { Json } from '../storage/storage.ts'

/** Variables an expression sees, named without the `$` (`input`, `context`, `secret`, loop variables). */
export type ExpressionScope = Record<string, Json>

export class ExpressionError extends Error {
  constructor(
    readonly expression: string,
    message: string,
    readonly position?: number,
  ) {
    super(message)
    this.name = 'ExpressionError'
  }
}

/** True when `v` is a runtime expression (`${ … }`). */
export function isExpression(v: unknown): v is string {
  return typeof v === 'string' && v.trimStart().startsWith('${') && v.trimEnd().endsWith('}')
}

/** Evaluates one expression (`${ … }` or a bare jq program) against `data` with `scope` bound. */
export function evaluate(expr: string, data: Json, scope: ExpressionScope): Json {
  const program = isExpression(expr) ? expr.trim().slice(2, -1) : expr
  const names = Object.keys(scope)
  const wrapped = `${names.map((n, i) => `.[1][${i}] as $${n} | `).join('')}.[0] | (${program})`
  try {
    const f = jq.compile(wrapped)
    for (const out of f([data, names.map((n) => scope[n])])) return out as Json
    return null
  } catch (err) {
    throw new ExpressionError(expr, err instanceof Error ? err.message : String(err))
  }
}

/** Evaluates every expression inside `value` (strings that are expressions; objects and arrays walked). */
export function evaluateDeep(value: Json, data: Json, scope: ExpressionScope): Json {
  if (isExpression(value)) return evaluate(value, data, scope)
  if (Array.isArray(value)) return value.map((v) => evaluateDeep(v, data, scope))
  if (value && typeof value === 'object') {
    const out: Record<string, Json> = {}
    for (const [k, v] of Object.entries(value)) out[k] = evaluateDeep(v as Json, data, scope)
    return out
  }
  return value
}
