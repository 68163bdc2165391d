// Corrections to @michaelhomer/jqjs 1.6.0 where it departs from jq in ways workflow expressions
// hit (each found by the conformance slice, jq-conformance/): JavaScript truthiness in `if` and
// `not` (jq: only false and null are false, so `0` and `""` are true), `!=` inverted at every
// nesting level, `//` keeping null/false, `?` dropping null outputs, `keys`/`tonumber`, and the
// @base64/@base64d/@sh formats. Applied once, to the classes' prototypes and the exported format
// table, or (for builtins, whose table jqjs does not export) to each call node at compile time.
import jq, { formats } from '@michaelhomer/jqjs'
import { budgetTripped, JqLimitError, tick } from './jq-budget.ts'

interface Node {
  apply(input: unknown, conf: unknown): Iterable<unknown>
  paths?(input: unknown, conf: unknown): Iterable<unknown>
}
type Proto = Record<string, unknown> & { constructor: { name: string } }

const truthy = (v: unknown) => v !== false && v !== null

/** JavaScript's stack is jqjs's stack (jq recurses on the heap): running out is an engine limit. */
export function isStackOverflow(err: unknown): boolean {
  return err instanceof RangeError && /call stack/i.test(err.message)
}

// Errors `?` and `//` may swallow: not an exceeded budget, not a stack overflow.
function rethrowIfFatal(err: unknown): void {
  if (err instanceof JqLimitError || budgetTripped() || isStackOverflow(err)) throw err
}

function protoOf(program: string, className: string): Proto {
  const proto = Object.getPrototypeOf(jq.compile(program).ast) as Proto
  if (proto.constructor.name !== className) {
    throw new Error(`jqjs changed: \`${program}\` is a ${proto.constructor.name}, not a ${className}`)
  }
  return proto
}

function fixErrorSuppression(): void {
  const proto = protoOf('.a?', 'ErrorSuppression')
  proto.apply = function* (this: { inner: Node }, input: unknown, conf: unknown) {
    try {
      yield* this.inner.apply(input, conf)
    } catch (err) {
      rethrowIfFatal(err)
    }
  }
  proto.paths = function* (this: { inner: Required<Node> }, input: unknown, conf: unknown) {
    try {
      yield* this.inner.paths(input, conf)
    } catch (err) {
      rethrowIfFatal(err)
    }
  }
}

// jq: every output of a condition picks a branch (`[if 1,null then 3 else 4 end]` is [3,4]).
function fixIf(): void {
  const proto = protoOf('if . then . end', 'IfNode')
  type If = { conditions: Node[]; thens: Node[]; elseBranch?: Node }
  function* branch(node: If, i: number, input: unknown, conf: unknown): Generator<unknown> {
    const cond = node.conditions[i]
    if (cond === undefined) {
      if (node.elseBranch) yield* node.elseBranch.apply(input, conf)
      else yield input
      return
    }
    for (const c of cond.apply(input, conf)) {
      if (truthy(c)) yield* (node.thens[i] as Node).apply(input, conf)
      else yield* branch(node, i + 1, input, conf)
    }
  }
  proto.apply = function (this: If, input: unknown, conf: unknown) {
    return branch(this, 0, input, conf)
  }
}

// jq: `a // b` yields a's outputs that are neither false nor null (errors in a suppressed), else b's.
function fixAlternative(): void {
  const proto = protoOf('. // .', 'AlternativeOperator')
  proto.apply = function* (this: { lhs: Node; rhs: Node }, input: unknown, conf: unknown) {
    let found = false
    try {
      for (const v of this.lhs.apply(input, conf)) {
        if (truthy(v)) {
          found = true
          yield v
        }
      }
    } catch (err) {
      rethrowIfFatal(err)
    }
    if (!found) yield* this.rhs.apply(input, conf)
  }
}

// jqjs's `!=` calls `==`'s comparison, which recurses through `this.combine`, i.e. `!=` again.
function fixNotEquals(): void {
  const eq = protoOf('. == .', 'EqualsOperator')
  const ne = protoOf('. != .', 'NotEqualsOperator')
  const equals = eq.combine as (this: unknown, ...a: unknown[]) => boolean
  const plainEquals = Object.create(eq)
  ne.combine = (...args: unknown[]) => !equals.apply(plainEquals, args)
}

const typeName = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v)

function keysOf(input: unknown, sorted: boolean): unknown[] {
  if (Array.isArray(input)) return input.map((_, i) => i)
  if (input !== null && typeof input === 'object') {
    const keys = Object.keys(input)
    return sorted ? keys.sort() : keys
  }
  throw `${typeName(input)} has no keys`
}

// Zero-argument builtins jqjs gets wrong, as jq has them: `not` (jqjs: JavaScript's `!`),
// `keys` (jqjs yields each key instead of one array, strings for an array's indices),
// `keys_unsorted` (missing), `tonumber` (jqjs: parseFloat, so "12abc" is 12 and "x" null).
const BUILTINS: Record<string, (input: unknown) => unknown> = {
  'not/0': (input) => !truthy(input),
  'keys/0': (input) => keysOf(input, true),
  'keys_unsorted/0': (input) => keysOf(input, false),
  'tonumber/0': (input) => {
    if (typeof input === 'number') return input
    if (typeof input === 'string' && input.trim() !== '' && Number.isFinite(Number(input)))
      return Number(input)
    throw `${typeName(input)} (${JSON.stringify(input)?.slice(0, 30)}) cannot be parsed as a number`
  },
}

/** Replaces, on one call node, a builtin jqjs gets wrong (see BUILTINS). */
export function fixBuiltinCall(node: { name?: unknown; apply: unknown }): void {
  const fix = BUILTINS[String(node.name)]
  if (!fix) return
  node.apply = function* (input: unknown) {
    tick()
    yield fix(input)
  }
}

// Formats: jqjs's @base64/@base64d work on UTF-16 code units (jq: UTF-8 bytes) and its @sh
// quotes the type name instead of the string (`"a" | @sh` gave 'string').
function fixFormats(): void {
  const f = formats as Record<string, (v: unknown) => string>
  const text = f.text as (v: unknown) => string
  f.base64 = (v) => Buffer.from(text(v), 'utf8').toString('base64')
  f.base64d = (v) => {
    if (typeof v !== 'string') throw `${typeName(v)} (${JSON.stringify(v)}) cannot be base64-decoded`
    return Buffer.from(v, 'base64').toString('utf8')
  }
  const quote = (x: unknown): string => {
    if (typeof x === 'string') return `'${x.replace(/'/g, "'\\''")}'`
    if (x === null || typeof x === 'number' || typeof x === 'boolean') return String(x)
    throw `${typeName(x)} cannot be escaped for shell`
  }
  f.sh = (v) => (Array.isArray(v) ? v.map(quote).join(' ') : quote(v))
}

/** An omitted slice end, for an empty sub-program node under a slice (see jq-engine.ts). */
export function fixOpenSliceEnd(node: { apply: unknown }): void {
  node.apply = function* () {
    tick()
    yield undefined
  }
}

fixErrorSuppression()
fixFormats()
fixIf()
fixAlternative()
fixNotEquals()
