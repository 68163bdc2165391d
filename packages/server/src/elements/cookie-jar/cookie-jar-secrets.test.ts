// Secrets at rest for cookie jars, over real HTTP on SQLite files: values never reach the data
// dir, logs or events in clear; a flipped byte, a blob moved between jars or rolled back fails
// to open; master key rotation re-wraps data keys without touching blobs.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { pino } from 'pino'
import { afterAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../../config.ts'
import { type Platform, startPlatform } from '../../main.ts'
import { runSecretsCommand } from '../../secrets/secrets-command.ts'
import { jarTables } from './jar-tables.ts'

const dirs: string[] = []
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

interface Started {
  platform: Platform
  logs: string[]
  events: string[]
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>
}

async function start(dataDir: string, env: Record<string, string> = {}): Promise<Started> {
  const logs: string[] = []
  const stream = new Writable({
    write(chunk, _enc, cb) {
      logs.push(String(chunk))
      cb()
    },
  })
  const config = parseConfig(['--port', '0', '--data-dir', dataDir, '--log-level', 'trace'], env)
  const platform = await startPlatform(config, { logger: pino({ level: 'trace' }, stream) })
  const events: string[] = []
  platform.bus.subscribe('*', (e) => events.push(JSON.stringify(e)))
  return {
    platform,
    logs,
    events,
    async api(method, path, body) {
      const res = await fetch(platform.url + path, {
        method,
        headers: { authorization: `Bearer ${platform.adminKey}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      const text = await res.text()
      return { status: res.status, body: text ? JSON.parse(text) : undefined }
    },
  }
}

function freshDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'periodic-jar-secrets-'))
  dirs.push(d)
  return d
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
}

const cookie = (name: string, value: string, domain = '.example.com') => ({
  name,
  value,
  domain,
  path: '/',
  secure: true,
  httpOnly: true,
  sameSite: 'lax',
  expirationDate: 4102444800,
})

async function setup(s: Started, jars: string[]) {
  await s.api('POST', '/api', { element_type: 'circle', slug: 'acme' })
  for (const slug of jars) {
    const r = await s.api('POST', '/api/acme', { element_type: 'cookie-jar', slug })
    expect(r.status).toBe(201)
  }
}

describe('cookie-jar secrets at rest', () => {
  it('never writes a cookie value in clear to the data dir (SQLite files included), logs or events', async () => {
    const dir = freshDir()
    const s = await start(dir)
    await setup(s, ['plain', 'second'])
    const marker = 'MARKER-7f3a9c-li_at-session'
    const markers = [marker, `${marker}-set`, `${marker}-merge`]
    await s.api('POST', '/api/acme/plain/ops/import', { cookies: [cookie('li_at', markers[0]!)] })
    await s.api('POST', '/api/acme/plain/ops/set', cookie('jsess', markers[1]!, 'app.example.com'))
    await s.api('POST', '/api/acme/second/ops/import', { cookies: [cookie('li_at', markers[2]!)] })
    const exported = await s.api('POST', '/api/acme/plain/ops/export')
    expect(exported.body.cookies.map((c: any) => c.value).sort()).toEqual([markers[0], markers[1]].sort())
    await s.api('GET', '/api/acme/plain/ops/list?include_values=true')
    await s.api('POST', '/api/acme/plain/ops/diff', { other_jar_id: 'second' })
    await s.api('POST', '/api/acme/plain/ops/delete', { name: 'jsess', domain: 'app.example.com' })
    const get = await s.api('GET', '/api/acme/plain')
    expect(get.body.spec).toMatchObject({ cookie_count: 1, domains: ['.example.com'] })
    expect(JSON.stringify(get.body)).not.toContain(marker)
    const activity = await s.api('GET', '/api/acme/plain/ops/activity')
    expect(activity.status).toBe(200)
    expect(JSON.stringify(activity.body)).not.toContain(marker)
    const check = () => {
      const files = filesUnder(dir)
      const db = files.find((f) => f.endsWith('periodic.db'))!
      // The search does see what is in clear (event names, cookie names in activity).
      const all = Buffer.concat(files.filter((f) => f.startsWith(db)).map((f) => readFileSync(f)))
      expect(all.includes(Buffer.from('cookie-jar.cookie_deleted'))).toBe(true)
      for (const f of files) {
        const bytes = readFileSync(f)
        for (const m of markers) expect(bytes.includes(Buffer.from(m)), `${m} in ${f}`).toBe(false)
      }
    }
    check() // while serving: the WAL file is there too
    expect(s.logs.length).toBeGreaterThan(0)
    expect(s.logs.join('')).not.toContain(marker)
    expect(s.events.some((e) => e.includes('cookie-jar.imported'))).toBe(true)
    expect(s.events.join('')).not.toContain(marker)
    await s.platform.close()
    check() // after the WAL is checkpointed into the database file
    expect(statSync(join(dir, 'master-keys.json')).mode & 0o777).toBe(0o600)
  })

  it('refuses to open a blob with a flipped byte, a blob moved to another jar, or a rolled-back blob', async () => {
    const s = await start(freshDir())
    await setup(s, ['a', 'b'])
    await s.api('POST', '/api/acme/a/ops/import', { cookies: [cookie('x', 'value-of-a')] })
    await s.api('POST', '/api/acme/b/ops/import', { cookies: [cookie('x', 'value-of-b')] })
    const storage = s.platform.storage.storeOf(jarTables)
    const idOf = async (slug: string) => (await s.api('GET', `/api/acme/${slug}`)).body.id as string
    const [a, b] = [await idOf('a'), await idOf('b')]
    const rowA = (await storage.get(a))!
    const rowB = (await storage.get(b))!
    const put = (row: typeof rowA, sealed: string) => storage.put({ ...row, sealed }, row.revision)
    const expectRefused = async (slug: string) => {
      const r = await s.api('POST', `/api/acme/${slug}/ops/export`)
      expect(r.status).toBe(500)
      expect(r.body.error.code).toBe('SECRET_INTEGRITY_FAILED')
      expect(JSON.stringify(r.body)).not.toContain('value-of')
      // Metadata still answers: describe never decrypts.
      expect((await s.api('GET', `/api/acme/${slug}/ops/describe`)).status).toBe(200)
    }

    // One flipped byte in the ciphertext.
    const [fmt, iv, body] = rowA.sealed!.split('.') as [string, string, string]
    const raw = Buffer.from(body, 'base64url')
    raw[5] = raw[5]! ^ 0x01
    expect(await put(rowA, [fmt, iv, raw.toString('base64url')].join('.'))).toBe('ok')
    await expectRefused('a')
    expect(await put(rowA, rowA.sealed!)).toBe('ok')
    expect((await s.api('POST', '/api/acme/a/ops/export')).body.cookies[0].value).toBe('value-of-a')

    // B's blob (same cookies_version) copied into A.
    expect(await put(rowA, rowB.sealed!)).toBe('ok')
    await expectRefused('a')
    expect(await put(rowA, rowA.sealed!)).toBe('ok')

    // A's version-1 blob put back after a later write (rollback).
    await s.api('POST', '/api/acme/a/ops/set', cookie('y', 'value-of-a2'))
    const rowA2 = (await storage.get(a))!
    expect(rowA2.cookies_version).toBe(2)
    expect(await put(rowA2, rowA.sealed!)).toBe('ok')
    await expectRefused('a')
    await s.platform.close()
  })

  it('rotates the master key by re-wrapping data keys only; the blobs stay byte-identical and readable', async () => {
    const dir = freshDir()
    let s = await start(dir)
    await setup(s, ['r1', 'r2'])
    await s.api('POST', '/api/acme/r1/ops/import', { cookies: [cookie('k', 'rotate-me-1')] })
    await s.api('POST', '/api/acme/r2/ops/import', { cookies: [cookie('k', 'rotate-me-2')] })
    const id = (await s.api('GET', '/api/acme/r1')).body.id as string
    const before = (await s.platform.storage.storeOf(jarTables).get(id))!.sealed
    const keyBefore = (await s.platform.storage.getDataKey(id))!
    expect(keyBefore.master_key_id).toBe(1)
    await s.platform.close()

    const report = await runSecretsCommand(['rotate', '--retire', '--data-dir', dir], {})
    expect(report).toMatchObject({
      current: 2,
      keys: [2],
      rewrapped: 2,
      retired: [1],
      data_keys_by_master_key: [{ master_key_id: 2, count: 2 }],
    })
    const file = JSON.parse(readFileSync(join(dir, 'master-keys.json'), 'utf8'))
    expect(Object.keys(file.keys)).toEqual(['2'])
    expect(statSync(join(dir, 'master-keys.json')).mode & 0o777).toBe(0o600)

    s = await start(dir)
    const after = (await s.platform.storage.storeOf(jarTables).get(id))!
    expect(after.sealed).toBe(before)
    const keyAfter = (await s.platform.storage.getDataKey(id))!
    expect(keyAfter.master_key_id).toBe(2)
    expect(keyAfter.wrapped).not.toBe(keyBefore.wrapped)
    expect((await s.api('POST', '/api/acme/r1/ops/export')).body.cookies[0].value).toBe('rotate-me-1')
    expect((await s.api('POST', '/api/acme/r2/ops/export')).body.cookies[0].value).toBe('rotate-me-2')
    await s.platform.close()
  })

  it('lets a running server follow a rotation of its key file', async () => {
    const dir = freshDir()
    const s = await start(dir)
    await setup(s, ['live-a', 'live-b'])
    await s.api('POST', '/api/acme/live-a/ops/import', { cookies: [cookie('k', 'online-a')] })
    const report = await runSecretsCommand(['rotate', '--retire', '--data-dir', dir], {})
    expect(report).toMatchObject({ current: 2, keys: [2], rewrapped: 1 })
    // A data key made after the rotation is wrapped by the new key; older ones still open.
    await s.api('POST', '/api/acme/live-b/ops/import', { cookies: [cookie('k', 'online-b')] })
    const b = (await s.api('GET', '/api/acme/live-b')).body.id as string
    expect((await s.platform.storage.getDataKey(b))!.master_key_id).toBe(2)
    expect((await s.api('POST', '/api/acme/live-a/ops/export')).body.cookies[0].value).toBe('online-a')
    expect((await s.api('POST', '/api/acme/live-b/ops/export')).body.cookies[0].value).toBe('online-b')
    await s.platform.close()
  })

  it('uses PERIODIC_MASTER_KEY when set: no key file, and a different key cannot open the jar', async () => {
    const dir = freshDir()
    const k1 = Buffer.alloc(32, 7).toString('base64')
    const k2 = Buffer.alloc(32, 9).toString('base64')
    let s = await start(dir, { PERIODIC_MASTER_KEY: k1 })
    await setup(s, ['env'])
    await s.api('POST', '/api/acme/env/ops/import', { cookies: [cookie('k', 'env-secret')] })
    await s.platform.close()
    expect(readdirSync(dir)).not.toContain('master-keys.json')

    s = await start(dir, { PERIODIC_MASTER_KEY: k2 })
    let r = await s.api('POST', '/api/acme/env/ops/export')
    expect(r.body.error.code).toBe('SECRET_INTEGRITY_FAILED')
    await s.platform.close()

    // Rotation with keys from the environment: the operator puts the new key first.
    await runSecretsCommand(['rotate', '--data-dir', dir], { PERIODIC_MASTER_KEY: `2:${k2},1:${k1}` })
    s = await start(dir, { PERIODIC_MASTER_KEY: `2:${k2}` })
    r = await s.api('POST', '/api/acme/env/ops/export')
    expect(r.body.cookies[0].value).toBe('env-secret')
    await s.platform.close()

    s = await start(dir, { PERIODIC_MASTER_KEY: `3:${k1}` })
    r = await s.api('POST', '/api/acme/env/ops/export')
    expect(r.status).toBe(503)
    expect(r.body.error.code).toBe('SECRET_KEY_UNAVAILABLE')
    await s.platform.close()
    expect(() => parseConfig([], { PERIODIC_MASTER_KEY: 'too-short' })).toThrow(/32 bytes/)
  })

  it('destroys the sealed cookies and the data key when the jar is deleted', async () => {
    const s = await start(freshDir())
    await setup(s, ['gone'])
    await s.api('POST', '/api/acme/gone/ops/import', { cookies: [cookie('k', 'bye')] })
    const id = (await s.api('GET', '/api/acme/gone')).body.id as string
    expect(await s.platform.storage.getDataKey(id)).toBeDefined()
    const r = await s.api('DELETE', '/api/acme/gone', { confirm: true })
    expect(r.status).toBe(200)
    expect(await s.platform.storage.storeOf(jarTables).get(id)).toBeUndefined()
    expect(await s.platform.storage.getDataKey(id)).toBeUndefined()
    await s.platform.close()
  })
})
