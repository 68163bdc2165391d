// state::* and stream::* through iii-sdk on each storage dialect: get, set, delete, list,
// list_groups, with old/new values, and bad input refused with invalid_payload.
import type { IIIClient } from 'iii-sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { storageKinds } from '../../test/test-server.ts'
import { type EngineKit, startEngineKit } from './engine-test-kit.ts'

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
    expect(await call('state::get', { scope: 'carts', key: 'u1' })).toBe(null)
    expect(await call('state::set', { scope: 'carts', key: 'u1', value: { items: 1 } })).toEqual({
      new_value: { items: 1 },
    })
    expect(await call('state::set', { scope: 'carts', key: 'u1', value: { items: 2 } })).toEqual({
      old_value: { items: 1 },
      new_value: { items: 2 },
    })
    await call('state::set', { scope: 'carts', key: 'u0', value: { items: 0 } })
    await call('state::set', { scope: 'sessions', key: 's', value: 'x' })
    expect(await call('state::get', { scope: 'carts', key: 'u1' })).toEqual({ items: 2 })
    expect(await call('state::list', { scope: 'carts' })).toEqual([{ items: 0 }, { items: 2 }])
    expect(await call('state::list_groups', {})).toEqual(['carts', 'sessions'])
    expect(await call('state::delete', { scope: 'carts', key: 'u1' })).toEqual({ old_value: { items: 2 } })
    expect(await call('state::delete', { scope: 'carts', key: 'u1' })).toEqual({})
    expect(await call('state::get', { scope: 'carts', key: 'u1' })).toBe(null)
  })

  it('sets, gets, lists and deletes stream items by stream, group and item', async () => {
    const at = { stream_name: 'chat', group_id: 'room-1' }
    expect(await call('stream::set', { ...at, item_id: 'm1', data: { text: 'hi' } })).toEqual({
      new_value: { text: 'hi' },
    })
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
    expect(await call('stream::delete', { ...at, item_id: 'm2' })).toEqual({ old_value: { text: 'there' } })
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
