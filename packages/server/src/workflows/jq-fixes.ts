// Corrections to @michaelhomer/jqjs 1.6.0 where it departs from jq in ways workflow conditions
// hit (each found by the conformance slice, jq-conformance/): JavaScript truthiness in `if` and
// `not` (jq: only false and null are false, so `0` and `""` are true), `!=` inverted at every
// nesting level, `//` keeping null/false, and `?` dropping null outputs. Applied once, to the
// classes' prototypes (or, for `not`, to each call node), before any program runs.
import jq from '@michaelhomer/jqjs'
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

/** `not` as jq has it, for a `not/0` call node (jqjs's is JavaScript's `!`). */
export function fixNotCall(node: { name?: unknown; apply: unknown }): void {
  if (node.name !== 'not/0') return
  node.apply = function* (input: unknown) {
    tick()
    yield !truthy(input)
  }
}

/** An omitted slice end, for an empty sub-program node under a slice (see jq-engine.ts). */
export function fixOpenSliceEnd(node: { apply: unknown }): void {
  node.apply = function* () {
    tick()
    yield undefined
  }
}

fixErrorSuppression()
fixIf()
fixAlternative()
fixNotEquals()
