// The atomic update ops of state::update and stream::update, with iii's semantics: ops apply
// in order to one item; an op that fails validation or meets the wrong type is skipped with a
// per-op error (op_index, code, message) while the others still apply.
import type { Json, JsonObject } from '../storage/storage.ts'
import { EngineError } from './engine-error.ts'

export const MAX_PATH_DEPTH = 32
export const MAX_SEGMENT_BYTES = 256
export const MAX_VALUE_DEPTH = 16
export const MAX_VALUE_KEYS = 1024
/** JS prototype-pollution sinks, refused as path segments and as merged top-level keys. */
const PROTO_KEYS = new Set(['__proto__', 'constructor', 'prototype'])
const DOC_URL = 'https://iii.dev/docs/workers/iii-state#error-codes'

export type UpdateOp =
  | { type: 'set'; path: string; value?: Json }
  | { type: 'merge'; path?: string | string[] | null; value: Json }
  | { type: 'append'; path?: string | string[] | null; value: Json }
  | { type: 'increment'; path: string; by: number }
  | { type: 'decrement'; path: string; by: number }
  | { type: 'remove'; path: string }

export interface UpdateOpError {
  op_index: number
  code: string
  message: string
  doc_url: string
}

const isObject = (v: Json | undefined): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v)
const typeName = (v: Json | undefined) =>
  v === null || v === undefined
    ? 'null'
    : Array.isArray(v)
      ? 'array'
      : typeof v === 'object'
        ? 'object'
        : typeof v
const label = (segments: string[]) => (segments.length === 0 ? 'root' : `[${segments.join(', ')}]`)

/** Checks the shape of `ops` before anything applies (a malformed list changes nothing). */
export function parseOps(raw: Json | undefined): UpdateOp[] {
  if (!Array.isArray(raw))
    throw new EngineError('invalid_payload', 'ops must be an array of update operations')
  if (raw.length > 1000) throw new EngineError('invalid_payload', 'at most 1000 ops per update')
  return raw.map((op, i) => {
    const bad = (why: string) => new EngineError('invalid_payload', `ops[${i}]: ${why}`)
    if (!isObject(op)) throw bad('must be an object')
    const path = op['path']
    const fieldPath = () => {
      if (typeof path !== 'string') throw bad('path must be a string ("" for the root)')
      return path
    }
    const mergePath = () => {
      if (path === undefined || path === null || typeof path === 'string') return path
      if (Array.isArray(path) && path.every((s) => typeof s === 'string')) return path as string[]
      throw bad('path must be a string or an array of strings')
    }
    const by = () => {
      const b = op['by']
      if (typeof b !== 'number' || !Number.isFinite(b)) throw bad('by must be a finite number')
      return b
    }
    switch (op['type']) {
      case 'set':
        return { type: 'set', path: fieldPath(), value: op['value'] ?? null }
      case 'merge':
        return { type: 'merge', path: mergePath(), value: op['value'] ?? null }
      case 'append':
        if (!('value' in op)) throw bad('append needs a value')
        return { type: 'append', path: mergePath(), value: op['value'] ?? null }
      case 'increment':
        return { type: 'increment', path: fieldPath(), by: by() }
      case 'decrement':
        return { type: 'decrement', path: fieldPath(), by: by() }
      case 'remove':
        return { type: 'remove', path: fieldPath() }
      default:
        throw bad('type must be set, merge, append, increment, decrement or remove')
    }
  })
}

function segmentsOf(path: string | string[] | null | undefined): string[] {
  if (path === undefined || path === null || path === '') return []
  return typeof path === 'string' ? [path] : path
}

/** Path bounds; `merge` keeps its historical codes, the other ops use `{op}.path.{reason}`. */
function pathError(op: string, index: number, segments: string[]): UpdateOpError | undefined {
  const e = (reason: string, message: string) => ({
    op_index: index,
    code: `${op}.path.${reason}`,
    message,
    doc_url: DOC_URL,
  })
  if (segments.length > MAX_PATH_DEPTH)
    return e('too_deep', `Path depth ${segments.length} exceeds maximum of ${MAX_PATH_DEPTH}`)
  for (const s of segments) {
    if (s === '') return e('empty_segment', 'Path contains an empty segment')
    const bytes = Buffer.byteLength(s)
    if (bytes > MAX_SEGMENT_BYTES)
      return e('segment_too_long', `Path segment of ${bytes} bytes exceeds maximum of ${MAX_SEGMENT_BYTES}`)
    if (PROTO_KEYS.has(s))
      return e('proto_polluted', `Path segment '${s}' is not allowed (prototype pollution).`)
  }
  return undefined
}

function depthOf(v: Json): number {
  if (Array.isArray(v)) return 1 + v.reduce<number>((m, x) => Math.max(m, depthOf(x)), 0)
  if (isObject(v)) return 1 + Object.values(v).reduce<number>((m, x) => Math.max(m, depthOf(x)), 0)
  return 0
}

function mergeValueError(index: number, value: Json): UpdateOpError | undefined {
  const e = (code: string, message: string) => ({ op_index: index, code, message, doc_url: DOC_URL })
  if (!isObject(value)) return e('merge.value.not_an_object', 'Merge value must be a JSON object')
  const keys = Object.keys(value)
  if (keys.length > MAX_VALUE_KEYS)
    return e(
      'merge.value.too_many_keys',
      `Merge value has ${keys.length} top-level keys, exceeds maximum of ${MAX_VALUE_KEYS}`,
    )
  const proto = keys.find((k) => PROTO_KEYS.has(k))
  if (proto)
    return e(
      'merge.value.proto_polluted',
      `Merge value top-level key "${proto}" is a prototype-pollution sink`,
    )
  const depth = depthOf(value)
  if (depth > MAX_VALUE_DEPTH)
    return e(
      'merge.value.too_deep',
      `Merge value JSON nesting depth ${depth} exceeds maximum of ${MAX_VALUE_DEPTH}`,
    )
  return undefined
}

