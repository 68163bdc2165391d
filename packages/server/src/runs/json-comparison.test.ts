import { describe, expect, it } from 'vitest'
import { compareJson, jsonEqual } from './json-comparison.ts'

describe('compareJson', () => {
  it('matches equal documents regardless of key order', () => {
    const r = compareJson({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 })
    expect(r.match).toBe(true)
    expect(r.summary).toEqual({ total: 3, equal: 3, different: 0, missing: 0, extra: 0 })
    expect(r.fields.map((f) => f.path)).toEqual(['$.a', '$.b.c[0]', '$.b.c[1]'])
  })

  it('reports different, missing and extra fields with JSONPath-style paths', () => {
    const r = compareJson(
      { total: 3, items: [1, 2, 3], meta: { 'odd key': 'x', gone: { deep: 1 } } },
      { total: 4, items: [1, 2], meta: { 'odd key': 'x' }, added: true },
    )
    expect(r.match).toBe(false)
    expect(r.fields).toEqual([
      { path: '$.total', expected: 3, actual: 4, equal: false, status: 'different' },
      { path: '$.items[0]', expected: 1, actual: 1, equal: true, status: 'equal' },
      { path: '$.items[1]', expected: 2, actual: 2, equal: true, status: 'equal' },
      { path: '$.items[2]', expected: 3, equal: false, status: 'missing' },
      { path: '$.meta["odd key"]', expected: 'x', actual: 'x', equal: true, status: 'equal' },
      { path: '$.meta.gone.deep', expected: 1, equal: false, status: 'missing' },
      { path: '$.added', actual: true, equal: false, status: 'extra' },
    ])
    expect(r.summary).toEqual({ total: 7, equal: 3, different: 1, missing: 2, extra: 1 })
  })

  it('treats a change of type, null and empty containers as one leaf', () => {
    const r = compareJson({ a: [1], b: {}, c: null, d: [] }, { a: { 0: 1 }, b: {}, c: 0, d: [] })
    expect(r.fields.map((f) => [f.path, f.status])).toEqual([
      ['$.a', 'different'],
      ['$.b', 'equal'],
      ['$.c', 'different'],
      ['$.d', 'equal'],
    ])
    expect(compareJson('x', 'x').fields).toEqual([
      { path: '$', expected: 'x', actual: 'x', equal: true, status: 'equal' },
    ])
  })

  it('lists at most maxFields fields but counts them all', () => {
    const big = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, i]))
    const r = compareJson(big, {}, 10)
    expect(r.fields).toHaveLength(10)
    expect(r.truncated).toBe(true)
    expect(r.summary.missing).toBe(50)
  })

  it('compares deeply in jsonEqual', () => {
    expect(jsonEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toBe(true)
    expect(jsonEqual({ a: 1 }, { a: 1, b: undefined as never })).toBe(false)
    expect(jsonEqual([1, 2], [2, 1])).toBe(false)
  })
})
