// The browser's session life over real HTTP with a real Chromium: start, navigate, stop, status,
// bad URLs, timeouts, the session limit, crashes, and cleanup on delete, disable and close.
import { existsSync, readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../../../test/test-server.ts'
import {
  BROWSER_TEST_ENV,
  browserRuntime,
  chromiumPid,
  createBrowser,
  eventually,
  HAVE_CHROMIUM,
  SKIP_REASON,
} from './browser-test-helpers.ts'
import { type LoginSite, startLoginSite } from './test-login-site.ts'

describe.skipIf(!HAVE_CHROMIUM)(`browser sessions${SKIP_REASON}`, () => {
  let s: TestServer
  let site: LoginSite
  let reader: string

  const op = (slug: string, name: string, body: object = {}, key?: string) =>
    s.api('POST', `/api/acme/${slug}/ops/${name}`, body, { key })
  const status = async (slug: string) => (await s.api('GET', `/api/acme/${slug}/ops/status`)).body
  const profileDir = (id: string) => browserRuntime(s).session(id)?.userDataDir

  beforeAll(async () => {
    site = await startLoginSite()
    s = await startTestServer({
      env: { ...BROWSER_TEST_ENV, PERIODIC_BROWSER_MAX_SESSIONS: '2' },
    })
    await s.createCircle('acme')
    reader = await s.createKey('acme', ['read'])
  })
  afterAll(async () => {
    await s?.close()
    await site?.close()
  })

  it('starts a session, navigates, reports status and stops, removing its profile dir', async () => {
    const b = await createBrowser(s, 'acme', 'life', {
      start_url: `${site.url}/`,
      user_agent: 'PeriodicTest/1.0',
    })
    expect(b.state).toBe('stopped')
    const started = await op('life', 'start')
    expect(started.status).toBe(200)
    expect(started.body).toMatchObject({ state: 'running', page: { status: 200, title: 'Home' } })
    const dir = profileDir(b.id)!
    expect(dir.startsWith(s.dataDir)).toBe(false)
    expect(existsSync(dir)).toBe(true)

    const nav = await op('life', 'navigate', { url: `${site.url}/account` })
    expect(nav.status).toBe(200)
    expect(nav.body).toEqual({ status: 401, url: `${site.url}/account`, title: 'Login required' })

    expect(site.seen.filter((r) => r.path === '/account').at(-1)!.ua).toBe('PeriodicTest/1.0')
    const metrics = await s.api('GET', '/metrics')
    expect(metrics.body).toMatch(/^browser_sessions_live 1$/m)
    expect(metrics.body).toMatch(/^browser_navigations_total\{outcome="ok"\} 2$/m)

    const st = await status('life')
    expect(st).toMatchObject({ state: 'running', live: true, page: { url: `${site.url}/account` } })
    expect((await s.api('GET', '/api/acme/life')).body.state).toBe('running')

    const again = await op('life', 'start')
    expect(again.status).toBe(409)
    expect(again.body.error.code).toBe('BROWSER_ALREADY_RUNNING')

    const stopped = await op('life', 'stop')
    expect(stopped.body).toEqual({ state: 'stopped', changed: true })
    expect(existsSync(dir)).toBe(false)
    expect((await op('life', 'stop')).body).toEqual({ state: 'stopped', changed: false })
    const nav2 = await op('life', 'navigate', { url: `${site.url}/` })
    expect(nav2.status).toBe(409)
    expect(nav2.body.error).toMatchObject({ code: 'BROWSER_NOT_RUNNING', details: { state: 'stopped' } })
  })

  it('refuses non-http URLs and malformed input with 400s, before touching Chromium', async () => {
    await createBrowser(s, 'acme', 'urls')
    await op('urls', 'start')
    for (const url of [
      'file:///etc/passwd',
      'chrome://settings',
      'javascript:alert(1)',
      'data:text/html,x',
      '/rel',
      'http//x',
    ]) {
      const r = await op('urls', 'navigate', { url })
      expect(r.status, url).toBe(400)
      expect(r.body.error.code, url).toBe('BROWSER_INVALID_URL')
    }
    expect((await op('urls', 'navigate', { url: `http://x/${'a'.repeat(3000)}` })).body.error.code).toBe(
      'VALIDATION_FAILED',
    )
    expect((await op('urls', 'navigate', {})).body.error.code).toBe('VALIDATION_FAILED')
    expect((await op('urls', 'navigate', { url: `${site.url}/`, extra: 1 })).status).toBe(400)
    for (const startUrl of ['ftp://x', 'javascript:alert(1)', 'not a url']) {
      const bad = await s.api('POST', '/api/acme', {
        element_type: 'browser',
        slug: 'bad-start',
        spec: { start_url: startUrl },
      })
      expect(bad.status, startUrl).toBe(400)
      expect(bad.body.error).toMatchObject({
        code: 'VALIDATION_FAILED',
        details: { field: 'spec.start_url' },
      })
    }
    await op('urls', 'stop')
  })

  it('answers a navigation that never finishes with 504 and keeps the session usable', async () => {
    await createBrowser(s, 'acme', 'slow', { navigation_timeout_ms: 1000 })
    await op('slow', 'start')
    const r = await op('slow', 'navigate', { url: `${site.url}/slow` })
    expect(r.status).toBe(504)
    expect(r.body.error).toMatchObject({ code: 'BROWSER_NAVIGATION_TIMEOUT', retryable: true })
    const ok = await op('slow', 'navigate', { url: `${site.url}/` })
    expect(ok.body.title).toBe('Home')
    const refused = await op('slow', 'navigate', { url: 'http://127.0.0.1:1/' })
    expect(refused.status).toBe(502)
    expect(refused.body.error.code).toBe('BROWSER_NAVIGATION_FAILED')
    await op('slow', 'stop')

    // A start_url that does not load leaves the session running and says why.
    await createBrowser(s, 'acme', 'bad-url', { start_url: 'http://127.0.0.1:1/' })
    const started = await op('bad-url', 'start')
    expect(started.status).toBe(200)
    expect(started.body).toMatchObject({
      state: 'running',
      navigation_error: { code: 'BROWSER_NAVIGATION_FAILED' },
    })
    const recovered = await op('bad-url', 'navigate', { url: `${site.url}/` })
    expect(recovered.body, JSON.stringify(recovered.body)).toMatchObject({ status: 200, title: 'Home' })
    await op('bad-url', 'stop')
  })

  it('holds at most PERIODIC_BROWSER_MAX_SESSIONS live sessions (429 beyond)', async () => {
    await createBrowser(s, 'acme', 'cap-1')
    await createBrowser(s, 'acme', 'cap-2')
    await createBrowser(s, 'acme', 'cap-3')
    const results = await Promise.all(['cap-1', 'cap-2', 'cap-3'].map((b) => op(b, 'start')))
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 429])
    const refused = results.find((r) => r.status === 429)!
    expect(refused.body.error).toMatchObject({ code: 'BROWSER_SESSION_LIMIT', details: { max_sessions: 2 } })
    for (const b of ['cap-1', 'cap-2', 'cap-3']) await op(b, 'stop')
    expect((await op('cap-3', 'start')).status).toBe(200)
    await op('cap-3', 'stop')
  })

  it('marks a browser whose Chromium died as crashed; it can be started again', async () => {
    const b = await createBrowser(s, 'acme', 'crashy')
    await op('crashy', 'start')
    const dir = profileDir(b.id)!
    const pid = chromiumPid(dir)
    expect(pid).toBeGreaterThan(0)
    process.kill(pid!, 'SIGKILL')
    await eventually(
      async () => ((await status('crashy')).state === 'crashed' ? true : undefined),
      'crashed state',
    )
    const row = (await s.api('GET', '/api/acme/crashy')).body
    expect(row).toMatchObject({ state: 'crashed', state_reason: 'the Chromium process exited' })
    await eventually(async () => (existsSync(dir) ? undefined : true), 'profile dir removed')
    const nav = await op('crashy', 'navigate', { url: `${site.url}/` })
    expect(nav.body.error).toMatchObject({ code: 'BROWSER_NOT_RUNNING', details: { state: 'crashed' } })
    const restarted = await op('crashy', 'start')
    expect(restarted.body.state).toBe('running')
    expect((await op('crashy', 'navigate', { url: `${site.url}/` })).body.title).toBe('Home')
    await op('crashy', 'stop')
  })

  it('keeps a browser disabled when it is disabled while it starts, with no session left', async () => {
    const b = await createBrowser(s, 'acme', 'racing-off')
    const [started, disabled] = await Promise.all([op('racing-off', 'start'), op('racing-off', 'disable')])
    expect(disabled.status).toBe(200)
    expect([200, 409]).toContain(started.status)
    await eventually(async () => (browserRuntime(s).session(b.id) ? undefined : true), 'session ended')
    await eventually(async () => {
      const row = (await s.api('GET', '/api/acme/racing-off')).body
      return row.state === 'disabled' ? row : undefined
    }, 'state disabled')
  })

  it('closes the session when the browser is disabled or deleted', async () => {
    const b = await createBrowser(s, 'acme', 'doomed')
    await op('doomed', 'start')
    const dir = profileDir(b.id)!
    expect((await op('doomed', 'disable')).status).toBe(200)
    await eventually(async () => (existsSync(dir) ? undefined : true), 'profile dir removed on disable')
    expect(browserRuntime(s).session(b.id)).toBeUndefined()
    expect((await op('doomed', 'enable')).body.state).toBe('stopped')
    await op('doomed', 'start')
    const dir2 = profileDir(b.id)!
    const del = await s.api('DELETE', '/api/acme/doomed/ops/delete', { confirm: true })
    expect(del.status).toBe(200)
    await eventually(async () => (existsSync(dir2) ? undefined : true), 'profile dir removed on delete')
    expect(browserRuntime(s).liveCount()).toBe(0)
  })

  it('records a browser whose session this server no longer holds as crashed on its next operation', async () => {
    const b = await createBrowser(s, 'acme', 'stale')
    // What a hard kill of the server leaves behind: the row says running, no Chromium exists.
    await s.platform.storage.updateElement(b.id, { state: 'running' })
    expect((await status('stale')).state).toBe('crashed')
    const nav = await op('stale', 'navigate', { url: `${site.url}/` })
    expect(nav.body.error).toMatchObject({ code: 'BROWSER_NOT_RUNNING', details: { state: 'crashed' } })
    const row = (await s.api('GET', '/api/acme/stale')).body
    expect(row).toMatchObject({ state: 'crashed', state_reason: 'the session was lost (server restarted)' })
  })

  it('serializes operations on one browser: two concurrent starts make one session and one 409', async () => {
    const b = await createBrowser(s, 'acme', 'twice')
    const [x, y] = await Promise.all([op('twice', 'start'), op('twice', 'start')])
    expect([x.status, y.status].sort()).toEqual([200, 409])
    expect([x, y].find((r) => r.status === 409)!.body.error.code).toBe('BROWSER_ALREADY_RUNNING')
    expect(browserRuntime(s).liveCount()).toBe(1)
    await op('twice', 'stop')
    expect(browserRuntime(s).session(b.id)).toBeUndefined()
  })

  it('leaves no session behind when a browser is deleted while it starts', async () => {
    const b = await createBrowser(s, 'acme', 'racing')
    const [started, deleted] = await Promise.all([
      op('racing', 'start'),
      s.api('DELETE', '/api/acme/racing/ops/delete', { confirm: true }),
    ])
    expect(deleted.status).toBe(200)
    expect([200, 404]).toContain(started.status)
    await eventually(async () => (browserRuntime(s).session(b.id) ? undefined : true), 'session ended')
    expect(browserRuntime(s).liveCount()).toBe(0)
  })

  it('needs execute scope to start and navigate, read scope for status', async () => {
    await createBrowser(s, 'acme', 'scoped')
    const r = await op('scoped', 'start', {}, reader)
    expect(r.status).toBe(403)
    expect(r.body.error.details.required_scope).toBe('execute')
    expect((await s.api('GET', '/api/acme/scoped/ops/status', undefined, { key: reader })).status).toBe(200)
  })

  it('refuses a plain cookies array in the spec: captured cookies are only written sealed', async () => {
    const r = await s.api('POST', '/api/acme', {
      element_type: 'browser',
      slug: 'plain',
      spec: { cookies: [{ name: 'a', value: 'b', domain: '.x.com' }] },
    })
    expect(r.status).toBe(400)
    expect(r.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'spec.cookies' } })
  })
})

