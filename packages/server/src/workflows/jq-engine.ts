// The jq engine behind runtime expressions: @michaelhomer/jqjs (pure JS, chosen by measurement,
// see /work/notes/jq.md), made fit for user programs: refused `def` (jqjs keeps them global),
// syntax jqjs would silently accept (`.a |`), undefined variables reported, `?` fixed to keep
// nulls, compiled programs cached (bounded LRU), and every run metered (jq-budget.ts).
import jq from '@michaelhomer/jqjs'
import { DEFAULT_JQ_LIMITS, instrumentPrototype, JqLimitError, type JqLimits, metered } from './jq-budget.ts'
import { fixBuiltinCall, fixOpenSliceEnd, isStackOverflow } from './jq-fixes.ts'
import './jq-safety.ts'
import { findFunctionDefinition, offsetOf } from './jq-syntax.ts'

/** A program jqjs refused or that we refuse; `position` is a 0-based offset in the program. */
export class JqCompileError extends Error {
  constructor(
    message: string,
    readonly position?: number,
  ) {
    super(message)
    this.name = 'JqCompileError'
  }
}

/** An error raised while running (type errors, missing functions, exceeded budget). */
export class JqRuntimeError extends Error {
  constructor(
    message: string,
    readonly limit?: JqLimitError['limit'] | 'depth',
  ) {
    super(message)
    this.name = 'JqRuntimeError'
  }
}

interface Node {
  apply(input: unknown, conf: unknown): Iterable<unknown>
}

/** A compiled program: its tree and the variables it reads without binding them itself. */
export interface CompiledJq {
  readonly program: string
  readonly freeVariables: readonly string[]
  /** Variables the program binds itself (`… as $x`, reduce, foreach). */
  readonly boundVariables: ReadonlySet<string>
  readonly root: Node
}

function messageOf(err: unknown): string {
  if (typeof err === 'string') return err
  if (isStackOverflow(err)) return 'recursion too deep for the engine stack'
  if (err instanceof Error) return err.message
  return String(err)
}

// Where jq allows an empty sub-program: `[]` and the omitted ends of a slice (`.[:2]`).
const MAY_BE_EMPTY = new Set(['ArrayNode', 'SliceNode', 'GenericSlice'])

// Walks a jqjs syntax tree: instruments each node class met, corrects some builtin calls, finds empty
// sub-programs (jqjs parses `.a |` and `1 +* 2` without complaint, then yields nothing) and
// the variables read and bound.
function inspect(root: unknown): { empty: boolean; refs: Set<string>; bound: Set<string> } {
  const refs = new Set<string>()
  const bound = new Set<string>()
  const seen = new Set<unknown>()
  let empty = false
  const visit = (v: unknown, parent: string): void => {
    if (v === null || typeof v !== 'object' || seen.has(v)) return
    seen.add(v)
    if (Array.isArray(v)) {
      for (const x of v) visit(x, parent)
      return
    }
    const node = v as Record<string, unknown> & { apply: unknown }
    let name = parent
    if (typeof node.apply === 'function') {
      name = instrumentPrototype(Object.getPrototypeOf(node))
      if (name === 'FilterNode' && node.length === 0) {
        if (!MAY_BE_EMPTY.has(parent)) empty = true
        // An omitted slice end (`.[2:]`, `.[:-1]`): jqjs yields nothing for it, so the slice
        // yields nothing; `undefined` makes JavaScript's slice take the whole side.
        else if (parent !== 'ArrayNode') fixOpenSliceEnd(node)
      }
      if (name === 'FunctionCall') fixBuiltinCall(node)
      if (name === 'VariableReference') refs.add(String(node.name))
      if (name === 'VariableBinding' || name === 'ReduceNode' || name === 'ForeachNode')
        bound.add(String(node.name))
    }
    for (const child of Object.values(node)) visit(child, name)
  }
  visit(root, '')
  return { empty, refs, bound }
}

/** Compiles without the cache. Throws JqCompileError. */
export function compileUncached(program: string): CompiledJq {
  if (program.trim() === '') throw new JqCompileError('empty expression', 0)
  const def = findFunctionDefinition(program)
  if (def >= 0) throw new JqCompileError('function definitions (def) are not supported in expressions', def)
  let root: Node
  try {
    root = jq.compile(program).ast as Node
  } catch (err) {
    const message = messageOf(err)
    const at = /at (\d+):(\d+)/.exec(message)
    throw new JqCompileError(
      `syntax error: ${message}`,
      at ? offsetOf(program, Number(at[1]), Number(at[2])) : undefined,
    )
  }
  const { empty, refs, bound } = inspect(root)
  if (empty) throw new JqCompileError('syntax error: an operand or a pipe stage is missing')
  return { program, root, freeVariables: [...refs].filter((r) => !bound.has(r)), boundVariables: bound }
}

