// state::update and stream::update through the real iii-sdk: every op, every rejection case of
// the reference text (per-op errors with op_index/code/message while the other ops apply).
import type { IIIClient } from 'iii-sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type EngineKit, startEngineKit } from './engine-test-kit.ts'

let kit: EngineKit
let iii: IIIClient
let n = 0

beforeAll(async () => {
  kit = await startEngineKit()
  iii = kit.worker()
})
afterAll(async () => kit?.close())

interface UpdateResult {
  old_value?: unknown
  new_value: unknown
  errors?: Array<{ op_index: number; code: string; message: string }>
}

/** A fresh key per call unless given, so tests never see each other's items. */
async function update(ops: unknown[], opts: { key?: string; initial?: unknown } = {}): Promise<UpdateResult> {
  const key = opts.key ?? `k${++n}`
  if (opts.initial !== undefined)
    await iii.trigger({ function_id: 'state::set', payload: { scope: 'ops', key, value: opts.initial } })
  return iii.trigger({ function_id: 'state::update', payload: { scope: 'ops', key, ops } })
}

const codes = (r: UpdateResult) => (r.errors ?? []).map((e) => [e.op_index, e.code])

describe('state::update ops', () => {
  it('set writes a first-level field and returns old and new values', async () => {
    const r = await update([{ type: 'set', path: 'name', value: 'Ada' }], { initial: { age: 36 } })
    expect(r).toEqual({ old_value: { age: 36 }, new_value: { age: 36, name: 'Ada' } })
  })

  it('set with an empty path replaces the whole value', async () => {
    const r = await update([{ type: 'set', path: '', value: [1, 2] }], { initial: { a: 1 } })
    expect(r.new_value).toEqual([1, 2])
  })

  it('set on a non-object root is set.target_not_object and the next op still applies', async () => {
    const r = await update(
      [
        { type: 'set', path: 'x', value: 1 },
        { type: 'append', path: '', value: ' world' },
      ],
      { initial: 'hello' },
    )
    expect(codes(r)).toEqual([[0, 'set.target_not_object']])
    expect(r.new_value).toBe('hello world')
  })

  it('merge is shallow at the root and keeps siblings', async () => {
    const r = await update([{ type: 'merge', value: { b: { y: 2 }, c: 3 } }], {
      initial: { a: 1, b: { x: 1 } },
    })
    expect(r.new_value).toEqual({ a: 1, b: { y: 2 }, c: 3 })
  })

  it('merge at a nested path creates missing and non-object intermediates', async () => {
    const r = await update([{ type: 'merge', path: ['sessions', 'abc'], value: { ts: 'chunk' } }], {
      initial: { sessions: 'stray', keep: true },
    })
    expect(r.new_value).toEqual({ sessions: { abc: { ts: 'chunk' } }, keep: true })
  })

  it('merge treats "a.b" as one literal key, and a string path as one first-level key', async () => {
    const r = await update([
      { type: 'merge', path: ['a.b'], value: { x: 1 } },
      { type: 'merge', path: 'plain', value: { y: 2 } },
    ])
    expect(r.new_value).toEqual({ 'a.b': { x: 1 }, plain: { y: 2 } })
  })

  it('append pushes onto an array and concatenates a string', async () => {
    const r = await update(
      [
        { type: 'append', path: 'events', value: { kind: 'chunk' } },
        { type: 'append', path: 'transcript', value: ' world' },
      ],
      { initial: { events: [{ kind: 'start' }], transcript: 'hello' } },
    )
    expect(r.new_value).toEqual({ events: [{ kind: 'start' }, { kind: 'chunk' }], transcript: 'hello world' })
  })

  it('append to a missing first-level key keeps a string as a string and wraps anything else', async () => {
    const r = await update([
      { type: 'append', path: 'transcript', value: 'hello' },
      { type: 'append', path: 'events', value: { kind: 'chunk' } },
    ])
    expect(r.new_value).toEqual({ transcript: 'hello', events: [{ kind: 'chunk' }] })
  })

  it('append to a missing nested leaf always makes an array', async () => {
    const r = await update([{ type: 'append', path: ['log', 'lines'], value: 'first' }])
    expect(r.new_value).toEqual({ log: { lines: ['first'] } })
  })

  it('append at the root of a missing item keeps a string, wraps an object', async () => {
    expect((await update([{ type: 'append', value: 'hello' }])).new_value).toBe('hello')
    expect((await update([{ type: 'append', path: [], value: { k: 1 } }])).new_value).toEqual([{ k: 1 }])
  })

  it('append onto an object leaf is append.type_mismatch and changes nothing', async () => {
    const r = await update([{ type: 'append', path: 'events', value: 'x' }], { initial: { events: {} } })
    expect(codes(r)).toEqual([[0, 'append.type_mismatch']])
    expect(r.new_value).toEqual({ events: {} })
  })

  it('append of a non-string onto a string is append.type_mismatch', async () => {
    const r = await update([{ type: 'append', path: 't', value: { not: 'string' } }], {
      initial: { t: 'hi' },
    })
    expect(codes(r)).toEqual([[0, 'append.type_mismatch']])
    expect(r.new_value).toEqual({ t: 'hi' })
  })

  it('append with a path onto a non-object root is append.target_not_object', async () => {
    const r = await update([{ type: 'append', path: 'x', value: 1 }], { initial: [1] })
    expect(codes(r)).toEqual([[0, 'append.target_not_object']])
  })

  it('increment adds to a number, creates a missing field, and starts a missing root at by', async () => {
    const r = await update(
      [
        { type: 'increment', path: 'count', by: 3 },
        { type: 'increment', path: 'missing', by: 2.5 },
      ],
      { initial: { count: 2 } },
    )
    expect(r.new_value).toEqual({ count: 5, missing: 2.5 })
    expect((await update([{ type: 'increment', path: '', by: 4 }])).new_value).toBe(4)
  })

  it('increment of a non-number (or null) is increment.not_number; the other ops apply', async () => {
    const r = await update(
      [
        { type: 'increment', path: 'count', by: 3 },
        { type: 'increment', path: 'bad', by: 3 },
        { type: 'increment', path: 'nothing', by: 1 },
        { type: 'increment', path: 'missing', by: 3 },
      ],
      { initial: { count: 2, bad: 'value', nothing: null } },
    )
    expect(codes(r)).toEqual([
      [1, 'increment.not_number'],
      [2, 'increment.not_number'],
    ])
    expect(r.new_value).toEqual({ count: 5, bad: 'value', nothing: null, missing: 3 })
  })

  it('decrement subtracts, creates a missing field at -by, and rejects a non-number', async () => {
    const r = await update(
      [
        { type: 'decrement', path: 'count', by: 3 },
        { type: 'decrement', path: 'bad', by: 1 },
        { type: 'decrement', path: 'missing', by: 3 },
      ],
      { initial: { count: 5, bad: [] } },
    )
    expect(codes(r)).toEqual([[1, 'decrement.not_number']])
    expect(r.new_value).toEqual({ count: 2, bad: [], missing: -3 })
  })

  it('increment and decrement on a non-object root with a path are target_not_object', async () => {
    const r = await update(
      [
        { type: 'increment', path: 'a', by: 1 },
        { type: 'decrement', path: 'a', by: 1 },
      ],
      { initial: 7 },
    )
    expect(codes(r)).toEqual([
      [0, 'increment.target_not_object'],
      [1, 'decrement.target_not_object'],
    ])
  })

  it('remove drops a field, and with an empty path nulls the value', async () => {
    expect((await update([{ type: 'remove', path: 'a' }], { initial: { a: 1, b: 2 } })).new_value).toEqual({
      b: 2,
    })
    expect((await update([{ type: 'remove', path: '' }], { initial: { a: 1 } })).new_value).toBe(null)
  })

  it('remove with a path on a non-object root is remove.target_not_object', async () => {
    const r = await update([{ type: 'remove', path: 'a' }], { initial: 'text' })
    expect(codes(r)).toEqual([[0, 'remove.target_not_object']])
  })

  it('applies ops in order', async () => {
    const r = await update(
      [
        { type: 'increment', path: 'count', by: 5 },
        { type: 'decrement', path: 'count', by: 3 },
        { type: 'set', path: 'count', value: 100 },
        { type: 'increment', path: 'count', by: 1 },
      ],
      { initial: { count: 10 } },
    )
    expect(r.new_value).toEqual({ count: 101 })
    expect(r.errors).toBeUndefined()
  })

  it('is atomic per item: concurrent increments from two workers all count', async () => {
    const other = kit.worker()
    const both = [iii, other]
    await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        both[i % 2]!.trigger({
          function_id: 'state::update',
          payload: { scope: 'ops', key: 'counter', ops: [{ type: 'increment', path: 'n', by: 1 }] },
        }),
      ),
    )
    expect(
      await iii.trigger({ function_id: 'state::get', payload: { scope: 'ops', key: 'counter' } }),
    ).toEqual({
      n: 60,
    })
  })
})

