// Envelope encryption on a real SQLite store: what a sealed value is bound to, how keys are
// wrapped, and what rotation changes (the wrapping) and keeps (the blobs).
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseMasterKeys } from '../config-parsers.ts'
import { createSqliteStorage } from '../storage/sqlite.ts'
import type { Storage } from '../storage/storage.ts'
import { MASTER_KEY_FILE, MasterKeyRing } from './master-key-ring.ts'
import { SecretBox } from './secret-box.ts'

const ELEMENT = '11111111-1111-4111-8111-111111111111'
const OTHER = '22222222-2222-4222-8222-222222222222'
const bind = (over: object = {}) => ({ elementId: ELEMENT, version: 1, purpose: 'test.secret', ...over })

describe('SecretBox', () => {
  let dir: string
  let storage: Storage
  let box: SecretBox

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'periodic-secret-box-'))
    storage = createSqliteStorage(join(dir, 'periodic.db'))
    await storage.migrate()
    box = new SecretBox(storage, new MasterKeyRing({ dataDir: dir, masterKey: undefined }))
  })
  afterAll(async () => {
    await storage.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('opens only with the exact element, version and purpose it was sealed for', async () => {
    const small = await box.seal(bind(), { token: 'abc' })
    const large = await box.seal(bind(), { token: 'x'.repeat(5000) })
    expect(small.startsWith('v1.')).toBe(true)
    expect(large.startsWith('z1.')).toBe(true)
    expect(large.length).toBeLessThan(1000)
    expect(await box.open(bind(), small)).toEqual({ token: 'abc' })
    expect(await box.open(bind(), large)).toEqual({ token: 'x'.repeat(5000) })
    await box.seal(bind({ elementId: OTHER }), 1)
    for (const wrong of [bind({ version: 2 }), bind({ purpose: 'other' }), bind({ elementId: OTHER })]) {
      await expect(box.open(wrong, small)).rejects.toMatchObject({ code: 'SECRET_INTEGRITY_FAILED' })
    }
    // Relabelling a deflated blob as plain (or the reverse) fails too: the tag is authenticated.
    await expect(box.open(bind(), `v1${large.slice(2)}`)).rejects.toMatchObject({
      code: 'SECRET_INTEGRITY_FAILED',
    })
    await expect(box.open(bind(), 'garbage')).rejects.toMatchObject({ code: 'SECRET_INTEGRITY_FAILED' })
  })

  it('binds a wrapped data key to its element: swapping wrapped keys between elements fails', async () => {
    const sealed = await box.seal(bind(), 'mine')
    const mine = (await storage.getDataKey(ELEMENT))!
    const theirs = (await storage.getDataKey(OTHER))!
    const wrapping = (k: typeof mine) => ({
      master_key_id: k.master_key_id,
      wrapped: k.wrapped,
      updated_at: k.updated_at,
    })
    await storage.rewrapDataKey(ELEMENT, mine.master_key_id, wrapping(theirs))
    const fresh = new SecretBox(storage, box.ring)
    await expect(fresh.open(bind(), sealed)).rejects.toMatchObject({ code: 'SECRET_INTEGRITY_FAILED' })
    await storage.rewrapDataKey(ELEMENT, theirs.master_key_id, wrapping(mine))
    expect(await new SecretBox(storage, box.ring).open(bind(), sealed)).toBe('mine')
  })

  it('rotation re-wraps data keys under the new master key and the old blobs still open', async () => {
    const sealed = await box.seal(bind(), 'before rotation')
    const before = (await storage.getDataKey(ELEMENT))!
    const newId = box.ring.addCurrentKey()
    expect(await box.rewrapAll()).toEqual({ current: newId, rewrapped: 2 })
    expect(await box.rewrapAll()).toEqual({ current: newId, rewrapped: 0 })
    const after = (await storage.getDataKey(ELEMENT))!
    expect(after.master_key_id).toBe(newId)
    expect(after.wrapped).not.toBe(before.wrapped)
    expect(box.ring.retire(new Set([newId]))).toEqual([before.master_key_id])
    // A box that knows only the key file's keys (no cache) opens the old blob.
    const reopened = new SecretBox(storage, new MasterKeyRing({ dataDir: dir, masterKey: undefined }))
    expect(await reopened.open(bind(), sealed)).toBe('before rotation')
    expect(reopened.ring.ids()).toEqual([newId])
    expect(statSync(join(dir, MASTER_KEY_FILE)).mode & 0o777).toBe(0o600)
    expect(JSON.parse(readFileSync(join(dir, MASTER_KEY_FILE), 'utf8')).current).toBe(newId)
  })

  it('forget destroys the data key so nothing sealed under it opens again', async () => {
    const sealed = await box.seal(bind({ elementId: OTHER }), 'shred me')
    await box.forget(OTHER)
    await expect(box.open(bind({ elementId: OTHER }), sealed)).rejects.toMatchObject({
      code: 'SECRET_INTEGRITY_FAILED',
    })
  })
})

describe('parseMasterKeys', () => {
  const k = (b: number) => Buffer.alloc(32, b).toString('base64')
  it('reads one bare key as id 1, or an id:key list with the current key first', () => {
    expect(parseMasterKeys(k(1)).map((x) => x.id)).toEqual([1])
    expect(parseMasterKeys(Buffer.alloc(32, 3).toString('hex'))[0]!.key).toEqual(Buffer.alloc(32, 3))
    expect(parseMasterKeys(`3:${k(3)}, 1:${k(1)}`).map((x) => x.id)).toEqual([3, 1])
  })
  it('refuses short keys, bad entries and repeated ids without echoing key material', () => {
    expect(() => parseMasterKeys('c2hvcnQ=')).toThrow(/32 bytes/)
    expect(() => parseMasterKeys(`x:${k(1)}`)).toThrow(/entry 1/)
    expect(() => parseMasterKeys(`0:${k(1)}`)).toThrow(/start at 1/)
    expect(() => parseMasterKeys(`1:${k(1)},1:${k(2)}`)).toThrow(/twice/)
    try {
      parseMasterKeys(`2:${k(9).slice(0, 20)}`)
    } catch (err) {
      expect((err as Error).message).not.toContain(k(9).slice(0, 20))
    }
  })
})
