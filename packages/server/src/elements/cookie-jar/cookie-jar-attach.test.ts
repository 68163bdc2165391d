// The jar <-> browser edge over real HTTP: the three attach conflicts, idempotent re-attach,
// orphaning when the browser is deleted, force detach, and diff against a jar and a browser.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, storageKinds, type TestServer } from '../../../test/test-server.ts'
import { eventually } from '../browser/browser-test-helpers.ts'
import { sealBrowserCookies } from './jar-access.ts'
import { createBrowserElement, createJar, jarGet, jarOp } from './jar-test-helpers.ts'

const ck = (name: string, value: string, domain: string, extra: object = {}) => ({
  name,
  value,
  domain,
  path: '/',
  secure: true,
  httpOnly: false,
  sameSite: 'lax',
  ...extra,
})

describe.each(storageKinds())('cookie-jar attach and diff (%s)', (storage) => {
  let s: TestServer

  beforeAll(async () => {
    s = await startTestServer({ storage })
    await s.createCircle('acme')
    await s.createCircle('other')
  })
  afterAll(async () => s?.close())

  it('enforces one browser per jar and one jar per browser; re-attaching the same browser is a no-op', async () => {
    const b1 = await createBrowserElement(s, 'acme', 'b1')
    const b2 = await createBrowserElement(s, 'acme', 'b2')
    const j1 = await createJar(s, 'acme', 'j1')
    await createJar(s, 'acme', 'j2')
    let r = await jarOp(s, 'j1', 'attach', { browser_id: b1.id })
    expect(r.status).toBe(200)
    expect(r.body).toEqual({ attached_browser_id: b1.id, changed: true })
    r = await jarOp(s, 'j1', 'attach', { browser_id: b1.id })
    expect(r.body).toEqual({ attached_browser_id: b1.id, changed: false })
    // The jar already holds another browser.
    r = await jarOp(s, 'j1', 'attach', { browser_id: b2.id })
    expect(r.status).toBe(409)
    expect(r.body.error).toMatchObject({
      code: 'JAR_ALREADY_ATTACHED',
      details: { attached_browser_id: b1.id },
    })
    // The browser is already claimed by another jar.
    r = await jarOp(s, 'j2', 'attach', { browser_id: 'b1' })
    expect(r.status).toBe(409)
    expect(r.body.error).toMatchObject({ code: 'JAR_BROWSER_ALREADY_ATTACHED', details: { jar_id: j1.id } })
    // Not a browser, not in this circle, not there at all.
    const otherBrowser = await createBrowserElement(s, 'other', 'ob')
    for (const ref of ['j2', otherBrowser.id, '00000000-0000-4000-8000-000000000000', 'nothing-here']) {
      r = await jarOp(s, 'j2', 'attach', { browser_id: ref })
      expect(r.status, ref).toBe(404)
      expect(r.body.error.code, ref).toBe('JAR_BROWSER_NOT_FOUND')
    }
    const get = await s.api('GET', '/api/acme/j1')
    expect(get.body.spec.attached_browser_id).toBe(b1.id)
    expect((await s.api('GET', '/api/acme/j2')).body.spec.attached_browser_id).toBe('')
    // Detach frees both sides; detaching again is a no-op.
    r = await jarOp(s, 'j1', 'detach')
    expect(r.body).toEqual({ detached: true, previous_browser_id: b1.id })
    r = await jarOp(s, 'j1', 'detach')
    expect(r.body).toEqual({ detached: false, previous_browser_id: null })
    r = await jarOp(s, 'j2', 'attach', { browser_id: b1.id })
    expect(r.body.changed).toBe(true)
  })

  it('attaches two jars to one browser at once only once', async () => {
    const b = await createBrowserElement(s, 'acme', 'race-b')
    await createJar(s, 'acme', 'race-1')
    await createJar(s, 'acme', 'race-2')
    const results = await Promise.all([
      jarOp(s, 'race-1', 'attach', { browser_id: b.id }),
      jarOp(s, 'race-2', 'attach', { browser_id: b.id }),
    ])
    expect(results.map((r) => r.status).sort()).toEqual([200, 409])
    expect(results.find((r) => r.status === 409)!.body.error.code).toBe('JAR_BROWSER_ALREADY_ATTACHED')
  })

  it('orphans a populated jar when its browser is deleted; detach then needs force=true', async () => {
    const b = await createBrowserElement(s, 'acme', 'doomed')
    await createJar(s, 'acme', 'orphan')
    await jarOp(s, 'orphan', 'import', { cookies: [ck('sid', 's3cr3t', 'app.example.com')] })
    await jarOp(s, 'orphan', 'attach', { browser_id: b.id })
    expect((await s.api('GET', '/api/acme/orphan')).body.state).toBe('populated')
    const del = await s.api('DELETE', '/api/acme/doomed', { confirm: true })
    expect(del.status).toBe(200)
    // describe looks at the browser itself; the stored state follows from the deletion event.
    expect((await jarGet(s, 'orphan', 'describe')).body.state).toBe('orphaned')
    const jar = await eventually(async () => {
      const body = (await s.api('GET', '/api/acme/orphan')).body
      return body.state === 'orphaned' ? body : undefined
    }, 'jar state orphaned')
    expect(jar.spec.attached_browser_id).toBe(b.id)
    expect((await jarGet(s, 'orphan', 'describe')).body.state).toBe('orphaned')
    const replacement = await createBrowserElement(s, 'acme', 'replacement')
    let r = await jarOp(s, 'orphan', 'attach', { browser_id: replacement.id })
    expect(r.status).toBe(409)
    expect(r.body.error).toMatchObject({
      code: 'JAR_ALREADY_ATTACHED',
      details: { attached_browser_missing: true },
    })
    expect(r.body.error.message).toMatch(/force=true/)
    r = await jarOp(s, 'orphan', 'detach')
    expect(r.status).toBe(404)
    expect(r.body.error).toMatchObject({
      code: 'JAR_BROWSER_MISSING',
      details: { attached_browser_id: b.id },
    })
    r = await jarOp(s, 'orphan', 'detach', { force: true })
    expect(r.body).toEqual({ detached: true, previous_browser_id: b.id })
    const after = (await s.api('GET', '/api/acme/orphan')).body
    expect(after.state).toBe('populated')
    expect(after.spec).toMatchObject({ attached_browser_id: '', cookie_count: 1 })
    // The session moves on to the new browser.
    r = await jarOp(s, 'orphan', 'attach', { browser_id: replacement.id })
    expect(r.body).toEqual({ attached_browser_id: replacement.id, changed: true })
  })

  it('diffs against another jar with per-domain added, removed and changed counts and no values', async () => {
    await createJar(s, 'acme', 'left')
    await createJar(s, 'acme', 'right')
    await jarOp(s, 'left', 'import', {
      cookies: [
        ck('same', '1', '.a.com'),
        ck('changed', 'old', '.a.com'),
        ck('gone', 'x', '.b.com'),
        ck('flag', 'v', '.b.com'),
      ],
    })
    await jarOp(s, 'right', 'import', {
      cookies: [
        ck('same', '1', '.a.com'),
        ck('changed', 'new-value', '.a.com'),
        ck('flag', 'v', '.b.com', { httpOnly: true }),
        ck('fresh', 'y', '.c.com'),
        ck('fresh2', 'y', 'www.c.com'),
      ],
    })
    const right = (await s.api('GET', '/api/acme/right')).body
    const r = await jarOp(s, 'left', 'diff', { other_jar_id: right.id })
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({
      added: 2,
      removed: 1,
      changed: 2,
      unchanged: 1,
      by_domain: {
        '.a.com': { added: 0, removed: 0, changed: 1 },
        '.b.com': { added: 0, removed: 1, changed: 1 },
        '.c.com': { added: 1, removed: 0, changed: 0 },
        'www.c.com': { added: 1, removed: 0, changed: 0 },
      },
      source: { type: 'cookie-jar', id: right.id, slug: 'right' },
    })
    expect(JSON.stringify(r.body)).not.toContain('new-value')
    const filtered = await jarOp(s, 'left', 'diff', { other_jar_id: 'right', domain: 'c.com' })
    expect(filtered.body).toMatchObject({ added: 2, removed: 0, changed: 0 })
    // Diff changes nothing.
    expect((await jarGet(s, 'left', 'describe')).body.cookies_version).toBe(1)
    let bad = await jarOp(s, 'left', 'diff', {})
    expect(bad.status).toBe(400)
    bad = await jarOp(s, 'left', 'diff', { other_jar_id: 'right', browser_id: 'x' })
    expect(bad.status).toBe(400)
    bad = await jarOp(s, 'left', 'diff', { other_jar_id: 'b1' })
    expect(bad.body.error.code).toBe('JAR_NOT_FOUND')
  })

  it('diffs against a browser’s captured cookies', async () => {
    const b = await createBrowserElement(s, 'acme', 'captured')
    await createJar(s, 'acme', 'vs-browser')
    await jarOp(s, 'vs-browser', 'import', {
      cookies: [ck('sid', 'old', 'app.example.com'), ck('x', '1', '.example.com')],
    })
    let r = await jarOp(s, 'vs-browser', 'diff', { browser_id: b.id })
    // A browser that never captured has no cookies: everything in the jar would be removed.
    expect(r.body).toMatchObject({ added: 0, removed: 2, changed: 0, source: { type: 'browser', id: b.id } })
    // The capture as capture-cookies stores it: sealed to the browser's id and cookies_version.
    const elements = s.platform.elements
    const captured = [
      {
        name: 'sid',
        value: 'new',
        domain: 'app.example.com',
        path: '/',
        secure: true,
        httpOnly: false,
        sameSite: 'lax' as const,
      },
      {
        name: 'y',
        value: '2',
        domain: '.example.com',
        path: '/',
        secure: false,
        httpOnly: false,
        sameSite: 'unspecified' as const,
      },
    ]
    const sealed = await sealBrowserCookies({ elements }, b.id, 1, captured)
    const row = (await elements.records.getElement(b.id))!
    await s.platform.storage.updateElement(b.id, {
      spec: { ...row.spec, cookies: sealed, cookies_version: 1 },
    })
    r = await jarOp(s, 'vs-browser', 'diff', { browser_id: 'captured' })
    expect(r.body).toMatchObject({
      added: 1,
      removed: 1,
      changed: 1,
      by_domain: { 'app.example.com': { changed: 1 }, '.example.com': { added: 1, removed: 1 } },
    })
  })
})