describe('state::update rejections', () => {
  it('refuses __proto__, constructor and prototype path segments per op', async () => {
    const r = await update([
      { type: 'merge', path: ['__proto__'], value: { polluted: true } },
      { type: 'set', path: 'constructor', value: 1 },
      { type: 'append', path: ['a', 'prototype'], value: 1 },
      { type: 'increment', path: '__proto__', by: 1 },
      { type: 'decrement', path: 'prototype', by: 1 },
      { type: 'remove', path: 'constructor' },
      { type: 'set', path: 'ok', value: true },
    ])
    expect(codes(r)).toEqual([
      [0, 'merge.path.proto_polluted'],
      [1, 'set.path.proto_polluted'],
      [2, 'append.path.proto_polluted'],
      [3, 'increment.path.proto_polluted'],
      [4, 'decrement.path.proto_polluted'],
      [5, 'remove.path.proto_polluted'],
    ])
    expect(r.new_value).toEqual({ ok: true })
    expect(r.errors![0]!.message).toContain('__proto__')
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
  })

  it('refuses a merge value whose top-level key is __proto__ or constructor', async () => {
    const r = await update([
      { type: 'merge', value: JSON.parse('{"__proto__": {"polluted": true}}') },
      { type: 'merge', value: { constructor: { x: 1 } } },
      { type: 'merge', value: { fine: 1 } },
    ])
    expect(codes(r)).toEqual([
      [0, 'merge.value.proto_polluted'],
      [1, 'merge.value.proto_polluted'],
    ])
    expect(r.new_value).toEqual({ fine: 1 })
  })

  it('refuses a path deeper than 32 segments', async () => {
    const deep = Array.from({ length: 33 }, (_, i) => `s${i}`)
    const r = await update([
      { type: 'merge', path: deep, value: { x: 1 } },
      { type: 'append', path: deep, value: 1 },
      { type: 'merge', path: deep.slice(0, 32), value: { x: 1 } },
    ])
    expect(codes(r)).toEqual([
      [0, 'merge.path.too_deep'],
      [1, 'append.path.too_deep'],
    ])
    expect(r.errors![0]!.message).toBe('Path depth 33 exceeds maximum of 32')
  })

  it('refuses a path segment over 256 bytes', async () => {
    const long = 'é'.repeat(129) // 258 bytes
    const r = await update([
      { type: 'merge', path: [long], value: { x: 1 } },
      { type: 'set', path: long, value: 1 },
      { type: 'append', path: [long], value: 1 },
      { type: 'set', path: 'a'.repeat(256), value: 'fits' },
    ])
    expect(codes(r)).toEqual([
      [0, 'merge.path.segment_too_long'],
      [1, 'set.path.segment_too_long'],
      [2, 'append.path.segment_too_long'],
    ])
    expect(r.new_value).toEqual({ ['a'.repeat(256)]: 'fits' })
  })

  it('refuses an empty segment inside a path', async () => {
    const r = await update([
      { type: 'merge', path: ['a', ''], value: { x: 1 } },
      { type: 'append', path: ['', 'b'], value: 1 },
    ])
    expect(codes(r)).toEqual([
      [0, 'merge.path.empty_segment'],
      [1, 'append.path.empty_segment'],
    ])
  })

  it('refuses a merge value nested deeper than 16', async () => {
    let deep: unknown = 1
    for (let i = 0; i < 17; i++) deep = { d: deep }
    let ok: unknown = 1
    for (let i = 0; i < 16; i++) ok = { d: ok }
    const r = await update([
      { type: 'merge', value: deep },
      { type: 'merge', value: ok },
    ])
    expect(codes(r)).toEqual([[0, 'merge.value.too_deep']])
  })

  it('refuses a merge value with more than 1024 top-level keys', async () => {
    const many = Object.fromEntries(Array.from({ length: 1025 }, (_, i) => [`k${i}`, i]))
    const r = await update([{ type: 'merge', value: many }])
    expect(codes(r)).toEqual([[0, 'merge.value.too_many_keys']])
  })

  it('refuses a merge value that is not an object', async () => {
    const r = await update([
      { type: 'merge', value: [1, 2] },
      { type: 'merge', value: 'text' },
    ])
    expect(codes(r)).toEqual([
      [0, 'merge.value.not_an_object'],
      [1, 'merge.value.not_an_object'],
    ])
  })

  it('refuses a malformed ops list as a whole, writing nothing', async () => {
    const key = `k${++n}`
    for (const ops of [
      'not a list',
      [{ type: 'explode', path: 'a' }],
      [{ type: 'increment', path: 'a', by: 'x' }],
    ]) {
      await expect(
        iii.trigger({ function_id: 'state::update', payload: { scope: 'ops', key, ops } }),
      ).rejects.toMatchObject({ code: 'invalid_payload' })
    }
    expect(await iii.trigger({ function_id: 'state::get', payload: { scope: 'ops', key } })).toBeUndefined()
  })

  it('refuses a result over 1 MiB as a whole', async () => {
    const key = `k${++n}`
    await expect(
      iii.trigger({
        function_id: 'state::update',
        payload: { scope: 'ops', key, ops: [{ type: 'set', path: 'big', value: 'x'.repeat(1024 * 1024) }] },
      }),
    ).rejects.toMatchObject({ code: 'value_too_large' })
    expect(await iii.trigger({ function_id: 'state::get', payload: { scope: 'ops', key } })).toBeUndefined()
  })
})

describe('stream::update', () => {
  it('applies the same ops to a stream item and reports per-op errors', async () => {
    const r = await iii.trigger<unknown, UpdateResult>({
      function_id: 'stream::update',
      payload: {
        stream_name: 'chat',
        group_id: 'room-1',
        item_id: 'msg-1',
        ops: [
          { type: 'set', path: 'text', value: 'hi' },
          { type: 'append', path: 'text', value: ' there' },
          { type: 'merge', path: ['__proto__'], value: {} },
        ],
      },
    })
    expect(r.new_value).toEqual({ text: 'hi there' })
    expect(codes(r)).toEqual([[2, 'merge.path.proto_polluted']])
  })
})
