// The storage contract: one suite every Storage implementation must pass. sqlite.test.ts and
// postgres.test.ts run it against a fresh database each.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { circle, element, tick } from './contract-fixtures.ts'
import { describeRunAnnotationsStorageContract } from './run-annotations-storage.contract.ts'
import { describeRunQueueStorageContract } from './run-queue-storage.contract.ts'
import { describeRunStorageContract } from './run-storage.contract.ts'
import { describeSecretsStorageContract } from './secrets-storage.contract.ts'
import type { ElementRow, Storage } from './storage.ts'
import { isUniqueViolation } from './unique-violation.ts'

export interface StorageFactory {
  open(): Promise<Storage>
  /** Removes whatever open() created (after close). */
  dispose?(): Promise<void>
}

export function describeStorageContract(name: string, factory: StorageFactory): void {
  describe(`storage contract: ${name}`, () => {
    let db: Storage
    let acme: ElementRow
    beforeAll(async () => {
      db = await factory.open()
      await db.migrate()
      await db.migrate() // idempotent
      acme = circle(`acme-${randomUUID().slice(0, 6)}`)
      await db.insertElement(acme)
    })
    afterAll(async () => {
      await db?.close()
      await factory.dispose?.()
    })

    it('answers ping and reports its dialect', async () => {
      await db.ping()
      expect(['sqlite', 'postgres']).toContain(db.dialect)
    })

    describe('elements', () => {
      it('round-trips every field, JSON and booleans included', async () => {
        const row = element({
          circle_id: acme.id,
          spec: { value: { nested: [1, 'two', null, true] }, unicode: 'héllo ✓' },
          meta: { tags: ['a'] },
          enabled: false,
          intention: 'keep things',
          readme: '# hi',
          state_reason: 'because',
        })
        await db.insertElement(row)
        expect(await db.getElement(row.id)).toEqual(row)
        expect(await db.findElementBySlug(acme.id, row.slug)).toEqual(row)
        expect(await db.findElementInCircle(acme.slug, row.slug)).toEqual(row)
      })

      it('finds circles by slug and lists them, but never a circle as an element of itself', async () => {
        expect(await db.findCircle(acme.slug)).toEqual(acme)
        expect((await db.listCircles()).map((c) => c.id)).toContain(acme.id)
        expect(await db.findElementBySlug(acme.id, acme.slug)).toBeUndefined()
        expect(await db.findElementInCircle(acme.slug, acme.slug)).toBeUndefined()
        expect(await db.findCircle('no-such-circle')).toBeUndefined()
        expect(await db.getElement(randomUUID())).toBeUndefined()
      })

      it('keeps slugs unique among live elements of a circle, and free again after a soft delete', async () => {
        const a = element({ circle_id: acme.id, slug: 'unique-me' })
        await db.insertElement(a)
        const dup = element({ circle_id: acme.id, slug: 'unique-me' })
        const err = await db.insertElement(dup).catch((e: unknown) => e)
        expect(isUniqueViolation(err)).toBe(true)
        expect(await db.updateElement(a.id, { deleted_at: tick() })).toBe(true)
        expect(await db.getElement(a.id)).toBeUndefined()
        expect(await db.findElementBySlug(acme.id, 'unique-me')).toBeUndefined()
        await db.insertElement(dup)
        expect((await db.findElementInCircle(acme.slug, 'unique-me'))?.id).toBe(dup.id)
        // the same slug in another circle is a different element
        const other = circle(`other-${randomUUID().slice(0, 6)}`)
        await db.insertElement(other)
        await db.insertElement(element({ circle_id: other.id, slug: 'unique-me' }))
        const dupCircle = await db.insertElement(circle(other.slug)).catch((e: unknown) => e)
        expect(isUniqueViolation(dupCircle)).toBe(true)
      })

      it('lists and counts children in slug order, with type filter, limit and offset', async () => {
        const parent = element({ circle_id: acme.id, element_type: 'project' })
        await db.insertElement(parent)
        for (const [slug, type] of [
          ['c-b', 'variable'],
          ['c-a', 'python'],
          ['c-c', 'variable'],
        ])
          await db.insertElement(
            element({ circle_id: acme.id, parent_id: parent.id, slug, element_type: type }),
          )
        expect((await db.listChildren(parent.id)).map((e) => e.slug)).toEqual(['c-a', 'c-b', 'c-c'])
        expect((await db.listChildren(parent.id, { types: ['variable'] })).map((e) => e.slug)).toEqual([
          'c-b',
          'c-c',
        ])
        expect((await db.listChildren(parent.id, { limit: 1, offset: 1 })).map((e) => e.slug)).toEqual([
          'c-b',
        ])
        expect(await db.countChildren(parent.id)).toBe(3)
        const all = (await db.listCircleElements(acme.id)).map((e) => e.slug)
        expect(all).toEqual([...all].sort())
        expect(all).toEqual(expect.arrayContaining(['c-a', 'c-b', 'c-c', parent.slug]))
      })

      it('applies a patch only at the expected version, and never to a deleted row', async () => {
        const row = element({ circle_id: acme.id })
        await db.insertElement(row)
        expect(await db.updateElement(row.id, { spec: { value: 2 }, version: 2 }, 2)).toBe(false)
        expect((await db.getElement(row.id))?.version).toBe(1)
        expect(
          await db.updateElement(
            row.id,
            { spec: { value: 2 }, version: 2, name: 'renamed', enabled: false },
            1,
          ),
        ).toBe(true)
        expect(await db.getElement(row.id)).toMatchObject({
          spec: { value: 2 },
          version: 2,
          name: 'renamed',
          enabled: false,
        })
        expect(await db.updateElement(row.id, { meta: { a: 1 } })).toBe(true)
        expect(await db.updateElement(row.id, { deleted_at: tick() })).toBe(true)
        expect(await db.updateElement(row.id, { name: 'ghost' })).toBe(false)
        expect(await db.updateElement(randomUUID(), { name: 'nobody' })).toBe(false)
      })
    })

    describe('transactions', () => {
      it('commits together, and rolls back everything when the function throws', async () => {
        const kept = element({ circle_id: acme.id })
        await db.transaction(async (tx) => {
          await tx.insertElement(kept)
          // nested calls join the outer transaction
          await tx.transaction(async (inner) => inner.updateElement(kept.id, { name: 'inner' }))
        })
        expect((await db.getElement(kept.id))?.name).toBe('inner')

        const lost = element({ circle_id: acme.id })
        const err = await db
          .transaction(async (tx) => {
            await tx.insertElement(lost)
            await tx.updateElement(kept.id, { name: 'half-applied' })
            throw new Error('boom')
          })
          .catch((e: Error) => e)
        expect((err as Error).message).toBe('boom')
        expect(await db.getElement(lost.id)).toBeUndefined()
        expect((await db.getElement(kept.id))?.name).toBe('inner')
      })
    })

    describe('versions', () => {
      it('stores history, newest first, bounded by limit, and refuses a duplicate version', async () => {
        const row = element({ circle_id: acme.id })
        await db.insertElement(row)
        for (let v = 1; v <= 3; v++)
          await db.insertVersion({
            element_id: row.id,
            version: v,
            name: `n${v}`,
            intention: '',
            spec: { value: v, deep: { list: [v] } },
            message: v === 3 ? 'Before restore to v1' : '',
            created_by: v === 1 ? null : 'key-1',
            created_at: tick(),
          })
        expect((await db.listVersions(row.id, 10)).map((v) => v.version)).toEqual([3, 2, 1])
        expect((await db.listVersions(row.id, 2)).map((v) => v.version)).toEqual([3, 2])
        expect(await db.countVersions(row.id)).toBe(3)
        expect(await db.getVersion(row.id, 2)).toMatchObject({
          name: 'n2',
          spec: { value: 2, deep: { list: [2] } },
          created_by: 'key-1',
        })
        expect((await db.getVersion(row.id, 3))?.message).toBe('Before restore to v1')
        expect(await db.getVersion(row.id, 9)).toBeUndefined()
        const dup = await db
          .insertVersion({
            element_id: row.id,
            version: 2,
            name: 'x',
            intention: '',
            spec: {},
            message: '',
            created_by: null,
            created_at: tick(),
          })
          .catch((e: unknown) => e)
        expect(isUniqueViolation(dup)).toBe(true)
      })
    })

    describe('api keys', () => {
      it('finds a key by hash, lists by circle, and revokes once', async () => {
        const id = randomUUID()
        const hash = `h-${randomUUID()}`
        await db.insertApiKey({
          id,
          circle_id: acme.id,
          name: 'ci',
          prefix: 'pk_abc',
          hash,
          scopes: ['read', 'execute'],
          created_by: null,
          created_at: tick(),
          revoked_at: null,
        })
        expect(await db.findApiKeyByHash(hash)).toMatchObject({ id, scopes: ['read', 'execute'] })
        expect(await db.findApiKeyByHash('nope')).toBeUndefined()
        expect((await db.listApiKeys(acme.id)).map((k) => k.id)).toContain(id)
        expect(await db.revokeApiKey(randomUUID(), id, tick())).toBe(false) // wrong circle
        expect(await db.revokeApiKey(acme.id, id, tick())).toBe(true)
        expect(await db.revokeApiKey(acme.id, id, tick())).toBe(false) // already revoked
        expect((await db.findApiKeyByHash(hash))?.revoked_at).not.toBeNull()
      })
    })

    describe('activity', () => {
      it('assigns increasing sequence numbers and pages newest first', async () => {
        const c = circle(`act-${randomUUID().slice(0, 6)}`)
        await db.insertElement(c)
        const e1 = randomUUID()
        const e2 = randomUUID()
        const seqs: number[] = []
        for (let i = 0; i < 5; i++)
          seqs.push(
            await db.insertActivity({
              circle_id: c.id,
              element_id: i % 2 ? e2 : e1,
              action: `a${i}`,
              actor: 'admin',
              details: { i },
              created_at: tick(),
            }),
          )
        expect([...seqs].sort((a, b) => a - b)).toEqual(seqs)
        const page1 = await db.listActivity({ circleId: c.id, limit: 2 })
        expect(page1.map((a) => a.action)).toEqual(['a4', 'a3'])
        const page2 = await db.listActivity({ circleId: c.id, limit: 10, before: page1[1]!.seq })
        expect(page2.map((a) => a.action)).toEqual(['a2', 'a1', 'a0'])
        expect(page2[0]!.details).toEqual({ i: 2 })
        expect(
          (await db.listActivity({ circleId: c.id, elementIds: [e2], limit: 10 })).map((a) => a.action),
        ).toEqual(['a3', 'a1'])
        expect(await db.listActivity({ circleId: c.id, elementIds: [], limit: 10 })).toEqual([])
      })
    })

    describe('attachments', () => {
      it('stores one attachment per pair, lists by target in priority order, and deletes', async () => {
        const target = element({ circle_id: acme.id })
        const s1 = element({ circle_id: acme.id })
        const s2 = element({ circle_id: acme.id })
        for (const e of [target, s1, s2]) await db.insertElement(e)
        const base = {
          circle_id: acme.id,
          target_id: target.id,
          cascade_policy: 'inherit',
          version_pin: null,
        }
        const a1 = { ...base, id: randomUUID(), source_id: s1.id, priority: 20, created_at: tick() }
        const a2 = {
          ...base,
          id: randomUUID(),
          source_id: s2.id,
          priority: 10,
          created_at: tick(),
          version_pin: 3,
        }
        await db.insertAttachment(a1)
        await db.insertAttachment(a2)
        const dup = await db
          .insertAttachment({ ...a1, id: randomUUID(), created_at: tick() })
          .catch((e: unknown) => e)
        expect(isUniqueViolation(dup)).toBe(true)
        expect((await db.listAttachments({ targetId: target.id })).map((a) => a.id)).toEqual([a2.id, a1.id])
        expect(await db.listAttachments({ sourceId: s1.id })).toEqual([a1])
        expect(await db.getAttachment(a2.id)).toEqual(a2)
        expect(await db.findAttachment(s2.id, target.id)).toEqual(a2)
        expect(await db.deleteAttachment(a2.id)).toBe(true)
        expect(await db.deleteAttachment(a2.id)).toBe(false)
        expect(await db.findAttachment(s2.id, target.id)).toBeUndefined()
      })
    })

    describeRunStorageContract(() => ({ db, acme }))
    describeRunQueueStorageContract(() => ({ db, acme }))
    describeRunAnnotationsStorageContract(() => ({ db, acme }))
    describeSecretsStorageContract(() => ({ db, acme }))
  })
}
