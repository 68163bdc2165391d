// THE end-to-end test of the jar: a real Chromium logs in to a local site, saves its session to a
// jar, is deleted; a new browser attached to the jar loads it and is still logged in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type StorageKind,
  startTestServer,
  storageKinds,
  type TestServer,
} from '../../../test/test-server.ts'
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

describe.skipIf(!HAVE_CHROMIUM).each(storageKinds())(
  `a session survives its browser via a jar (%s)${SKIP_REASON}`,
  (kind: StorageKind) => {
    let s: TestServer
    let site: LoginSite

    const op = (slug: string, name: string, body: object = {}) =>
      s.api('POST', `/api/acme/${slug}/ops/${name}`, body)
    const jarCookies = async () => {
      const r = await op('session-jar', 'export', {})
      expect(r.status).toBe(200)
      return r.body.cookies as Array<Record<string, unknown>>
    }
    const byName = (cookies: Array<Record<string, unknown>>) =>
      new Map(cookies.map((c) => [c['name'] as string, c]))

    beforeAll(async () => {
      site = await startLoginSite()
      s = await startTestServer({ storage: kind, env: BROWSER_TEST_ENV })
      await s.createCircle('acme')
    })
    afterAll(async () => {
      await s?.close()
      await site?.close()
    })

    it('logs in, saves to the jar (replace, versioned), dies, and a new browser loads the jar still logged in', async () => {
      const jar = await s.api('POST', '/api/acme', { element_type: 'cookie-jar', slug: 'session-jar' })
      expect(jar.status).toBe(201)
      const b1 = await createBrowser(s, 'acme', 'first')
      expect((await op('session-jar', 'attach', { browser_id: b1.id })).status).toBe(200)

      // Log in with a real Chromium; the site sets httpOnly, SameSite and expiring cookies.
      expect((await op('first', 'start')).status).toBe(200)
      expect((await op('first', 'navigate', { url: `${site.url}/login?user=alice` })).body.title).toBe(
        'Logged in',
      )
      expect((await op('first', 'navigate', { url: `${site.url}/account` })).body).toMatchObject({
        status: 200,
        title: 'Account of alice',
      })

      const saved = await op('first', 'save-cookies-to-jar', {})
      expect(saved.status).toBe(200)
      expect(saved.body).toMatchObject({ jar: 'session-jar', cookie_count: 5, skipped: [] })
      const v1 = saved.body.cookies_version as number
      const first = byName(await jarCookies())
      const now = Date.now() / 1000
      expect(first.get('session')).toMatchObject({
        domain: '127.0.0.1',
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
      })
      expect(first.get('session')!['expirationDate'] as number).toBeGreaterThan(now + 3000)
      expect(first.get('prefs')).toMatchObject({ httpOnly: false, sameSite: 'strict', value: 'theme-dark' })
      expect(first.get('consent')).toMatchObject({ secure: true, sameSite: 'no_restriction' })
      expect(first.get('csrf')).toMatchObject({ sameSite: 'unspecified', value: 'token-abc' })
      expect(first.get('csrf')!['expirationDate']).toBeUndefined()
      expect(first.get('scoped')).toMatchObject({ path: '/account', httpOnly: true })

      // Logout clears the session cookie; a save replaces, so the jar loses it too.
      await op('first', 'navigate', { url: `${site.url}/logout` })
      const afterLogout = await op('first', 'save-cookies-to-jar', { expected_version: v1 })
      expect(afterLogout.status).toBe(200)
      expect(afterLogout.body.cookie_count).toBe(4)
      const v2 = afterLogout.body.cookies_version as number
      expect(v2).toBeGreaterThan(v1)
      expect(byName(await jarCookies()).has('session')).toBe(false)

      // A save from a stale read is refused and changes nothing.
      await op('first', 'navigate', { url: `${site.url}/login?user=bob` })
      const stale = await op('first', 'save-cookies-to-jar', { expected_version: v1 })
      expect(stale.status).toBe(409)
      expect(stale.body.error).toMatchObject({
        code: 'JAR_VERSION_CONFLICT',
        details: { expected_version: v1 },
      })
      expect(byName(await jarCookies()).has('session')).toBe(false)
      const loggedIn = await op('first', 'save-cookies-to-jar', { expected_version: v2 })
      expect(loggedIn.body.cookie_count).toBe(5)
      const bobSession = byName(await jarCookies()).get('session')!['value'] as string
      expect(site.sessions.get(bobSession)).toBe('bob')

      // The browser goes away with its Chromium; the jar keeps the session, orphaned.
      expect((await s.api('DELETE', '/api/acme/first/ops/delete', { confirm: true })).status).toBe(200)
      expect(browserRuntime(s).liveCount()).toBe(0)
      // (the jar learns of the deletion from the event bus, after the delete's response)
      await eventually(async () => {
        const state = (await s.api('GET', '/api/acme/session-jar')).body.state
        return state === 'orphaned' ? state : undefined
      }, 'jar orphaned')

      // A new browser takes the jar over and loads it into a fresh, empty Chromium.
      const b2 = await createBrowser(s, 'acme', 'second')
      expect((await op('session-jar', 'detach', { force: true })).status).toBe(200)
      expect((await op('session-jar', 'attach', { browser_id: b2.id })).status).toBe(200)
      await op('second', 'start')
      const before = await op('second', 'navigate', { url: `${site.url}/account` })
      expect(before.body.status).toBe(401) // a fresh profile: not logged in
      const loaded = await op('second', 'load-cookies-from-jar', {})
      expect(loaded.status).toBe(200)
      expect(loaded.body).toMatchObject({
        jar: 'session-jar',
        mode: 'replace',
        requested: 5,
        applied: 5,
        dropped: [],
        dropped_count: 0,
        evicted: [],
        evicted_count: 0,
        live_count: 5,
      })

      const account = await op('second', 'navigate', { url: `${site.url}/account` })
      expect(account.body).toMatchObject({ status: 200, title: 'Account of bob' })
      const request = site.seen.filter((r) => r.path === '/account').at(-1)!
      expect(request.cookie).toContain(`session=${bobSession}`)
      expect(request.cookie).toContain('scoped=1')

      // The load was captured: the browser's own sealed copy matches the jar, values never in `get`.
      const got = await s.api('GET', '/api/acme/second')
      expect(got.body.spec).toMatchObject({
        cookie_count: 5,
        cookie_domains: ['127.0.0.1'],
        cookies_sealed: true,
      })
      expect(JSON.stringify(got.body)).not.toContain(bobSession)
      const captured = await s.api('GET', '/api/acme/second/ops/cookies')
      expect(byName(captured.body.cookies).get('session')).toMatchObject({
        value: bobSession,
        httpOnly: true,
      })
      const activity = await s.api('GET', '/api/acme/second/ops/activity')
      const loadedEvent = activity.body.events.find(
        (a: { action: string }) => a.action === 'browser.cookies_loaded_from_jar',
      )
      expect(loadedEvent?.details).toMatchObject({ jar_id: jar.body.id, applied: 5, dropped: 0, evicted: 0 })
      expect(JSON.stringify(activity.body)).not.toContain(bobSession)
      await op('second', 'stop')
    })

    it('brings a crashed browser back: start again, load its jar, still logged in', async () => {
      const b = await createBrowser(s, 'acme', 'phoenix')
      expect(
        (await s.api('POST', '/api/acme', { element_type: 'cookie-jar', slug: 'phoenix-jar' })).status,
      ).toBe(201)
      await op('phoenix-jar', 'attach', { browser_id: b.id })
      await op('phoenix', 'start')
      await op('phoenix', 'navigate', { url: `${site.url}/login?user=dora` })
      expect((await op('phoenix', 'save-cookies-to-jar')).body.cookie_count).toBe(5)

      process.kill(chromiumPid(browserRuntime(s).session(b.id)!.userDataDir)!, 'SIGKILL')
      await eventually(async () => {
        const state = (await s.api('GET', '/api/acme/phoenix')).body.state
        return state === 'crashed' ? state : undefined
      }, 'browser crashed')

      expect((await op('phoenix', 'start')).body.state).toBe('running')
      const loaded = await op('phoenix', 'load-cookies-from-jar')
      expect(loaded.body).toMatchObject({ applied: 5, dropped_count: 0, evicted_count: 0 })
      const account = await op('phoenix', 'navigate', { url: `${site.url}/account` })
      expect(account.body).toMatchObject({ status: 200, title: 'Account of dora' })
      await op('phoenix', 'stop')
    })
  },
)
