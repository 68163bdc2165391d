// state and stream triggers firing worker functions through iii-sdk: event shapes, filters,
// condition functions, and a failing handler that leaves the write in place.
import type { IIIClient } from 'iii-sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type EngineKit, eventually, startEngineKit, waitForTrigger } from './engine-test-kit.ts'

let kit: EngineKit
let iii: IIIClient

beforeAll(async () => {
  kit = await startEngineKit()
  iii = kit.worker()
})
afterAll(async () => kit?.close())

/** Registers a function that records its inputs, bound by a trigger of `type`. */
async function recorder(id: string, type: string, config: Record<string, unknown>) {
  const seen: any[] = []
  iii.registerFunction(id, async (e: unknown) => {
    seen.push(e)
    return null
  })
  iii.registerTrigger({ type, function_id: id, config })
  await waitForTrigger(iii, id)
  return seen
}

const call = (function_id: string, payload: unknown) => iii.trigger({ function_id, payload })

describe('state triggers', () => {
  it('fire after created, updated and deleted with old and new values', async () => {
    const seen = await recorder('on::cart', 'state', { scope: 'carts' })
    await call('state::set', { scope: 'carts', key: 'u1', value: { items: 1 } })
    await call('state::update', {
      scope: 'carts',
      key: 'u1',
      ops: [{ type: 'increment', path: 'items', by: 1 }],
    })
    await call('state::delete', { scope: 'carts', key: 'u1' })
    // As on iii, deleting a key that is not there still fires state:deleted (old_value null).
    await call('state::delete', { scope: 'carts', key: 'u1' })
    await call('state::set', { scope: 'other', key: 'u1', value: 1 })
    await eventually(() => expect(seen).toHaveLength(4))
    expect(seen).toEqual([
      {
        type: 'state',
        event_type: 'state:created',
        scope: 'carts',
        key: 'u1',
        old_value: null,
        new_value: { items: 1 },
      },
      {
        type: 'state',
        event_type: 'state:updated',
        scope: 'carts',
        key: 'u1',
        old_value: { items: 1 },
        new_value: { items: 2 },
      },
      {
        type: 'state',
        event_type: 'state:deleted',
        scope: 'carts',
        key: 'u1',
        old_value: { items: 2 },
        new_value: null,
      },
      {
        type: 'state',
        event_type: 'state:deleted',
        scope: 'carts',
        key: 'u1',
        old_value: null,
        new_value: null,
      },
    ])
  })

  it('filters by key', async () => {
    const seen = await recorder('on::vip', 'state', { scope: 'users', key: 'vip' })
    await call('state::set', { scope: 'users', key: 'someone', value: 1 })
    await call('state::set', { scope: 'users', key: 'vip', value: 2 })
    await eventually(() => expect(seen.map((e) => e.key)).toEqual(['vip']))
  })

  it('keeps the write when the handler fails', async () => {
    iii.registerFunction('on::explode', async () => {
      throw new Error('handler broke')
    })
    iii.registerTrigger({ type: 'state', function_id: 'on::explode', config: { scope: 'fragile' } })
    const seen = await recorder('on::fragile-ok', 'state', { scope: 'fragile' })
    await call('state::set', { scope: 'fragile', key: 'k', value: 'kept' })
    await eventually(() => expect(seen).toHaveLength(1))
    expect(await call('state::get', { scope: 'fragile', key: 'k' })).toBe('kept')
  })
})

describe('stream triggers', () => {
  it('fire with the StreamChangeEvent shape for create, update and delete', async () => {
    const seen = await recorder('on::chat', 'stream', { stream_name: 'chat', group_id: 'room-1' })
    const at = { stream_name: 'chat', group_id: 'room-1', item_id: 'm1' }
    await call('stream::set', { ...at, data: { text: 'hi' } })
    await call('stream::update', { ...at, ops: [{ type: 'append', path: 'text', value: '!' }] })
    await call('stream::delete', at)
    await call('stream::set', { stream_name: 'chat', group_id: 'room-2', item_id: 'x', data: 1 })
    await eventually(() => expect(seen).toHaveLength(3))
    expect(seen.map((e) => [e.type, e.streamName, e.groupId, e.id, e.event])).toEqual([
      ['stream', 'chat', 'room-1', 'm1', { type: 'create', data: { text: 'hi' } }],
      ['stream', 'chat', 'room-1', 'm1', { type: 'update', data: { text: 'hi!' } }],
      ['stream', 'chat', 'room-1', 'm1', { type: 'delete', data: { text: 'hi!' } }],
    ])
    for (const e of seen) expect(e.timestamp).toBeGreaterThan(Date.now() - 60_000)
  })

  it('refuses a stream trigger without stream_name', async () => {
    iii.registerFunction('on::nothing', async () => null)
    iii.registerTrigger({ type: 'stream', function_id: 'on::nothing', config: {} })
    await recorder('on::sentinel', 'stream', { stream_name: 'sentinel' })
    const r = await iii.trigger<unknown, { registered_triggers: Array<{ function_id: string }> }>({
      function_id: 'engine::registered-triggers::list',
      payload: {},
    })
    expect(r.registered_triggers.some((t) => t.function_id === 'on::nothing')).toBe(false)
  })
})

describe('condition functions', () => {
  it('skip the handler when the condition returns false', async () => {
    iii.registerFunction('cond::big-orders', async (e: any) => (e.new_value?.total ?? 0) >= 100)
    const seen = await recorder('on::big-order', 'state', {
      scope: 'orders',
      condition_function_id: 'cond::big-orders',
    })
    await call('state::set', { scope: 'orders', key: 'o1', value: { total: 5 } })
    await call('state::set', { scope: 'orders', key: 'o2', value: { total: 250 } })
    await call('state::set', { scope: 'orders', key: 'o3', value: { total: 50 } })
    await eventually(() => expect(seen.map((e) => e.key)).toEqual(['o2']))
    await new Promise((r) => setTimeout(r, 100))
    expect(seen.map((e) => e.key)).toEqual(['o2'])
  })
})
