// Field-by-field comparison of a run's output with its expected output: a recursive JSON diff
// that reports every leaf (scalars, empty containers, and values whose types differ) once.
import type { Json } from '../storage/storage.ts'

export type FieldStatus = 'equal' | 'different' | 'missing' | 'extra'

export interface FieldComparison {
  /** JSONPath-style location: `$`, `$.total`, `$.items[0]`, `$["odd key"]`. */
  path: string
  /** Absent (undefined, left out of the JSON) when the field is `extra`. */
  expected?: Json
  /** Absent when the field is `missing`. */
  actual?: Json
  equal: boolean
  status: FieldStatus
}

export interface JsonComparison {
  match: boolean
  fields: FieldComparison[]
  /** True when `fields` was cut at the limit; `summary` always counts every field. */
  truncated: boolean
  summary: { total: number; equal: number; different: number; missing: number; extra: number }
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/

const childPath = (path: string, key: string | number) =>
  typeof key === 'number'
    ? `${path}[${key}]`
    : IDENTIFIER.test(key)
      ? `${path}.${key}`
      : `${path}[${JSON.stringify(key)}]`

type Container = Json[] | { [key: string]: Json }
const kind = (v: Json) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v)
const isContainer = (v: Json): v is Container => typeof v === 'object' && v !== null
const isEmpty = (v: Container) => (Array.isArray(v) ? v.length === 0 : Object.keys(v).length === 0)

/** Deep equality of two JSON values (object key order ignored). */
export function jsonEqual(a: Json, b: Json): boolean {
  if (a === b) return true
  if (kind(a) !== kind(b) || !isContainer(a) || !isContainer(b)) return false
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]!))
  const ao = a as Record<string, Json>
  const bo = b as Record<string, Json>
  const keys = Object.keys(ao)
  return keys.length === Object.keys(bo).length && keys.every((k) => k in bo && jsonEqual(ao[k]!, bo[k]!))
}

/** Compares `actual` against `expected`; at most `maxFields` fields are listed. */
export function compareJson(expected: Json, actual: Json, maxFields = 1000): JsonComparison {
  const summary = { total: 0, equal: 0, different: 0, missing: 0, extra: 0 }
  const fields: FieldComparison[] = []
  const add = (f: FieldComparison) => {
    summary.total++
    summary[f.status]++
    if (fields.length < maxFields) fields.push(f)
  }
  // Every leaf under a missing or extra subtree is reported on its own, so counts are per field.
  const oneSided = (path: string, value: Json, side: 'missing' | 'extra') => {
    if (isContainer(value) && !isEmpty(value)) {
      for (const [k, v] of entries(value)) oneSided(childPath(path, k), v, side)
      return
    }
    add(
      side === 'missing'
        ? { path, expected: value, equal: false, status: side }
        : { path, actual: value, equal: false, status: side },
    )
  }
  const walk = (path: string, e: Json, a: Json) => {
    const sameContainer =
      isContainer(e) && isContainer(a) && kind(e) === kind(a) && !(isEmpty(e) && isEmpty(a))
    if (!sameContainer) {
      const equal = jsonEqual(e, a)
      add({ path, expected: e, actual: a, equal, status: equal ? 'equal' : 'different' })
      return
    }
    const actualEntries = new Map<string | number, Json>(entries(a))
    for (const [k, v] of entries(e)) {
      const p = childPath(path, k)
      if (actualEntries.has(k)) walk(p, v, actualEntries.get(k)!)
      else oneSided(p, v, 'missing')
      actualEntries.delete(k)
    }
    for (const [k, v] of actualEntries) oneSided(childPath(path, k), v, 'extra')
  }
  walk('$', expected, actual)
  const match = summary.total === summary.equal
  return { match, fields, truncated: fields.length < summary.total, summary }
}

function entries(v: Container): Array<[string | number, Json]> {
  return Array.isArray(v) ? v.map((x, i) => [i, x] as [number, Json]) : Object.entries(v)
}
