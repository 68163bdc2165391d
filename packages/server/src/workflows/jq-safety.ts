// Makes jqjs safe for programs and data we do not trust. As shipped, jqjs reads object keys with
// plain `o[k]`, so `.constructor`, `.__proto__` reach JavaScript internals, and its assignments
// walk the same way: `.__proto__.x = 1` or `.[$k].x = 1` with $k = "__proto__" wrote into
// Object.prototype of the whole server (measured: it did). Its `*` merge also changed the nested
// objects of its left operand in place (the workflow's data). Here: indexing reads own
// properties only (and fails on scalars, as jq does), assignments walk and write own properties
// only, and the merge copies. Applied once, before any program runs (jq-engine.ts imports it).
import jq from '@michaelhomer/jqjs'

type Proto = Record<string, unknown> & { constructor: { name: string } }
interface Node {
  apply(input: unknown, conf: unknown): Iterable<unknown>
}

function protoOf(program: string, className: string): Proto {
  let proto = Object.getPrototypeOf(jq.compile(program).ast) as Proto
  while (proto && proto.constructor.name !== className) proto = Object.getPrototypeOf(proto)
  if (!proto) throw new Error(`jqjs changed: no ${className} under \`${program}\``)
  return proto
}

const typeName = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v)
const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v)
const describe = (k: unknown) => (typeof k === 'string' ? `string ${JSON.stringify(k)}` : typeName(k))

/** `l[i]` as jq reads it: own keys of objects, integer indices of arrays (negative from the end). */
export function indexValue(l: unknown, i: unknown): unknown {
  if (l === null) return null
  if (Array.isArray(l)) {
    if (typeof i !== 'number') throw `Cannot index array with ${describe(i)}`
    let n = Math.floor(i)
    if (n < 0) n += l.length
    return n >= 0 && n < l.length ? (l[n] ?? null) : null
  }
  if (isObject(l)) {
    if (typeof i !== 'string') throw `Cannot index object with ${describe(i)}`
    return Object.hasOwn(l, i) ? (l[i] ?? null) : null
  }
  throw `Cannot index ${typeName(l)} with ${describe(i)}`
}

function setOwn(o: object, k: string | number, v: unknown): void {
  Object.defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true })
}

function ownChild(o: unknown, k: unknown): unknown {
  if (Array.isArray(o) && typeof k === 'number') return o[k]
  if (isObject(o) && typeof k === 'string' && Object.hasOwn(o, k)) return o[k]
  return undefined
}

function checkKey(container: unknown, k: unknown): string | number {
  if (Array.isArray(container)) {
    if (typeof k !== 'number') throw `Cannot index array with ${describe(k)}`
    const n = Math.floor(k) < 0 ? Math.floor(k) + container.length : Math.floor(k)
    if (n < 0) throw 'Out of bounds negative array index'
    return n
  }
  if (isObject(container)) {
    if (typeof k !== 'string') throw `Cannot index object with ${describe(k)}`
    return k
  }
  throw `Cannot index ${typeName(container)} with ${describe(k)}`
}

/**
 * Sets (or deletes) the value at `path` in `root`, which the caller has copied. Missing or null
 * steps become a fresh array (number key) or object (string key), as in jq. Only own properties
 * are followed and written, so no path reaches a prototype.
 */
export function updateAt(root: unknown, path: readonly unknown[], v: unknown, del = false): unknown {
  if (path.length === 0) return v
  if (root === null) {
    if (del) return null
    root = typeof path[0] === 'number' ? [] : {}
  }
  let o = root as object
  for (let i = 0; i < path.length - 1; i++) {
    const k = checkKey(o, path[i])
    let next = ownChild(o, k)
    if (next === undefined || next === null) {
      next = typeof path[i + 1] === 'number' ? [] : {}
      setOwn(o, k, next)
    }
    o = next as object
  }
  const last = checkKey(o, path[path.length - 1])
  if (!del) setOwn(o, last, v)
  else if (Array.isArray(o) || Object.hasOwn(o, last)) delete (o as Record<string | number, unknown>)[last]
  return root
}

function getAt(root: unknown, path: readonly unknown[]): unknown {
  let o = root
  for (const k of path) {
    if (o === null) return null
    o = ownChild(o, k) ?? null
  }
  return o
}

// jq's `*` on objects: a new object, nested objects merged recursively, neither side changed.
function mergeObjects(l: Record<string, unknown>, r: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const k of Object.keys(l)) setOwn(out, k, l[k])
  for (const k of Object.keys(r)) {
    const a = Object.hasOwn(out, k) ? out[k] : undefined
    const b = r[k]
    setOwn(out, k, isObject(a) && isObject(b) ? mergeObjects(a, b) : b)
  }
  return out
}

function applySafety(): void {
  const generic = protoOf('.a', 'GenericIndex')
  generic.apply = function* (this: { index: Node }, input: unknown, conf: unknown) {
    if (input === null) {
      yield null
      return
    }
    for (const i of this.index.apply(input, conf)) yield indexValue(input, i)
  }
  const index = protoOf('.a[0]', 'IndexNode')
  index.apply = function* (this: { lhs: Node; index: Node }, input: unknown, conf: unknown) {
    for (const l of this.lhs.apply(input, conf)) {
      for (const i of this.index.apply(input, conf)) yield indexValue(l, i)
    }
  }
  const update = protoOf('.a |= 1', 'UpdateAssignment')
  update.get = (obj: unknown, p: unknown[]) => getAt(obj, p)
  update.update = (obj: unknown, p: unknown[], v: unknown, del = false) => updateAt(obj, p, v, del)
  const plain = protoOf('.a = 1', 'PlainAssignment')
  plain.update = (obj: unknown, p: unknown[], v: unknown) => updateAt(obj, p, v)
  const times = protoOf('{} * {}', 'MultiplicationOperator')
  times.merge = (l: Record<string, unknown>, r: Record<string, unknown>) => mergeObjects(l, r)
}

applySafety()
