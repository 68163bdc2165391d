// The browser's cookie operations over real HTTP with a real Chromium: only the attached jar,
// the load report (dropped with reasons, batch fallback, eviction), merge vs replace, scopes,
// and the captured cookies sealed at rest (tamper, copy, nothing in clear in the data dir).
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../../../test/test-server.ts'
import {
  BROWSER_TEST_ENV,
  createBrowser,
  eventually,
  HAVE_CHROMIUM,
  SKIP_REASON,
} from './browser-test-helpers.ts'
import { CHROMIUM_DOMAIN_LIMIT } from './cookie-loader.ts'
import { type LoginSite, startLoginSite } from './test-login-site.ts'

const inADay = () => Math.floor(Date.now() / 1000) + 86_400

describe.skipIf(!HAVE_CHROMIUM)(`browser cookies${SKIP_REASON}`, () => {
  let s: TestServer
  let site: LoginSite
  let reader: string
  let runner: string

  const lastAccount = () => site.seen.filter((r) => r.path === '/account').at(-1)!.cookie
  const op = (slug: string, name: string, body: object = {}, key?: string) =>
    s.api('POST', `/api/acme/${slug}/ops/${name}`, body, { key })
  async function jarFor(slug: string, browserId: string, cookies: object[] = []) {
    expect((await s.api('POST', '/api/acme', { element_type: 'cookie-jar', slug })).status).toBe(201)
    if (cookies.length) expect((await op(slug, 'import', { cookies, mode: 'replace' })).status).toBe(200)
    expect((await op(slug, 'attach', { browser_id: browserId })).status).toBe(200)
  }

  beforeAll(async () => {
    site = await startLoginSite()
    s = await startTestServer({ env: BROWSER_TEST_ENV })
    await s.createCircle('acme')
    reader = await s.createKey('acme', ['read'])
    runner = await s.createKey('acme', ['read', 'execute'])
  })
  afterAll(async () => {
    await s?.close()
    await site?.close()
  })

  it('works only on the attached jar: none attached, another jar named, or no live session', async () => {
    const b = await createBrowser(s, 'acme', 'lonely')
    await op('lonely', 'start')
    for (const name of ['save-cookies-to-jar', 'load-cookies-from-jar']) {
      const r = await op('lonely', name)
      expect(r.status, name).toBe(409)
      expect(r.body.error).toMatchObject({ code: 'BROWSER_NO_JAR_ATTACHED', details: { browser_id: b.id } })
    }
    await jarFor('lonely-jar', b.id)
    expect((await s.api('POST', '/api/acme', { element_type: 'cookie-jar', slug: 'other-jar' })).status).toBe(
      201,
    )
    const other = await op('lonely', 'save-cookies-to-jar', { jar: 'other-jar' })
    expect(other.status).toBe(409)
    expect(other.body.error).toMatchObject({
      code: 'BROWSER_JAR_NOT_ATTACHED',
      details: { attached_jar: 'lonely-jar' },
    })
    expect((await op('lonely', 'save-cookies-to-jar', { jar: 'lonely-jar' })).status).toBe(200)
    await op('lonely', 'stop')
    const stopped = await op('lonely', 'save-cookies-to-jar')
    expect(stopped.body.error).toMatchObject({ code: 'BROWSER_NOT_RUNNING', details: { state: 'stopped' } })
    expect((await op('lonely', 'load-cookies-from-jar', { mode: 'upsert' })).body.error.code).toBe(
      'VALIDATION_FAILED',
    )
    expect((await op('lonely', 'save-cookies-to-jar', { expected_version: -1 })).body.error.code).toBe(
      'VALIDATION_FAILED',
    )
  })

  it('reports every jar cookie as applied, dropped with its reason, or evicted', async () => {
    const b = await createBrowser(s, 'acme', 'loader')
    const exp = inADay()
    const many = Array.from({ length: 200 }, (_, i) => ({
      name: `c${i}`,
      value: 'v',
      domain: '.many-cookies.com',
      path: '/',
      expirationDate: exp + i,
    }))
    const tricky = [
      { name: 'ok', value: '1', domain: '.example.com', path: '/', sameSite: 'lax', expirationDate: exp },
      {
        name: 'host-only',
        value: '1',
        domain: 'www.example.com',
        path: '/app',
        secure: true,
        httpOnly: true,
      },
      { name: 'old', value: '1', domain: '.example.com', path: '/', expirationDate: 1_000_000 },
      { name: 'none-insecure', value: '1', domain: '.example.com', path: '/', sameSite: 'no_restriction' },
      { name: '__Host-wrong', value: '1', domain: '.example.com', path: '/', secure: true },
      // A leading space passes the jar's rules but makes Chromium reject the whole batch.
      { name: ' leading', value: '1', domain: '.example.com', path: '/' },
      { name: 'batch-mate', value: '1', domain: '.example.com', path: '/' },
    ]
    await jarFor('loader-jar', b.id, [...tricky, ...many])
    await op('loader', 'start')
    const r = await op('loader', 'load-cookies-from-jar')
    expect(r.status).toBe(200)
    const reasons = Object.fromEntries(
      r.body.dropped.map((d: { name: string; reason: string }) => [d.name, d.reason]),
    )
    expect(reasons).toMatchObject({
      old: 'expired',
      'none-insecure': 'same_site_none_requires_secure',
      '__Host-wrong': 'host_prefix_requires_secure_host_only_root_path',
    })
    expect(reasons[' leading']).toMatch(/./)
    expect(r.body.dropped_count).toBe(4)
    expect(r.body.evicted_count).toBeGreaterThan(0)
    expect(r.body.evicted.every((e: { domain: string }) => e.domain === '.many-cookies.com')).toBe(true)
    expect(r.body.applied + r.body.evicted_count).toBe(203) // 200 + ok + host-only + batch-mate
    expect(r.body.requested).toBe(207)

    const live = (await s.api('GET', '/api/acme/loader/ops/cookies')).body.cookies as Array<
      Record<string, unknown>
    >
    const names = new Set(live.map((c) => c['name']))
    for (const n of ['ok', 'host-only', 'batch-mate']) expect(names.has(n), n).toBe(true)
    expect(live.find((c) => c['name'] === 'host-only')).toMatchObject({
      domain: 'www.example.com',
      path: '/app',
      secure: true,
      httpOnly: true,
    })
    expect(live.filter((c) => c['domain'] === '.many-cookies.com').length).toBeLessThanOrEqual(
      CHROMIUM_DOMAIN_LIMIT,
    )
    await op('loader', 'stop')
  })

  it('replace clears the session’s own cookies first; merge keeps them', async () => {
    const b = await createBrowser(s, 'acme', 'merger')
    await jarFor('merger-jar', b.id, [{ name: 'from-jar', value: 'j', domain: '127.0.0.1', path: '/' }])
    await op('merger', 'start')
    await op('merger', 'navigate', { url: `${site.url}/login` })
    const merged = await op('merger', 'load-cookies-from-jar', { mode: 'merge' })
    expect(merged.body).toMatchObject({ mode: 'merge', applied: 1, live_count: 6, evicted_count: 0 })
    await op('merger', 'navigate', { url: `${site.url}/account` })
    expect(lastAccount()).toMatch(/session=.*from-jar=j|from-jar=j.*session=/)
    const replaced = await op('merger', 'load-cookies-from-jar', {})
    expect(replaced.body).toMatchObject({ mode: 'replace', applied: 1, live_count: 1 })
    const account = await op('merger', 'navigate', { url: `${site.url}/account` })
    expect(account.body.status).toBe(401)
    expect(lastAccount()).toBe('from-jar=j')
    await op('merger', 'stop')
  })

  it('needs write scope to capture, read captured values, save and load', async () => {
    const b = await createBrowser(s, 'acme', 'guarded')
    await jarFor('guarded-jar', b.id)
    await op('guarded', 'start', {}, runner)
    for (const name of ['capture-cookies', 'save-cookies-to-jar', 'load-cookies-from-jar']) {
      for (const key of [reader, runner]) {
        const r = await op('guarded', name, {}, key)
        expect(r.status, name).toBe(403)
        expect(r.body.error.details.required_scope).toBe('write')
      }
    }
    const values = await s.api('GET', '/api/acme/guarded/ops/cookies', undefined, { key: reader })
    expect(values.status).toBe(403)
    expect((await s.api('GET', '/api/acme/guarded/ops/status', undefined, { key: reader })).status).toBe(200)
    await op('guarded', 'stop')
  })

  it('keeps captured cookies sealed: never in get, status, activity or the data dir; a copied or altered blob fails', async () => {
    const a = await createBrowser(s, 'acme', 'sealed-a')
    await createBrowser(s, 'acme', 'sealed-b')
    await op('sealed-a', 'start')
    await op('sealed-a', 'navigate', { url: `${site.url}/login?user=carol` })
    const cap = await op('sealed-a', 'capture-cookies')
    expect(cap.status).toBe(200)
    expect(cap.body).toMatchObject({
      cookie_count: 5,
      cookie_domains: ['127.0.0.1'],
      cookies_version: 1,
      skipped: [],
    })
    const sid = [...site.sessions].find(([, user]) => user === 'carol')![0]
    await op('sealed-a', 'stop')

    const shown = [
      await s.api('GET', '/api/acme/sealed-a'),
      await s.api('GET', '/api/acme/sealed-a/ops/status'),
      await s.api('GET', '/api/acme/sealed-a/ops/activity'),
      await s.api('GET', '/api/acme/sealed-a/ops/version?history=true'),
    ]
    for (const r of shown) {
      expect(r.status).toBe(200)
      expect(JSON.stringify(r.body)).not.toContain(sid)
    }
    expect(shown[0]!.body.spec.cookies).toBeUndefined()
    expect(filesContaining(s.dataDir, sid)).toEqual([])
    const captured = await s.api('GET', '/api/acme/sealed-a/ops/cookies')
    expect(captured.body.cookies.find((c: { name: string }) => c.name === 'session').value).toBe(sid)

    // Copy A's blob (and its version) into B: bound to A's id, it does not open as B's.
    const row = await s.platform.elements.records.getElement(a.id)
    const blob = row!.spec['cookies'] as string
    const copy = await s.api('PATCH', '/api/acme/sealed-b/ops/update', {
      spec: { cookies: blob, cookies_version: 1 },
    })
    expect(copy.status).toBe(200)
    const copied = await s.api('GET', '/api/acme/sealed-b/ops/cookies')
    expect(copied.status).toBe(409)
    expect(copied.body.error.code).toBe('BROWSER_COOKIES_UNREADABLE')
    expect(JSON.stringify(copied.body)).not.toContain(sid)

    // One flipped character of A's own blob: authentication fails, nothing is returned.
    const at = blob.length - 5
    const flipped = blob.slice(0, at) + (blob[at] === 'A' ? 'B' : 'A') + blob.slice(at + 1)
    await s.api('PATCH', '/api/acme/sealed-a/ops/update', { spec: { cookies: flipped } })
    const tampered = await s.api('GET', '/api/acme/sealed-a/ops/cookies')
    expect(tampered.body.error.code).toBe('BROWSER_COOKIES_UNREADABLE')

    // Deleting a browser destroys its data key: its old captures can never be opened again.
    expect((await s.api('DELETE', '/api/acme/sealed-a/ops/delete', { confirm: true })).status).toBe(200)
    await eventually(
      async () => ((await s.platform.storage.getDataKey(a.id)) === undefined ? true : undefined),
      'data key destroyed',
    )
  })
})

/** Files under `dir` whose bytes contain `needle` (the SQLite file and its WAL included). */
function filesContaining(dir: string, needle: string): string[] {
  const hits: string[] = []
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry)
    if (statSync(path).isDirectory()) hits.push(...filesContaining(path, needle))
    else if (readFileSync(path).includes(needle)) hits.push(path)
  }
  return hits
}