describe.skipIf(!HAVE_CHROMIUM)(`browser sessions at server close${SKIP_REASON}`, () => {
  it('ends every Chromium and records its browser as stopped when the server closes', async () => {
    const s = await startTestServer({ env: BROWSER_TEST_ENV })
    await s.createCircle('acme')
    const b = await createBrowser(s, 'acme', 'closing')
    await s.api('POST', '/api/acme/closing/ops/start', {})
    const dir = browserRuntime(s).session(b.id)!.userDataDir
    const pid = chromiumPid(dir)!
    expect(pid).toBeGreaterThan(0)
    const stopped: unknown[] = []
    s.platform.bus.subscribe('browser.stopped', (e) => stopped.push({ id: e.element_id, ...e.data }))
    await s.close()
    expect(existsSync(dir)).toBe(false)
    expect(processGone(pid)).toBe(true)
    expect(stopped).toEqual([expect.objectContaining({ id: b.id, state: 'stopped' })])
  })
})

describe.skipIf(!HAVE_CHROMIUM)(`idle browser sessions${SKIP_REASON}`, () => {
  it('stops a session no operation used for PERIODIC_BROWSER_IDLE_TIMEOUT_MS', async () => {
    const s = await startTestServer({
      env: { ...BROWSER_TEST_ENV, PERIODIC_BROWSER_IDLE_TIMEOUT_MS: '1000' },
    })
    try {
      await s.createCircle('acme')
      const b = await createBrowser(s, 'acme', 'idle')
      expect((await s.api('POST', '/api/acme/idle/ops/start', {})).status).toBe(200)
      const dir = browserRuntime(s).session(b.id)!.userDataDir
      const row = await eventually(async () => {
        const r = (await s.api('GET', '/api/acme/idle')).body
        return r.state === 'stopped' ? r : undefined
      }, 'idle stop')
      expect(row.state_reason).toBe('idle for more than 1000 ms')
      expect(existsSync(dir)).toBe(false)
      // An idle-stopped browser starts again like any stopped one.
      expect((await s.api('POST', '/api/acme/idle/ops/start', {})).body.state).toBe('running')
    } finally {
      await s.close()
    }
  })
})

/** Gone, or a zombie its parent has not reaped yet. */
function processGone(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(' ')[2] === 'Z'
  } catch {
    return true
  }
}

describe('browser without Chromium', () => {
  it('answers start with 503 BROWSER_UNAVAILABLE naming the path', async () => {
    const s = await startTestServer({ env: { PERIODIC_CHROMIUM_PATH: '/nonexistent/chromium' } })
    try {
      await s.createCircle('acme')
      await createBrowser(s, 'acme', 'nochrome')
      const r = await s.api('POST', '/api/acme/nochrome/ops/start', {})
      expect(r.status).toBe(503)
      expect(r.body.error).toMatchObject({
        code: 'BROWSER_UNAVAILABLE',
        details: { path: '/nonexistent/chromium' },
      })
      expect((await s.api('GET', '/api/acme/nochrome')).body.state).toBe('stopped')
    } finally {
      await s.close()
    }
  })
})
