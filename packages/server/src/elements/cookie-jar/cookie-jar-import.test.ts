// Import, export, list and the single-cookie operations of a cookie jar, over real HTTP on
// SQLite (and PostgreSQL when configured).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, storageKinds, type TestServer } from '../../../test/test-server.ts'
import { createJar, jarGet, jarOp } from './jar-test-helpers.ts'

const li = (name: string, value: string, extra: object = {}) => ({
  name,
  value,
  domain: '.linkedin.com',
  path: '/',
  secure: true,
  httpOnly: true,
  sameSite: 'no_restriction',
  expirationDate: 4102444800,
  ...extra,
})

describe.each(storageKinds())('cookie-jar import/export (%s)', (storage) => {
  let s: TestServer
  let reader: string
  let writer: string

  beforeAll(async () => {
    s = await startTestServer({ storage })
    await s.createCircle('acme')
    reader = await s.createKey('acme', ['read'])
    writer = await s.createKey('acme', ['read', 'write'])
  })
  afterAll(async () => s?.close())

  it('merges by (name, domain-as-written, path) and replaces the whole set with mode=replace', async () => {
    await createJar(s, 'acme', 'merge')
    let r = await jarOp(s, 'merge', 'import', { cookies: [li('a', '1'), li('b', '2')] })
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({
      cookie_count: 2,
      cookies_version: 1,
      added: 2,
      replaced: 0,
      mode: 'merge',
    })
    // Same name on the host-only domain is a different cookie, as in Chromium.
    r = await jarOp(s, 'merge', 'import', {
      cookies: [li('a', '1b'), { ...li('a', 'host'), domain: 'linkedin.com' }],
    })
    expect(r.body).toMatchObject({ cookie_count: 3, cookies_version: 2, added: 1, replaced: 1 })
    const exported = await jarOp(s, 'merge', 'export')
    const values = Object.fromEntries(
      exported.body.cookies.map((c: any) => [`${c.name}@${c.domain}`, c.value]),
    )
    expect(values).toEqual({ 'a@.linkedin.com': '1b', 'b@.linkedin.com': '2', 'a@linkedin.com': 'host' })
    r = await jarOp(s, 'merge', 'import', { cookies: [li('z', '9')], mode: 'replace' })
    expect(r.body).toMatchObject({ cookie_count: 1, cookies_version: 3, added: 1, replaced: 0 })
    const get = await s.api('GET', '/api/acme/merge')
    expect(get.body.spec).toMatchObject({ cookie_count: 1, domains: ['.linkedin.com'], cookies_version: 3 })
    expect(get.body.state).toBe('populated')
    expect(JSON.stringify(get.body)).not.toContain('"9"')
  })

  it('detects Playwright and CDP shapes and exports them back in each shape', async () => {
    await createJar(s, 'acme', 'shapes')
    const playwright = [
      {
        name: 'pw',
        value: 'p1',
        domain: 'app.example.com',
        path: '/',
        expires: -1,
        httpOnly: false,
        secure: false,
        sameSite: 'Strict',
      },
      {
        name: 'pw2',
        value: 'p2',
        domain: '.example.com',
        path: '/x',
        expires: 4102444800.5,
        httpOnly: true,
        secure: true,
        sameSite: 'None',
      },
    ]
    let r = await jarOp(s, 'shapes', 'import', { cookies: playwright })
    expect(r.body.format).toBe('playwright')
    const cdp = [
      {
        name: 'cd',
        value: 'c1',
        domain: 'example.org',
        path: '/',
        expires: 4102444800,
        size: 4,
        httpOnly: false,
        secure: true,
        session: false,
        priority: 'Medium',
        sameSite: 'Lax',
      },
    ]
    r = await jarOp(s, 'shapes', 'import', { cookies: cdp })
    expect(r.body.format).toBe('cdp')
    const chrome = (await jarOp(s, 'shapes', 'export')).body.cookies
    const byName = Object.fromEntries(chrome.map((c: any) => [c.name, c]))
    expect(byName.pw).toMatchObject({ sameSite: 'strict', hostOnly: true, session: true })
    expect(byName.pw).not.toHaveProperty('expirationDate')
    expect(byName.pw2).toMatchObject({ sameSite: 'no_restriction', expirationDate: 4102444800.5, path: '/x' })
    expect(byName.cd).toMatchObject({ sameSite: 'lax', expirationDate: 4102444800, priority: 'Medium' })
    expect(byName.cd).not.toHaveProperty('size')
    const pw = (await jarOp(s, 'shapes', 'export', { format: 'playwright' })).body.cookies
    expect(pw.find((c: any) => c.name === 'pw')).toEqual(playwright[0])
    expect(pw.find((c: any) => c.name === 'pw2')).toEqual(playwright[1])
    const viaCdp = (await jarOp(s, 'shapes', 'export', { format: 'cdp' })).body.cookies
    expect(viaCdp.find((c: any) => c.name === 'pw')).toEqual({
      name: 'pw',
      value: 'p1',
      domain: 'app.example.com',
      path: '/',
      secure: false,
      httpOnly: false,
      sameSite: 'Strict',
    })
    // A round trip through the Playwright shape changes nothing.
    r = await jarOp(s, 'shapes', 'import', { cookies: pw, mode: 'replace' })
    expect(r.body.format).toBe('playwright')
    const again = (await jarOp(s, 'shapes', 'export')).body.cookies
    expect(again.find((c: any) => c.name === 'pw2')).toEqual(byName.pw2)
  })

  it('merges a bare array of cookies (a browser-extension export) and explains a bad option', async () => {
    await createJar(s, 'acme', 'bare')
    let r = await jarOp(s, 'bare', 'import', [
      li('a', '1'),
      { ...li('b', '2'), hostOnly: false, storeId: '0' },
    ])
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({ mode: 'merge', format: 'chrome', added: 2, cookie_count: 2 })
    r = await jarOp(s, 'bare', 'import', { cookies: [li('c', '3')], mode: 'upsert' })
    expect(r.status).toBe(400)
    expect(r.body.error.message).toMatch(/mode/)
  })

  it('keeps sameSite unspecified when missing, maps none to no_restriction, and refuses bad cookies by name', async () => {
    await createJar(s, 'acme', 'rules')
    let r = await jarOp(s, 'rules', 'set', { name: 'u', value: 'x', domain: 'example.com' })
    expect(r.status).toBe(200)
    expect(r.body.cookie).toMatchObject({ sameSite: 'unspecified', path: '/' })
    expect(r.body.cookie).not.toHaveProperty('value')
    r = await jarOp(s, 'rules', 'set', {
      name: 'n',
      value: 'x',
      domain: 'example.com',
      sameSite: 'none',
      secure: true,
    })
    expect(r.body.cookie.sameSite).toBe('no_restriction')
    r = await jarOp(s, 'rules', 'import', {
      cookies: [{ name: 'ms', value: 'x', domain: 'example.com', expirationDate: 1_767_225_600_000 }],
    })
    expect(r.status).toBe(400)
    expect(r.body.error.code).toBe('JAR_INVALID_COOKIES')
    expect(r.body.error.message).toContain('"ms"')
    expect(r.body.error.details.dropped[0]).toMatchObject({
      reason: 'expiration_in_milliseconds',
      cookie: { name: 'ms' },
    })
    for (const [domain, reason] of [
      ['.com', 'public_suffix'],
      ['co.uk', 'public_suffix'],
      ['.127.0.0.1', 'domain_cookie_on_ip_address'],
      ['ex ample.com', 'domain_invalid'],
    ]) {
      r = await jarOp(s, 'rules', 'set', { name: 'p', value: 'x', domain })
      expect(r.status, domain).toBe(400)
      expect(r.body.error.details.dropped[0].reason, domain).toBe(reason)
    }
    for (const [cookie, reason] of [
      [{ name: 'x'.repeat(257), value: 'v', domain: 'example.com' }, 'name_too_long'],
      [{ name: 'big', value: 'v'.repeat(8193), domain: 'example.com' }, 'value_too_long'],
      [{ name: 'semi', value: 'a;b', domain: 'example.com' }, 'value_invalid_characters'],
      [{ name: 's', value: 'v', domain: 'example.com', sameSite: 'sometimes' }, 'same_site_invalid'],
      [{ name: 'p', value: 'v', domain: 'example.com', path: 'nope' }, 'path_invalid'],
    ] as const) {
      r = await jarOp(s, 'rules', 'import', { cookies: [cookie] })
      expect(r.status, reason).toBe(400)
      expect(r.body.error.details.dropped[0].reason).toBe(reason)
      expect(JSON.stringify(r.body)).not.toContain('v'.repeat(8193))
    }
    // on_invalid=skip stores the valid ones and reports the rest; <= 0 is a session cookie.
    r = await jarOp(s, 'rules', 'import', {
      on_invalid: 'skip',
      cookies: [
        { name: 'ok', value: 'x', domain: 'example.com', expirationDate: 0 },
        { name: 'bad', value: 'x', domain: '.com' },
      ],
    })
    expect(r.status).toBe(200)
    expect(r.body.dropped).toEqual([
      { cookie: { name: 'bad', domain: '.com', path: '/' }, index: 1, reason: 'public_suffix' },
    ])
    expect(r.body.warnings.some((w: any) => /session/.test(w.message))).toBe(true)
    const list = await jarGet(s, 'rules', 'list')
    expect(list.body.cookies.find((c: any) => c.name === 'ok')).toMatchObject({ session: true })
  })

  it('export needs write scope; list hides values unless asked, and asking needs write scope', async () => {
    await createJar(s, 'acme', 'scoped')
    await jarOp(s, 'scoped', 'import', { cookies: [li('li_at', 'AQEDA-secret')] })
    let r = await jarOp(s, 'scoped', 'export', {}, reader)
    expect(r.status).toBe(403)
    expect(r.body.error.code).toBe('FORBIDDEN')
    r = await jarOp(s, 'scoped', 'export', {}, writer)
    expect(r.body.cookies[0].value).toBe('AQEDA-secret')
    r = await jarGet(s, 'scoped', 'list', '', reader)
    expect(r.status).toBe(200)
    expect(r.body.cookies[0]).toMatchObject({ name: 'li_at', domain: '.linkedin.com', httpOnly: true })
    expect(JSON.stringify(r.body)).not.toContain('AQEDA')
    r = await jarGet(s, 'scoped', 'list', 'include_values=true', reader)
    expect(r.status).toBe(403)
    r = await jarGet(s, 'scoped', 'list', 'include_values=true', writer)
    expect(r.body.cookies[0].value).toBe('AQEDA-secret')
    r = await jarGet(s, 'scoped', 'describe', '', reader)
    expect(r.status).toBe(200)
    r = await jarOp(s, 'scoped', 'set', li('x', 'y'), reader)
    expect(r.status).toBe(403)
  })

  it('filters export, list and clear by RFC 6265 domain match', async () => {
    await createJar(s, 'acme', 'filters')
    await jarOp(s, 'filters', 'import', {
      cookies: [
        li('a', '1'),
        { ...li('b', '2'), domain: 'www.linkedin.com' },
        { ...li('c', '3'), domain: 'evillinkedin.com' },
        { ...li('d', '4'), domain: '.github.com' },
      ],
    })
    const names = (r: any) => r.body.cookies.map((c: any) => c.name).sort()
    expect(names(await jarOp(s, 'filters', 'export', { domain: 'linkedin.com' }))).toEqual(['a', 'b'])
    expect(names(await jarGet(s, 'filters', 'list', 'domain=.linkedin.com'))).toEqual(['a', 'b'])
    let r = await jarOp(s, 'filters', 'export', { domain: 'not a domain' })
    expect(r.status).toBe(400)
    r = await jarOp(s, 'filters', 'clear', { domain: 'linkedin.com' })
    expect(r.body).toMatchObject({ removed: 2, cookie_count: 2 })
    expect(names(await jarOp(s, 'filters', 'export'))).toEqual(['c', 'd'])
    r = await jarOp(s, 'filters', 'clear')
    expect(r.body).toMatchObject({ removed: 2, cookie_count: 0 })
    const get = await s.api('GET', '/api/acme/filters')
    expect(get.body.state).toBe('empty')
    expect(get.body.spec.domains).toEqual([])
  })

  it('deletes exactly one identity and moves cookies_version only when something was removed', async () => {
    await createJar(s, 'acme', 'del')
    await jarOp(s, 'del', 'import', { cookies: [li('a', '1'), { ...li('a', '2'), path: '/x' }] })
    let r = await jarOp(s, 'del', 'delete', { name: 'a', domain: '.linkedin.com', path: '/x' })
    expect(r.body).toMatchObject({ removed: true, cookie_count: 1, cookies_version: 2 })
    r = await jarOp(s, 'del', 'delete', { name: 'a', domain: 'linkedin.com' })
    expect(r.body).toMatchObject({ removed: false, cookie_count: 1, cookies_version: 2 })
    r = await jarOp(s, 'del', 'delete', { name: 'a', domain: '.linkedin.com' })
    expect(r.body).toMatchObject({ removed: true, cookie_count: 0, cookies_version: 3 })
  })

  it('refuses a stale expected_version with JAR_VERSION_CONFLICT and changes nothing', async () => {
    await createJar(s, 'acme', 'cas')
    await jarOp(s, 'cas', 'import', { cookies: [li('a', '1')] })
    const r = await jarOp(s, 'cas', 'import', { cookies: [li('b', '1')], expected_version: 0 })
    expect(r.status).toBe(409)
    expect(r.body.error).toMatchObject({
      code: 'JAR_VERSION_CONFLICT',
      details: { expected_version: 0, cookies_version: 1 },
    })
    expect((await jarGet(s, 'cas', 'describe')).body).toMatchObject({ cookie_count: 1, cookies_version: 1 })
  })

  it('loses no write when many clients change one jar at once', async () => {
    await createJar(s, 'acme', 'busy')
    const results = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        i % 2 === 0
          ? jarOp(s, 'busy', 'set', li(`c${i}`, `v${i}`))
          : jarOp(s, 'busy', 'import', { cookies: [li(`c${i}`, `v${i}`)] }),
      ),
    )
    expect(results.map((r) => r.status)).toEqual(Array(24).fill(200))
    const d = (await jarGet(s, 'busy', 'describe')).body
    expect(d).toMatchObject({ cookie_count: 24, cookies_version: 24 })
    const versions = results.map((r) => r.body.cookies_version).sort((a, b) => a - b)
    expect(versions).toEqual(Array.from({ length: 24 }, (_, i) => i + 1))
  })

  it('answers malformed and hostile bodies with 400s and changes nothing', async () => {
    await createJar(s, 'acme', 'hostile')
    const bad: Array<[string, unknown]> = [
      ['import', { cookies: 'li_at=1' }],
      ['import', { cookies: [li('a', '1')], mode: 'upsert' }],
      ['import', { cookies: [li('a', '1')], format: 'netscape' }],
      ['import', { cookies: [li('a', '1')], extra: true }],
      ['import', { cookies: Array(50_001).fill(0) }],
      ['import', { cookies: [li('a', '1')], expected_version: -1 }],
      ['set', { name: 'a', domain: 'example.com' }],
      ['set', { name: 'a', value: 1, domain: 'example.com' }],
      ['delete', { name: 'a' }],
      ['clear', { domain: 'exa mple.com' }],
      ['export', { format: 'har' }],
      ['attach', {}],
      ['detach', { force: 'yes' }],
      ['diff', { other_jar_id: '' }],
    ]
    for (const [op, body] of bad) {
      const r = await jarOp(s, 'hostile', op, body)
      expect(r.status, `${op} ${JSON.stringify(body).slice(0, 80)}`).toBe(400)
      expect(r.body.error.code).toMatch(/VALIDATION_FAILED|JAR_INVALID_COOKIES/)
    }
    const raw = await s.api('POST', '/api/acme/hostile/ops/import', undefined, {
      raw: '{"cookies":[{"name":',
    })
    expect(raw.status).toBe(400)
    for (const q of ['limit=0', 'limit=1001', 'offset=-1', 'include_values=maybe']) {
      expect((await jarGet(s, 'hostile', 'list', q)).status, q).toBe(400)
    }
    expect((await jarGet(s, 'hostile', 'describe')).body).toMatchObject({
      cookie_count: 0,
      cookies_version: 0,
    })
  })

  it('restores name and intention only: cookies are not versioned history', async () => {
    await createJar(s, 'acme', 'hist')
    await jarOp(s, 'hist', 'import', { cookies: [li('a', 'first-secret')] })
    await s.api('PATCH', '/api/acme/hist', { name: 'Renamed', intention: 'later' })
    await jarOp(s, 'hist', 'set', li('b', 'second-secret'))
    const r = await jarOp(s, 'hist', 'restore', { version: 1 })
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({
      name: 'Hist',
      intention: '',
      spec: { cookie_count: 2, cookies_version: 2 },
    })
    const history = await jarGet(s, 'hist', 'version', 'history=true')
    expect(history.body.history.length).toBeGreaterThanOrEqual(3)
    expect(JSON.stringify(history.body)).not.toMatch(/first-secret|second-secret/)
    expect((await jarOp(s, 'hist', 'restore', { version: 99 })).body.error.code).toBe('VERSION_NOT_FOUND')
  })

  it('keeps the spec to its operations: create with cookies and update of derived fields are refused', async () => {
    let r = await s.api('POST', '/api/acme', {
      element_type: 'cookie-jar',
      slug: 'nope',
      spec: { cookies: [li('a', '1')] },
    })
    expect(r.status).toBe(400)
    expect(r.body.error.code).toBe('JAR_SPEC_MANAGED')
    r = await s.api('POST', '/api/acme', {
      element_type: 'cookie-jar',
      slug: 'nope',
      spec: { cookie_count: 5 },
    })
    expect(r.body.error.code).toBe('JAR_SPEC_MANAGED')
    await createJar(s, 'acme', 'upd')
    r = await s.api('PATCH', '/api/acme/upd', { spec: { cookie_count: 3 } })
    expect(r.status).toBe(400)
    expect(r.body.error.code).toBe('JAR_SPEC_MANAGED')
    r = await s.api('PATCH', '/api/acme/upd', { spec: {}, deep: false, name: 'Renamed' })
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({
      name: 'Renamed',
      spec: { cookie_count: 0, cookies_version: 0, attached_browser_id: '' },
    })
  })
})
