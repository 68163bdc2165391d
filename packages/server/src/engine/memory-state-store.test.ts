// The in-memory state store (iii's kv adapter, store_method: in_memory): the same contract as
// the database store, plus its byte budget and the router that sends a circle's kind to it.
import { describe, expect, it } from 'vitest'
import { MemoryStateStore } from './memory-state-store.ts'
import { describeStateStoreContract } from './state-store.contract.ts'
import type { ItemRef, StateStore } from './state-store.ts'
import { StateStoreRouter } from './state-store-router.ts'

describeStateStoreContract('memory', async () => ({ store: new MemoryStateStore(), close: async () => {} }))

const ref = (key: string, circleId = 'c1', kind: ItemRef['kind'] = 'state'): ItemRef => ({
  circleId,
  kind,
  scope: 'carts',
  group: kind === 'stream' ? 'g' : '',
  key,
})

describe('memory state store', () => {
  it('refuses a write past its byte budget with state_store_full, keeping what it holds; deletes free room', async () => {
    const store = new MemoryStateStore(1000)
    await store.set(ref('a'), 'x'.repeat(300))
    await expect(store.set(ref('b'), 'y'.repeat(300))).rejects.toMatchObject({ code: 'state_store_full' })
    expect(await store.get(ref('a'))).toBe('x'.repeat(300))
    expect(await store.get(ref('b'))).toBeUndefined()
    // Shrinking an item is always allowed; deleting frees its bytes.
    await store.set(ref('a'), 'small')
    await store.set(ref('b'), 'y'.repeat(300))
    await store.delete(ref('b'))
    expect(await store.listGroups('c1', 'state')).toEqual(['carts'])
    await store.delete(ref('a'))
    expect(store.usedBytes).toBe(0)
    expect(await store.listGroups('c1', 'state')).toEqual([])
  })

  it('hands out copies: changing a value it returned does not change the stored one', async () => {
    const store = new MemoryStateStore()
    const c = await store.set(ref('obj'), { n: 1 })
    ;(c.new_value as { n: number }).n = 99
    const got = (await store.get(ref('obj'))) as { n: number }
    got.n = 42
    expect(await store.get(ref('obj'))).toEqual({ n: 1 })
  })
})

describe('state store router', () => {
  it('keeps the kinds of the circles named in memory and everything else in the other store', async () => {
    const database: StateStore = new MemoryStateStore()
    const router = new StateStoreRouter(database)
    router.useMemory('c1', 'state')
    await router.set(ref('k'), 'in memory')
    await router.set(ref('k', 'c1', 'stream'), 'c1 stream')
    await router.set(ref('k', 'c2'), 'c2 state')
    expect(await router.memory.get(ref('k'))).toBe('in memory')
    expect(await database.get(ref('k'))).toBeUndefined()
    expect(await database.get(ref('k', 'c1', 'stream'))).toBe('c1 stream')
    expect(await database.get(ref('k', 'c2'))).toBe('c2 state')
    expect(await router.list('c1', 'state', 'carts', '')).toEqual([{ key: 'k', value: 'in memory' }])
    expect(await router.listGroups('c1', 'stream', 'carts')).toEqual(['g'])
  })
})
