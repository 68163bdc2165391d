// The secrets-at-rest part of the storage contract: wrapped data keys (insert once, re-wrap only
// from the expected master key, list what is not yet rotated). The cookie jar's sealed state is
// the jar type's own table (elements/cookie-jar/jar-tables.test.ts).
import { randomUUID } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import { tick } from './contract-fixtures.ts'
import type { Storage } from './storage.ts'

export function describeSecretsStorageContract(get: () => { db: Storage }): void {
  describe('secrets at rest', () => {
    let db: Storage
    beforeAll(() => {
      ;({ db } = get())
    })

    it('inserts a data key once, re-wraps it only from the expected master key, and lists unrotated keys', async () => {
      const ids: string[] = [randomUUID(), randomUUID(), randomUUID()].sort()
      for (const [i, id] of ids.entries()) {
        const at = tick()
        expect(
          await db.insertDataKey({
            element_id: id,
            master_key_id: i === 2 ? 2 : 1,
            wrapped: `w${i}`,
            created_at: at,
            updated_at: at,
          }),
        ).toBe(true)
      }
      const at = tick()
      expect(
        await db.insertDataKey({
          element_id: ids[0]!,
          master_key_id: 9,
          wrapped: 'other',
          created_at: at,
          updated_at: at,
        }),
      ).toBe(false)
      expect(await db.getDataKey(ids[0]!)).toMatchObject({ master_key_id: 1, wrapped: 'w0' })
      const notTwo = (await db.listDataKeysNotWrappedBy(2, '', 100)).filter((r) => ids.includes(r.element_id))
      expect(notTwo.map((r) => r.element_id)).toEqual([ids[0], ids[1]])
      const page = await db.listDataKeysNotWrappedBy(2, ids[0]!, 100)
      expect(page.some((r) => r.element_id === ids[0])).toBe(false)
      expect(await db.rewrapDataKey(ids[0]!, 5, { master_key_id: 2, wrapped: 'x', updated_at: tick() })).toBe(
        false,
      )
      expect(
        await db.rewrapDataKey(ids[0]!, 1, { master_key_id: 2, wrapped: 'w0b', updated_at: tick() }),
      ).toBe(true)
      expect(await db.getDataKey(ids[0]!)).toMatchObject({ master_key_id: 2, wrapped: 'w0b' })
      const counts = await db.countDataKeysByMasterKey()
      expect(counts.find((c) => c.master_key_id === 2)!.count).toBeGreaterThanOrEqual(2)
      expect(await db.deleteDataKey(ids[1]!)).toBe(true)
      expect(await db.deleteDataKey(ids[1]!)).toBe(false)
      expect(await db.getDataKey(ids[1]!)).toBeUndefined()
    })
  })
}
