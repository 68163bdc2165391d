// The state store contract, run on every implementation (state-store.test.ts: each storage
// dialect; memory-state-store.test.ts: memory): reads, writes, atomic read-modify-write under
// concurrency, listings, and isolation between circles.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ItemRef, StateStore } from './state-store.ts'

export interface OpenedStateStore {
  store: StateStore
  close(): Promise<void>
}

export function describeStateStoreContract(name: string, open: () => Promise<OpenedStateStore>): void {
  describe(`state store contract: ${name}`, () => {
    let opened: OpenedStateStore | undefined
    let store: StateStore
    beforeAll(async () => {
      opened = await open()
      store = opened.store
    })
    afterAll(async () => {
      await opened?.close()
    })
    const state = (key: string, circleId = 'c1', scope = 'carts'): ItemRef => ({
      circleId,
      kind: 'state',
      scope,
      group: '',
      key,
    })

    it('reads a missing item as undefined', async () => {
      expect(await store.get(state('missing'))).toBeUndefined()
    })

    it('sets, returning the old value, and reads back unicode and nested JSON', async () => {
      const value = { name: 'Zoë ☃', nested: { list: [1, 2.5, null, true], empty: {} } }
      expect(await store.set(state('u1'), value)).toEqual({ old_value: undefined, new_value: value })
      expect(await store.set(state('u1'), 7)).toEqual({ old_value: value, new_value: 7 })
      expect(await store.get(state('u1'))).toBe(7)
    })

    it('stores null as a value distinct from a missing item', async () => {
      await store.set(state('nullish'), null)
      expect(await store.get(state('nullish'))).toBe(null)
    })

    it('deletes, returning the old value; deleting again returns none', async () => {
      await store.set(state('d'), { a: 1 })
      expect(await store.delete(state('d'))).toEqual({ old_value: { a: 1 }, new_value: undefined })
      expect(await store.delete(state('d'))).toEqual({ old_value: undefined, new_value: undefined })
      expect(await store.get(state('d'))).toBeUndefined()
    })

    it('updates atomically: 40 concurrent read-modify-writes lose nothing', async () => {
      await Promise.all(
        Array.from({ length: 40 }, () =>
          store.update(state('counter'), (old) => ({ value: ((old as number | undefined) ?? 0) + 1 })),
        ),
      )
      expect(await store.get(state('counter'))).toBe(40)
    })

    it('writes nothing when the update function throws', async () => {
      await store.set(state('keep'), 'original')
      await expect(
        store.update(state('keep'), () => {
          throw new Error('refused')
        }),
      ).rejects.toThrow('refused')
      expect(await store.get(state('keep'))).toBe('original')
    })

    it('keeps the writes around a refused one when they run together', async () => {
      const inc = () =>
        store.update(state('mixed'), (old) => ({ value: ((old as number | undefined) ?? 0) + 1 }))
      const refused = store.update(state('mixed'), () => {
        throw new Error('no')
      })
      const results = await Promise.allSettled([inc(), refused, inc(), store.delete(state('gone')), inc()])
      expect(results.map((r) => r.status)).toEqual([
        'fulfilled',
        'rejected',
        'fulfilled',
        'fulfilled',
        'fulfilled',
      ])
      expect(await store.get(state('mixed'))).toBe(3)
    })

    it('lists a scope in key order and the scopes of a circle', async () => {
      await store.set(state('b', 'c2', 'list'), 2)
      await store.set(state('a', 'c2', 'list'), 1)
      await store.set(state('z', 'c2', 'other'), 3)
      expect(await store.list('c2', 'state', 'list', '')).toEqual([
        { key: 'a', value: 1 },
        { key: 'b', value: 2 },
      ])
      expect(await store.listGroups('c2', 'state')).toEqual(['list', 'other'])
    })

    it('keeps stream items by stream, group and item, and lists a stream’s groups', async () => {
      const item = (group: string, key: string): ItemRef => ({
        circleId: 'c3',
        kind: 'stream',
        scope: 'chat',
        group,
        key,
      })
      await store.set(item('room-2', 'm1'), { text: 'hi' })
      await store.set(item('room-1', 'm1'), { text: 'hello' })
      await store.set(item('room-1', 'm2'), { text: 'again' })
      expect(await store.get(item('room-2', 'm1'))).toEqual({ text: 'hi' })
      expect((await store.list('c3', 'stream', 'chat', 'room-1')).map((r) => r.key)).toEqual(['m1', 'm2'])
      expect(await store.listGroups('c3', 'stream', 'chat')).toEqual(['room-1', 'room-2'])
      expect(await store.listGroups('c3', 'state')).toEqual([])
      expect(await store.listStreams('c3')).toEqual([{ id: 'chat', groups: ['room-1', 'room-2'] }])
    })

    it('keeps circles and kinds apart', async () => {
      await store.set(state('shared', 'c4'), 'circle 4')
      await store.set(state('shared', 'c5'), 'circle 5')
      await store.set(
        { circleId: 'c4', kind: 'stream', scope: 'carts', group: '', key: 'shared' },
        'a stream',
      )
      expect(await store.get(state('shared', 'c4'))).toBe('circle 4')
      expect(await store.get(state('shared', 'c5'))).toBe('circle 5')
      expect(await store.list('c4', 'state', 'carts', '')).toEqual([{ key: 'shared', value: 'circle 4' }])
    })
  })
}
