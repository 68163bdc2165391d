// The 10 000-cookie bound (exactly 10 000 passes, one more fails with nothing changed), the
// near-capacity warning, prune of expired cookies, and describe's metadata, over real HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, storageKinds, type TestServer } from '../../../test/test-server.ts'
import { createJar, jarGet, jarOp, manyCookies } from './jar-test-helpers.ts'

describe.each(storageKinds())('cookie-jar capacity, prune and describe (%s)', (storage) => {
  let s: TestServer

  beforeAll(async () => {
    s = await startTestServer({ storage })
    await s.createCircle('acme')
  })
  afterAll(async () => s?.close())

  it('holds exactly 10 000 cookies and refuses the 10 001st with JAR_CAPACITY_EXCEEDED, changing nothing', async () => {
    await createJar(s, 'acme', 'full')
    let r = await jarOp(s, 'full', 'import', { cookies: manyCookies(10_000), mode: 'replace' })
    expect(r.status).toBe(200)
    expect(r.body.cookie_count).toBe(10_000)
    expect(r.body.warnings.some((w: any) => /near the 10000 limit/.test(w.message))).toBe(true)
    const el = (await s.api('GET', '/api/acme/full')).body
    expect(el.warnings).toEqual([
      expect.objectContaining({
        field: 'spec.cookie_count',
        message: expect.stringMatching(/near capacity/),
      }),
    ])
    const version = el.spec.cookies_version

    const refused = [
      await jarOp(s, 'full', 'import', { cookies: manyCookies(1, { offset: 10_000 }) }),
      await jarOp(s, 'full', 'import', { cookies: manyCookies(10_001), mode: 'replace' }),
      await jarOp(s, 'full', 'set', manyCookies(1, { offset: 20_000 })[0]),
    ]
    for (const x of refused) {
      expect(x.status).toBe(422)
      expect(x.body.error).toMatchObject({
        code: 'JAR_CAPACITY_EXCEEDED',
        class: 'limit',
        details: { limit: 10_000, would_hold: 10_001 },
      })
    }
    const d = (await jarGet(s, 'full', 'describe')).body
    expect(d).toMatchObject({ cookie_count: 10_000, cookies_version: version, near_capacity: true })
    // Replacing an existing cookie at the limit is fine: the count does not grow.
    r = await jarOp(s, 'full', 'set', { ...manyCookies(1)[0], value: 'changed' })
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({ replaced: true, cookie_count: 10_000, cookies_version: version + 1 })
    // Duplicates inside one import count once.
    r = await jarOp(s, 'full', 'import', {
      cookies: [...manyCookies(10_000), manyCookies(1)[0]],
      mode: 'replace',
    })
    expect(r.status).toBe(200)
    expect(r.body.cookie_count).toBe(10_000)
  })

  it('warns above 9 000 cookies, not at 9 000', async () => {
    await createJar(s, 'acme', 'nine')
    let r = await jarOp(s, 'nine', 'import', { cookies: manyCookies(9_000) })
    expect(r.body.warnings).toEqual([])
    expect((await s.api('GET', '/api/acme/nine')).body.warnings).toEqual([])
    r = await jarOp(s, 'nine', 'import', { cookies: manyCookies(1, { offset: 9_000 }) })
    expect(r.body.warnings).toHaveLength(1)
    expect((await s.api('GET', '/api/acme/nine')).body.warnings).toHaveLength(1)
  })

  it('prunes only expired cookies, keeps session cookies, and bumps the version only when it pruned', async () => {
    await createJar(s, 'acme', 'prune')
    const now = Math.floor(Date.now() / 1000)
    await jarOp(s, 'prune', 'import', {
      cookies: [
        { name: 'old', value: '1', domain: '.a.com', expirationDate: now - 3600 },
        { name: 'older', value: '1', domain: 'x.b.com', expirationDate: 1_000_000 },
        { name: 'session', value: '1', domain: '.a.com' },
        { name: 'future', value: '1', domain: '.a.com', expirationDate: now + 86_400 },
      ],
    })
    const d = (await jarGet(s, 'prune', 'describe')).body
    expect(d).toMatchObject({
      cookie_count: 4,
      expired_count: 2,
      session_count: 1,
      oldest_expiration: 1_000_000,
      newest_expiration: now + 86_400,
      domains: [
        { domain: '.a.com', count: 3 },
        { domain: 'x.b.com', count: 1 },
      ],
    })
    expect(d.oldest_expiration_at).toBe('1970-01-12T13:46:40.000Z')
    const live = await jarOp(s, 'prune', 'export', { include_expired: false })
    expect(live.body.cookies.map((c: any) => c.name).sort()).toEqual(['future', 'session'])
    let r = await jarOp(s, 'prune', 'prune')
    expect(r.body).toEqual({ pruned_count: 2, cookie_count: 2, cookies_version: 2 })
    r = await jarOp(s, 'prune', 'prune')
    expect(r.body).toEqual({ pruned_count: 0, cookie_count: 2, cookies_version: 2 })
    const after = (await jarGet(s, 'prune', 'describe')).body
    expect(after).toMatchObject({
      expired_count: 0,
      session_count: 1,
      domains: [{ domain: '.a.com', count: 2 }],
    })
    const el = (await s.api('GET', '/api/acme/prune')).body
    expect(el.spec.domains).toEqual(['.a.com'])
    expect(el.spec.cookies_updated_at).toMatch(/^\d{4}-\d\d-\d\dT/)
  })

  it('counts jar operations in /metrics', async () => {
    const res = await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${s.adminKey}` } })
    const text = await res.text()
    expect(text).toMatch(/cookie_jar_import_count\{element="[0-9a-f-]+"\} \d+/)
    expect(text).toMatch(/cookie_jar_prune_count\{element="[0-9a-f-]+"\} 2/)
    expect(text).toMatch(/cookie_jar_size\{element="[0-9a-f-]+"\} 10000/)
  })
})
