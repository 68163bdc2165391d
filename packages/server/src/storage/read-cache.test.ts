// The SQLite storage's read cache (read-cache.ts) never serves a row its writes changed: an
// update, a revocation or an attachment is seen by the next read, a rolled-back write is not.
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { circle, element, tick } from './contract-fixtures.ts'
import { createSqliteStorage } from './sqlite.ts'
import type { ApiKeyRow, ElementRow, Storage } from './storage.ts'

describe('the SQLite read cache', () => {
  let storage: Storage
  let c: ElementRow
  let el: ElementRow

  beforeEach(async () => {
    storage = createSqliteStorage(':memory:')
    await storage.migrate()
    c = circle(`c-${randomUUID().slice(0, 8)}`)
    el = element({ circle_id: c.id, slug: 'cached' })
    await storage.insertElement(c)
    await storage.insertElement(el)
  })
  afterEach(() => storage.close())

  it('serves an element updated after it was cached as updated, and a deleted one not at all', async () => {
    expect((await storage.findElementInCircle(c.slug, 'cached'))?.version).toBe(1)
    await storage.updateElement(el.id, { version: 2, spec: { a: 1 } })
    const updated = await storage.findElementInCircle(c.slug, 'cached')
    expect([updated?.version, updated?.spec]).toEqual([2, { a: 1 }])
    await storage.updateElement(el.id, { deleted_at: tick() })
    expect(await storage.findElementInCircle(c.slug, 'cached')).toBeUndefined()
  })

  it('gives each caller its own copy of a cached row', async () => {
    const first = await storage.findElementInCircle(c.slug, 'cached')
    first!.spec['changed'] = true
    expect((await storage.findElementInCircle(c.slug, 'cached'))?.spec).toEqual({})
  })

  it('stops finding a key as valid as soon as its revocation is written', async () => {
    const key: ApiKeyRow = {
      id: randomUUID(),
      circle_id: c.id,
      name: 'k',
      prefix: 'pk_x',
      hash: randomUUID(),
      scopes: ['read'],
      created_by: null,
      created_at: tick(),
      revoked_at: null,
    }
    await storage.insertApiKey(key)
    expect((await storage.findApiKeyByHash(key.hash))?.revoked_at).toBeNull()
    const at = tick()
    await storage.revokeApiKey(c.id, key.id, at)
    expect((await storage.findApiKeyByHash(key.hash))?.revoked_at).toBe(at)
  })

  it('sees an attachment written in a transaction once it commits, and none from a rolled-back one', async () => {
    const source = element({ circle_id: c.id, slug: 'limit' })
    await storage.insertElement(source)
    expect(await storage.listAttachments({ targetId: el.id })).toEqual([])
    const row = {
      id: randomUUID(),
      circle_id: c.id,
      source_id: source.id,
      target_id: el.id,
      priority: 0,
      cascade_policy: 'none',
      version_pin: null,
      created_at: tick(),
    }
    await expect(
      storage.transaction(async (tx) => {
        await tx.insertAttachment(row)
        throw new Error('rolled back')
      }),
    ).rejects.toThrow('rolled back')
    expect(await storage.listAttachments({ targetId: el.id })).toEqual([])
    await storage.transaction((tx) => tx.insertAttachment(row))
    expect((await storage.listAttachments({ targetId: el.id })).map((a) => a.id)).toEqual([row.id])
  })
})

describe('the SQLite read cache with another process on the same file', () => {
  it('serves a row another connection changed as changed once a request freshens it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'read-cache-'))
    const a = createSqliteStorage(join(dir, 'db.sqlite'))
    const b = createSqliteStorage(join(dir, 'db.sqlite'))
    try {
      await a.migrate()
      const c = circle(`c-${randomUUID().slice(0, 8)}`)
      const el = element({ circle_id: c.id, slug: 'shared' })
      await a.insertElement(c)
      await a.insertElement(el)
      expect((await a.findElementInCircle(c.slug, 'shared'))?.version).toBe(1)
      await b.updateElement(el.id, { version: 2, spec: { by: 'b' } })
      a.freshen?.()
      expect((await a.findElementInCircle(c.slug, 'shared'))?.spec).toEqual({ by: 'b' })
      // Without a request, within a millisecond at most.
      await b.updateElement(el.id, { version: 3, spec: { by: 'b again' } })
      await new Promise((r) => setTimeout(r, 5))
      expect((await a.findElementInCircle(c.slug, 'shared'))?.spec).toEqual({ by: 'b again' })
    } finally {
      await a.close()
      await b.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
