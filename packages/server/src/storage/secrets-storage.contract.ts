// The secrets-at-rest part of the storage contract: wrapped data keys (insert once, re-wrap only
// from the expected master key, list what is not yet rotated) and cookie jars' state rows
// (compare-and-set on revision, sealed kept when left out, one jar per browser).
import { randomUUID } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import { element, tick } from './contract-fixtures.ts'
import type { CookieJarRow, ElementRow, Storage } from './storage.ts'

export function describeSecretsStorageContract(get: () => { db: Storage; acme: ElementRow }): void {
  describe('secrets at rest', () => {
    let db: Storage
    let acme: ElementRow
    beforeAll(() => {
      ;({ db, acme } = get())
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

    it('writes a jar state row with compare-and-set on its revision', async () => {
      const jar = element({ circle_id: acme.id, element_type: 'cookie-jar' })
      await db.insertElement(jar)
      const row: CookieJarRow = {
        element_id: jar.id,
        circle_id: acme.id,
        revision: 1,
        cookies_version: 1,
        sealed: 'z1.sealed-one',
        meta: { domain_counts: { '.a.com': 1 }, expirations: '' },
        attached_browser_id: null,
        updated_at: tick(),
      }
      expect(await db.putCookieJar(row, null)).toBe('ok')
      expect(await db.putCookieJar(row, null)).toBe('conflict')
      expect(await db.getCookieJar(jar.id)).toEqual(row)
      expect(await db.getCookieJar(jar.id, { withSealed: false })).toEqual({ ...row, sealed: null })
      expect(await db.putCookieJar({ ...row, revision: 3 }, 7)).toBe('conflict')
      // Leaving sealed out keeps the stored blob.
      const { sealed: _s, ...noBlob } = row
      expect(await db.putCookieJar({ ...noBlob, revision: 2, attached_browser_id: randomUUID() }, 1)).toBe(
        'ok',
      )
      expect((await db.getCookieJar(jar.id))!).toMatchObject({ revision: 2, sealed: 'z1.sealed-one' })
      expect(await db.deleteCookieJar(jar.id)).toBe(true)
      expect(await db.getCookieJar(jar.id)).toBeUndefined()
    })

    it('lets one browser be held by one jar only, and finds the jar by its browser', async () => {
      const browser = randomUUID()
      const rows = [randomUUID(), randomUUID()].map((id) => ({
        element_id: id,
        circle_id: acme.id,
        revision: 1,
        cookies_version: 0,
        meta: {},
        attached_browser_id: null as string | null,
        updated_at: tick(),
      }))
      for (const r of rows) expect(await db.putCookieJar(r, null)).toBe('ok')
      expect(await db.putCookieJar({ ...rows[0]!, revision: 2, attached_browser_id: browser }, 1)).toBe('ok')
      const taken = await db
        .transaction(async (tx) =>
          tx.putCookieJar({ ...rows[1]!, revision: 2, attached_browser_id: browser }, 1),
        )
        .catch((err) => err)
      expect(taken).toBe('browser_taken')
      expect(await db.findCookieJarByBrowser(browser)).toMatchObject({
        element_id: rows[0]!.element_id,
        sealed: null,
      })
      expect(await db.findCookieJarByBrowser(randomUUID())).toBeUndefined()
    })
  })
}
