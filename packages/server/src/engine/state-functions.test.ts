// state::* and stream::* through iii-sdk on each storage dialect: get, set, delete, list,
// list_groups in iii's result shapes (old_value null for a new item, no value for a missing one),
// custom streams served by a worker, and bad input refused with invalid_payload.
import type { IIIClient } from 'iii-sdk'
import { createStream } from 'iii-sdk/helpers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { storageKinds } from '../../test/test-server.ts'
import { type EngineKit, startEngineKit, waitForFunction } from './engine-test-kit.ts'

describe.each(storageKinds())('state and stream functions on %s', (storage) => {
  let kit: EngineKit
  let iii: IIIClient
  beforeAll(async () => {
    kit = await startEngineKit({ storage })
    iii = kit.worker()
  })
  afterAll(async () => kit?.close())
  const call = <T = unknown>(function_id: string, payload: unknown) =>
    iii.trigger<unknown, T>({ function_id, payload })

  it('sets, gets, lists and deletes state values', async () => {
    // A missing key is no value at all: iii leaves `result` out of the invocationresult.
    expect(await call('state::get', { scope: 'carts', key: 'u1' })).toBeUndefined()
    expect(await call('state::set', { scope: 'carts', key: 'u1', value: { items: 1 } })).toEqual({
      old_value: null,
      new_value: { items: 1 },
    })
    expect(await call('state::set', { scope: 'carts', key: 'u1', value: { items: 2 } })).toEqual({
      old_value: { items: 1 },
      new_value: { items: 2 },
    })
    await call('state::set', { scope: 'carts', key: 'u0', value: { items: 0 } })
    // iii's StateSetInput reads `data` as an alias of `value`.
    await call('state::set', { scope: 'sessions', key: 's', data: 'x' })
    expect(await call('state::get', { scope: 'sessions', key: 's' })).toBe('x')
    expect(await call('state::get', { scope: 'carts', key: 'u1' })).toEqual({ items: 2 })
    expect(await call('state::list', { scope: 'carts' })).toEqual([{ items: 0 }, { items: 2 }])
    expect(await call('state::list_groups', {})).toEqual({ groups: ['carts', 'sessions'] })
    // iii's state::delete answers the old value itself, and nothing when there was none.
    expect(await call('state::delete', { scope: 'carts', key: 'u1' })).toEqual({ items: 2 })
    expect(await call('state::delete', { scope: 'carts', key: 'u1' })).toBeUndefined()
    expect(await call('state::get', { scope: 'carts', key: 'u1' })).toBeUndefined()
  })

  it('sets, gets, lists and deletes stream items by stream, group and item', async () => {
    const at = { stream_name: 'chat', group_id: 'room-1' }
    expect(await call('stream::set', { ...at, item_id: 'm1', data: { text: 'hi' } })).toEqual({
      old_value: null,
      new_value: { text: 'hi' },
    })
    expect(await call('stream::get', { ...at, item_id: 'nope' })).toBeUndefined()
    await call('stream::set', { ...at, item_id: 'm2', data: { text: 'there' } })
    await call('stream::set', {
      stream_name: 'chat',
      group_id: 'room-2',
      item_id: 'm1',
      data: { text: 'other' },
    })
    expect(await call('stream::get', { ...at, item_id: 'm1' })).toEqual({ text: 'hi' })
    expect(await call('stream::list', at)).toEqual([{ text: 'hi' }, { text: 'there' }])
    expect(await call('stream::list_groups', { stream_name: 'chat' })).toEqual(['room-1', 'room-2'])
    await call('stream::set', { stream_name: 'alerts', group_id: 'ops', item_id: 'a1', data: 1 })
    expect(await call('stream::list_all', {})).toEqual({
      stream: [
        { id: 'alerts', groups: ['ops'] },
        { id: 'chat', groups: ['room-1', 'room-2'] },
      ],
      count: 2,
    })
    expect(await call('stream::delete', { ...at, item_id: 'm2' })).toEqual({ old_value: { text: 'there' } })
    expect(await call('stream::delete', { ...at, item_id: 'm2' })).toEqual({ old_value: null })
    expect(await call('stream::list', at)).toEqual([{ text: 'hi' }])
  })

  it('refuses missing or oversized names and non-object payloads with invalid_payload', async () => {
    for (const [fn, payload] of [
      ['state::get', { scope: 'carts' }],
      ['state::set', { scope: '', key: 'k', value: 1 }],
      ['state::set', { scope: 's', key: 'k'.repeat(513), value: 1 }],
      ['stream::get', { stream_name: 'chat', group_id: 'g' }],
      ['state::list', 'carts'],
    ] as const) {
      await expect(call(fn, payload)).rejects.toMatchObject({ code: 'invalid_payload' })
    }
  })
})

describe('custom streams', () => {
  let kit: EngineKit
  beforeAll(async () => {
    kit = await startEngineKit()
  })
  afterAll(async () => kit?.close())

  it('hands stream::* of a stream a worker serves to its functions, and answers with their results', async () => {
    const owner = kit.worker()
    const items = new Map<string, unknown>()
    const keyOf = (i: { group_id: string; item_id: string }) => `${i.group_id}/${i.item_id}`
    createStream(owner, 'orders', {
      get: async (i) => items.get(keyOf(i)) ?? null,
      set: async (i) => {
        const old_value = items.get(keyOf(i))
        const new_value = { ...(i.data as object), stamped: true }
        items.set(keyOf(i), new_value)
        return { old_value, new_value }
      },
      delete: async (i) => {
        const old_value = items.get(keyOf(i))
        items.delete(keyOf(i))
        return { old_value }
      },
      list: async (i) => [...items].filter(([k]) => k.startsWith(`${i.group_id}/`)).map(([, v]) => v),
      listGroups: async () => ['g1'],
      update: async () => null,
    })
    // createStream registers no update; a worker may serve one itself (iii calls it when present).
    owner.registerFunction('stream::update(orders)', async () => undefined)
    await waitForFunction(owner, 'stream::update(orders)')
    const user = kit.worker()
    const call = (function_id: string, payload: unknown) => user.trigger({ function_id, payload })
    const at = { stream_name: 'orders', group_id: 'g1', item_id: 'o1' }
    // The custom set's own answer comes back: the updated item as the worker stored it.
    expect(await call('stream::set', { ...at, data: { n: 1 } })).toEqual({
      old_value: null,
      new_value: { n: 1, stamped: true },
    })
    expect(await call('stream::get', at)).toEqual({ n: 1, stamped: true })
    expect(await call('stream::list', at)).toEqual([{ n: 1, stamped: true }])
    expect(await call('stream::list_groups', { stream_name: 'orders' })).toEqual(['g1'])
    expect(await call('stream::delete', at)).toEqual({ old_value: { n: 1, stamped: true } })
    // A custom set that answers nothing is iii's STREAM_UPDATE_ERROR, not a silent success.
    await expect(call('stream::update', { ...at, ops: [] })).rejects.toMatchObject({
      code: 'STREAM_UPDATE_ERROR',
    })
  })
})