const CACHE_MAX = 1000
const cache = new Map<string, CompiledJq | JqCompileError>()

/**
 * Compiles through a bounded LRU keyed by the program text (variables are bound at run time,
 * so the same text serves every scope). Refusals are cached too.
 */
export function compileJq(program: string): CompiledJq {
  let hit = cache.get(program)
  if (hit !== undefined) {
    cache.delete(program)
  } else {
    try {
      hit = compileUncached(program)
    } catch (err) {
      if (!(err instanceof JqCompileError)) throw err
      hit = err
    }
    if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value as string)
  }
  cache.set(program, hit)
  if (hit instanceof JqCompileError) throw hit
  return hit
}

/** Entries in the compile cache (for tests and the bench). */
export function compileCacheSize(): number {
  return cache.size
}

// jqjs leaves JavaScript values JSON cannot hold (undefined, array holes, NaN, -0): turn them
// into what jq prints (null, null, null, 0; ±Infinity as ±DBL_MAX). In place: only values the
// program built can hold them, the input (JSON) cannot.
function toJson(v: unknown): unknown {
  if (v === undefined) return null
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return null
    if (v === Number.POSITIVE_INFINITY) return Number.MAX_VALUE
    if (v === Number.NEGATIVE_INFINITY) return -Number.MAX_VALUE
    return v === 0 ? 0 : v
  }
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const x = v[i]
      if (x === undefined || typeof x === 'number' || (x !== null && typeof x === 'object')) {
        const y = toJson(x)
        if (!Object.is(x, y)) v[i] = y
      }
    }
  } else if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>
    for (const k in o) {
      const x = o[k]
      if (x === undefined || typeof x === 'number' || (x !== null && typeof x === 'object')) {
        const y = toJson(x)
        if (!Object.is(x, y)) o[k] = y
      }
    }
  }
  return v
}

// jqjs binds `… as $x` by writing conf.variables.x and deletes it afterwards, which would lose
// a scope variable of the same name: then the scope goes one prototype below, where the
// delete uncovers it. Otherwise a plain copy (making an object a prototype costs V8 µs).
function variablesFor(compiled: CompiledJq, variables: Readonly<Record<string, unknown>>): object {
  for (const name of compiled.boundVariables) {
    if (Object.hasOwn(variables, name)) return Object.create(Object.assign(Object.create(null), variables))
  }
  return { ...variables }
}

/**
 * Runs `compiled` on `input` with `variables` (names without `$`) and returns every output.
 * Throws JqRuntimeError (with `limit` set when the budget ran out).
 */
export function runJq(
  compiled: CompiledJq,
  input: unknown,
  variables: Readonly<Record<string, unknown>>,
  limits: JqLimits = DEFAULT_JQ_LIMITS,
): { outputs: unknown[]; steps: number } {
  for (const name of compiled.freeVariables) {
    if (!Object.hasOwn(variables, name)) throw new JqRuntimeError(`$${name} is not defined`)
  }
  const vars = variablesFor(compiled, variables)
  try {
    const { value, steps } = metered(limits, () => {
      const outputs: unknown[] = []
      for (const out of compiled.root.apply(input, { userFuncArgs: {}, variables: vars })) {
        outputs.push(toJson(out))
      }
      return outputs
    })
    return { outputs: value, steps }
  } catch (err) {
    if (err instanceof JqLimitError) throw new JqRuntimeError(err.message, err.limit)
    if (isStackOverflow(err)) throw new JqRuntimeError(messageOf(err), 'depth')
    throw new JqRuntimeError(messageOf(err))
  }
}

// A program with every kind of syntax, so each node class is instrumented before any user
// program runs (classes met later are instrumented when first compiled, see inspect()).
const PROBE = [
  '. as $x | reduce .[] as $i (0; .) | foreach .[] as $j (0; .; .)',
  'if . then . elif . then . else . end',
  '[.[]?, .a, .["a"], .[0], .[1:2], .a[1:], .a[0], .., (1, 2), {a: 1, (.b): 2, c}]',
  '["s\\(.)", @base64 "x\\(.)", @base64, -1, true, null, 1 + 2, 1 - 2, 1 * 2, 1 / 2, 1 % 2]',
  '[1 < 2, 1 > 2, 1 <= 2, 1 >= 2, 1 == 2, 1 != 2, 1 and 2, 1 or 2, 1 // 2, $x, .a[], length]',
  '[.a |= 1, .a = 1, .a += 1, .a -= 1, .a *= 1, .a /= 1, .a %= 1, .a //= 1]',
].join(' | ')

inspect(jq.compile(PROBE).ast)
