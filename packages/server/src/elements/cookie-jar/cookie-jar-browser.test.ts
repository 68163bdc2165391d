// The jar's diff against a real browser's captured cookies: Chromium logs in to a local site,
// captures its cookies, and the jar sees what saving them would add, change and remove.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../../../test/test-server.ts'
import {
  BROWSER_TEST_ENV,
  createBrowser,
  HAVE_CHROMIUM,
  SKIP_REASON,
} from '../browser/browser-test-helpers.ts'
import { type LoginSite, startLoginSite } from '../browser/test-login-site.ts'
import { createJar, jarOp } from './jar-test-helpers.ts'

describe.skipIf(!HAVE_CHROMIUM)(`cookie-jar diff against a live browser${SKIP_REASON}`, () => {
  let s: TestServer
  let site: LoginSite

  beforeAll(async () => {
    site = await startLoginSite()
    s = await startTestServer({ env: BROWSER_TEST_ENV })
    await s.createCircle('acme')
  })
  afterAll(async () => {
    await s?.close()
    await site?.close()
  })

  it('reports the capture as added, then unchanged after a save, then the logout as a change', async () => {
    await createJar(s, 'acme', 'live-jar')
    const b = await createBrowser(s, 'acme', 'live')
    expect((await jarOp(s, 'live-jar', 'attach', { browser_id: b.id })).status).toBe(200)
    expect((await jarOp(s, 'live', 'start')).status).toBe(200)
    await jarOp(s, 'live', 'navigate', { url: `${site.url}/login?user=alice` })
    expect((await jarOp(s, 'live', 'capture-cookies')).status).toBe(200)

    let d = await jarOp(s, 'live-jar', 'diff', { browser_id: 'live' })
    expect(d.status).toBe(200)
    expect(d.body).toMatchObject({
      added: 5,
      removed: 0,
      changed: 0,
      by_domain: { '127.0.0.1': { added: 5 } },
    })

    expect((await jarOp(s, 'live', 'save-cookies-to-jar')).status).toBe(200)
    d = await jarOp(s, 'live-jar', 'diff', { browser_id: b.id })
    expect(d.body).toMatchObject({ added: 0, removed: 0, changed: 0, unchanged: 5 })
    const exported = (await jarOp(s, 'live-jar', 'export')).body.cookies as Array<{ value: string }>
    const values = exported.map((c) => c.value).filter((v) => v.length > 3)
    expect(values.length).toBeGreaterThanOrEqual(3)

    // Logout deletes the session cookie in the browser: the jar still has it.
    await jarOp(s, 'live', 'navigate', { url: `${site.url}/logout` })
    await jarOp(s, 'live', 'capture-cookies')
    d = await jarOp(s, 'live-jar', 'diff', { browser_id: b.id })
    expect(d.body).toMatchObject({
      added: 0,
      removed: 1,
      changed: 0,
      unchanged: 4,
      by_domain: { '127.0.0.1': { removed: 1 } },
    })
    expect(JSON.stringify(d.body)).not.toContain(
      site.sessions.size ? [...site.sessions.keys()][0]! : 'no-session',
    )
    await jarOp(s, 'live', 'stop')
  })
})
