// The work budget of one jq evaluation: jqjs is a synchronous tree-walking interpreter, so a
// hostile program (`[range(1e12)]`, `last(range(1e12))`, doubling arrays) would hold the event
// loop for ever. We count steps in the interpreter itself, by wrapping the evaluation method of
// each syntax-node class (found by walking the tree of a probe program), and charge the size of
// values that operators build natively. Past the step limit, or the wall-clock limit (read every
// 1024 steps), the next step throws; the trip is sticky, so jq's `?` cannot swallow it.

/** What one evaluation may spend. */
export interface JqLimits {
  /** Interpreter steps: node evaluations, values produced by builtins/iterators, sizes built. */
  maxSteps: number
  /** Wall-clock budget in milliseconds (checked every 1024 steps and on every size charge). */
  maxMillis: number
}

export const DEFAULT_JQ_LIMITS: JqLimits = { maxSteps: 1_000_000, maxMillis: 500 }

/** Thrown (and re-thrown at every later step) when an evaluation exceeds its budget. */
export class JqLimitError extends Error {
  constructor(
    readonly limit: 'steps' | 'time',
    message: string,
  ) {
    super(message)
    this.name = 'JqLimitError'
  }
}

interface Meter {
  steps: number
  sinceClock: number
  maxSteps: number
  deadline: number
  maxMillis: number
  tripped: JqLimitError | null
}

let current: Meter | null = null

function trip(m: Meter, err: JqLimitError): never {
  m.tripped = err
  throw err
}

/** Spends `n` steps of the running evaluation (no-op outside `metered`). */
export function tick(n = 1): void {
  const m = current
  if (m === null) return
  if (m.tripped) throw m.tripped
  m.steps += n
  if (m.steps > m.maxSteps) {
    trip(m, new JqLimitError('steps', `exceeded ${m.maxSteps.toLocaleString('en')} steps`))
  }
  m.sinceClock += n
  if (m.sinceClock >= 1024) {
    m.sinceClock = 0
    if (performance.now() > m.deadline) trip(m, new JqLimitError('time', `exceeded ${m.maxMillis} ms`))
  }
}

/** Runs `fn` with a fresh budget; throws JqLimitError if it tripped, even if the program caught it. */
export function metered<T>(limits: JqLimits, fn: () => T): { value: T; steps: number } {
  const prev = current
  const m: Meter = {
    steps: 0,
    sinceClock: 0,
    maxSteps: limits.maxSteps,
    maxMillis: limits.maxMillis,
    deadline: performance.now() + limits.maxMillis,
    tripped: null,
  }
  current = m
  try {
    const value = fn()
    if (m.tripped) throw m.tripped
    return { value, steps: m.steps }
  } finally {
    current = prev
  }
}

/** True while the running evaluation is over budget (for the patched `?`, which must not swallow it). */
export function budgetTripped(): boolean {
  return current?.tripped != null
}

type Apply = (this: object, input: unknown, conf: unknown) => Iterable<unknown>
interface NodeProto {
  apply: Apply
  combine?: (...args: unknown[]) => unknown
  repeat?: (s: string, n: number) => unknown
  constructor: { name: string }
}

/** Node classes whose outputs are produced inside one call (builtins, `.[]`, `..`): count each output. */
const COUNT_OUTPUTS = new Set([
  'FunctionCall',
  'RecursiveDescent',
  'GenericValueIterator',
  'SpecificValueIterator',
])

// What `+` and `*` built natively: a 32nd of an array's length (a concatenation copies it),
// a sixteenth of a string's, an object's key count.
function sizeOf(v: unknown): number {
  if (typeof v === 'string') return v.length >>> 4
  if (Array.isArray(v)) return v.length >>> 5
  if (v !== null && typeof v === 'object') return Object.keys(v).length
  return 0
}

// Values built by `[…]` and `{…}` can share children (`{a: ., b: .}` in a reduce doubles the
// tree at each step for one step of work); the native builtins then walk the tree, not the
// memory (`tojson`, `==`, `sort`: minutes for 30 levels). So constructions are charged the size
// of the tree they make, each node counted once per path: children's sizes are cached.
const treeSizes = new WeakMap<object, number>()
const MAX_SIZE = 2 ** 40

function treeSize(v: unknown): number {
  if (v === null || typeof v !== 'object') return 1
  const known = treeSizes.get(v)
  if (known !== undefined) return known
  let n = 1
  for (const child of Array.isArray(v) ? v : Object.values(v)) {
    n += treeSize(child)
    if (n > MAX_SIZE) break
  }
  treeSizes.set(v, n)
  return n
}

/** Classes whose outputs are new arrays/objects: charged their tree size (see treeSize). */
const CHARGE_TREES = new Set(['ArrayNode', 'ObjectNode'])

const patched = new Set<string>()

/**
 * Wraps `apply` (and the size-building helpers) of `proto` and of every prototype above it,
 * once each. Returns the class name of `proto`.
 */
export function instrumentPrototype(proto: NodeProto): string {
  for (
    let p: NodeProto | null = proto;
    p && (p as object) !== Object.prototype;
    p = Object.getPrototypeOf(p)
  ) {
    instrumentOne(p)
  }
  return proto.constructor.name
}

function instrumentOne(proto: NodeProto): void {
  const name = proto.constructor.name
  if (patched.has(name)) return
  patched.add(name)
  if (Object.hasOwn(proto, 'apply')) {
    const orig = proto.apply
    if (CHARGE_TREES.has(name)) {
      proto.apply = function* (input, conf) {
        tick()
        for (const v of orig.call(this, input, conf)) {
          tick(treeSize(v))
          yield v
        }
      }
    } else if (COUNT_OUTPUTS.has(name)) {
      proto.apply = function* (input, conf) {
        tick()
        for (const v of orig.call(this, input, conf)) {
          tick()
          yield v
        }
      }
    } else {
      proto.apply = function (input, conf) {
        tick()
        return orig.call(this, input, conf)
      }
    }
  }
  const combine = Object.hasOwn(proto, 'combine') ? proto.combine : undefined
  if (combine && (name === 'AdditionOperator' || name === 'MultiplicationOperator')) {
    // `+` concatenates arrays/strings and merges objects, `*` repeats strings and merges
    // recursively: natively, so charge what they build (`reduce range(40) as $i ([1]; . + .)`).
    proto.combine = function (...args: unknown[]) {
      const out = combine.apply(this, args)
      tick(sizeOf(out))
      return out
    }
  }
  const repeat = Object.hasOwn(proto, 'repeat') ? proto.repeat : undefined
  if (repeat) {
    // `"x" * 1000000000` would loop and allocate before any step runs: charge before building
    // (one step per repetition, or per 16 characters built if more).
    proto.repeat = function (s: string, n: number) {
      if (typeof s === 'string' && typeof n === 'number' && n > 0)
        tick(Math.ceil(Math.max(n, (s.length * n) / 16)))
      return repeat.call(this, s, n)
    }
  }
}

/** Names of the node classes instrumented so far (the test checks none of jqjs's is missing). */
export function instrumentedClasses(): ReadonlySet<string> {
  return patched
}