/** Walks to the object at `segments`, replacing missing or non-object nodes with `{}`. */
function walkOrCreate(root: JsonObject, segments: string[]): JsonObject {
  let node = root
  for (const s of segments) {
    const next = Object.hasOwn(node, s) ? node[s] : undefined
    if (isObject(next)) node = next
    else {
      const fresh: JsonObject = {}
      node[s] = fresh
      node = fresh
    }
  }
  return node
}

const initialAppend = (value: Json): Json => (typeof value === 'string' ? value : [value])

/** Applies `ops` to a deep copy of `old` (undefined: the item does not exist yet). */
export function applyUpdateOps(
  old: Json | undefined,
  ops: UpdateOp[],
): { value: Json; errors: UpdateOpError[] } {
  let missing = old === undefined
  let current: Json = old === undefined ? {} : structuredClone(old)
  const errors: UpdateOpError[] = []
  const fail = (op_index: number, code: string, message: string) =>
    errors.push({ op_index, code, message, doc_url: DOC_URL })

  // Appends onto an existing leaf; returns the new leaf, or undefined after recording an error.
  const appendTo = (target: Json | undefined, value: Json, where: string, i: number): Json | undefined => {
    if (Array.isArray(target)) return [...target, value]
    if (typeof target === 'string') {
      if (typeof value === 'string') return target + value
      fail(
        i,
        'append.type_mismatch',
        `Expected string append value at path '${where}', got ${typeName(value)}.`,
      )
      return undefined
    }
    if (target === null || target === undefined) return initialAppend(value)
    fail(
      i,
      'append.type_mismatch',
      `Cannot append at path '${where}': target is ${typeName(target)}, expected array, string, null, or missing field.`,
    )
    return undefined
  }

  for (const [i, op] of ops.entries()) applyOne(op, i)
  function applyOne(op: UpdateOp, i: number): void {
    switch (op.type) {
      case 'set': {
        const err = pathError('set', i, segmentsOf(op.path))
        if (err) return void errors.push(err)
        if (op.path === '') current = op.value ?? null
        else if (isObject(current)) current[op.path] = op.value ?? null
        else
          return void fail(
            i,
            'set.target_not_object',
            `Cannot set at path '${op.path}': target is ${typeName(current)}, expected object.`,
          )
        missing = false
        return
      }
      case 'merge': {
        const segments = segmentsOf(op.path)
        const err = pathError('merge', i, segments) ?? mergeValueError(i, op.value)
        if (err) return void errors.push(err)
        const value = op.value as JsonObject
        if (segments.length === 0) {
          if (!isObject(current)) return // iii leaves a non-object root untouched here
          Object.assign(current, value)
        } else {
          if (!isObject(current)) current = {}
          Object.assign(walkOrCreate(current, segments), value)
        }
        missing = false
        return
      }
      case 'increment':
      case 'decrement': {
        const err = pathError(op.type, i, segmentsOf(op.path))
        if (err) return void errors.push(err)
        const delta = op.type === 'increment' ? op.by : -op.by
        const notNumber = (v: Json | undefined) =>
          fail(
            i,
            `${op.type}.not_number`,
            `Expected number at path '${op.path || 'root'}', got ${typeName(v)}.`,
          )
        if (op.path === '') {
          if (missing) current = delta
          else if (typeof current === 'number') current = current + delta
          else return void notNumber(current)
        } else if (isObject(current)) {
          const had = Object.hasOwn(current, op.path)
          const v = had ? current[op.path] : undefined
          if (!had) current[op.path] = delta
          else if (typeof v === 'number') current[op.path] = v + delta
          else return void notNumber(v)
        } else
          return void fail(
            i,
            `${op.type}.target_not_object`,
            `Cannot ${op.type} at path '${op.path}': target is ${typeName(current)}, expected object.`,
          )
        missing = false
        return
      }
      case 'append': {
        const segments = segmentsOf(op.path)
        const err = pathError('append', i, segments)
        if (err) return void errors.push(err)
        if (segments.length === 0) {
          const next = appendTo(missing ? null : current, op.value, 'root', i)
          if (next === undefined) return
          current = next
        } else if (!isObject(current)) {
          return void fail(
            i,
            'append.target_not_object',
            `Cannot append at path '${label(segments)}': target is ${typeName(current)}, expected object.`,
          )
        } else {
          const parent = walkOrCreate(current, segments.slice(0, -1))
          const leaf = segments[segments.length - 1]!
          if (!Object.hasOwn(parent, leaf)) {
            // A missing leaf on a nested path is always an array; a first-level key keeps the
            // string-concatenation tier for a string value.
            parent[leaf] = segments.length === 1 ? initialAppend(op.value) : [op.value]
          } else {
            const next = appendTo(parent[leaf], op.value, leaf, i)
            if (next === undefined) return
            parent[leaf] = next
          }
        }
        missing = false
        return
      }
      case 'remove': {
        const err = pathError('remove', i, segmentsOf(op.path))
        if (err) return void errors.push(err)
        if (op.path === '') current = null
        else if (isObject(current)) delete current[op.path]
        else
          return void fail(
            i,
            'remove.target_not_object',
            `Cannot remove at path '${op.path}': target is ${typeName(current)}, expected object.`,
          )
        missing = false
        return
      }
    }
  }
  return { value: current, errors }
}
