// Runtime expressions of the Serverless Workflow DSL 1.0: jq programs, written `${ … }` in the
// definition (strict mode). Semantics (documented in /work/notes/jq.md):
// - no output → null; one output → that value; several outputs → an array of them, in order
//   (as the reference Java runtime's JQExpression collects them);
// - variables are the scope's names with `$` (`$input`, `$context`, `$item`, …); reading one
//   the scope lacks is an error, as in jq;
// - every evaluation is metered (steps and wall clock, jq-budget.ts), so a hostile program
//   fails with an ExpressionError instead of holding the event loop.
import type { Json } from '../storage/storage.ts'
import { DEFAULT_JQ_LIMITS, type JqLimits } from './jq-budget.ts'
import { type CompiledJq, compileJq, JqCompileError, JqRuntimeError, runJq } from './jq-engine.ts'

/** Variables an expression sees, named without the `$` (`input`, `context`, `secret`, loop variables). */
export type ExpressionScope = Record<string, Json>

/** Why an expression failed: it does not compile, it failed while running, or it ran out of budget. */
export type ExpressionFailure = 'syntax' | 'runtime' | 'limit'

export class ExpressionError extends Error {
  constructor(
    readonly expression: string,
    message: string,
    /** 0-based offset in `expression` (as written, `${` included) where the engine located the error. */
    readonly position?: number,
    readonly failure: ExpressionFailure = 'runtime',
  ) {
    super(message)
    this.name = 'ExpressionError'
  }
}

/** True when `v` is a runtime expression (`${ … }`). */
export function isExpression(v: unknown): v is string {
  return typeof v === 'string' && v.trimStart().startsWith('${') && v.trimEnd().endsWith('}')
}

let limits: JqLimits = DEFAULT_JQ_LIMITS

/** Changes the budget of every later evaluation (defaults: 1,000,000 steps, 1000 ms). */
export function setExpressionLimits(next: Partial<JqLimits>): JqLimits {
  const prev = limits
  limits = { ...limits, ...next }
  return prev
}

/** The budget in force. */
export function expressionLimits(): JqLimits {
  return limits
}

// The jq program of `expr` and where it starts in `expr` (to map positions back).
function programOf(expr: string): { program: string; offset: number } {
  if (!isExpression(expr as unknown)) {
    const lead = expr.length - expr.trimStart().length
    return { program: expr.trim(), offset: lead }
  }
  // Trimmed, so `${.a}` and `${ .a }` share one cache entry; positions stay in `expr`'s terms.
  const inner = expr.slice(expr.indexOf('${') + 2, expr.lastIndexOf('}'))
  const lead = inner.length - inner.trimStart().length
  return { program: inner.trim(), offset: expr.indexOf('${') + 2 + lead }
}

function quote(expr: string): string {
  const s = expr.length > 200 ? `${expr.slice(0, 200)}…` : expr
  return `\`${s}\``
}

function compile(expr: string): { compiled: CompiledJq; offset: number } {
  const { program, offset } = programOf(expr)
  try {
    return { compiled: compileJq(program), offset }
  } catch (err) {
    if (!(err instanceof JqCompileError)) throw err
    const position = err.position === undefined ? undefined : offset + err.position
    const at = position === undefined ? '' : ` (at offset ${position})`
    throw new ExpressionError(expr, `jq error in ${quote(expr)}: ${err.message}${at}`, position, 'syntax')
  }
}

/** Compiles `expr` (cached) and throws ExpressionError if it does not compile: for checks at definition time. */
export function checkExpression(expr: string): void {
  compile(expr)
}

/** Every output of `expr` (no output → []). */
export function evaluateAll(expr: string, data: Json, scope: ExpressionScope): Json[] {
  const { compiled } = compile(expr)
  try {
    return runJq(compiled, data, scope, limits).outputs as Json[]
  } catch (err) {
    if (!(err instanceof JqRuntimeError)) throw err
    const failure = err.limit ? 'limit' : 'runtime'
    throw new ExpressionError(expr, `jq error in ${quote(expr)}: ${err.message}`, undefined, failure)
  }
}

/** Evaluates one expression (`${ … }` or a bare jq program) against `data` with `scope` bound. */
export function evaluate(expr: string, data: Json, scope: ExpressionScope): Json {
  const outputs = evaluateAll(expr, data, scope)
  if (outputs.length === 0) return null
  if (outputs.length === 1) return outputs[0] as Json
  return outputs
}

/**
 * Evaluates a condition (`if`, `when`, `while`): true or false as yielded; null (a missing
 * field, or no output) is false; any other value is an error rather than a guess.
 */
export function evaluateBoolean(expr: string, data: Json, scope: ExpressionScope): boolean {
  const v = evaluate(expr, data, scope)
  if (typeof v === 'boolean') return v
  if (v === null) return false
  const type = Array.isArray(v) ? 'array' : typeof v
  throw new ExpressionError(expr, `jq error in ${quote(expr)}: a condition must yield a boolean, got ${type}`)
}

/** Evaluates every expression inside `value` (strings that are expressions; objects and arrays walked; keys kept). */
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
