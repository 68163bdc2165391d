// The circle's browser-session quota over real HTTP with a real Chromium: a start beyond it is
// refused with 429 QUOTA_EXCEEDED (a start cannot wait), other circles are not held up, a stop
// gives the quota back, and the circle's stats and /metrics show the sessions held.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../../../test/test-server.ts'
import { CHROMIUM, createBrowser, HAVE_CHROMIUM, SKIP_REASON } from './browser-test-helpers.ts'

describe.skipIf(!HAVE_CHROMIUM)(`browser quotas${SKIP_REASON}`, () => {
  let s: TestServer
  const op = (path: string, name: string) => s.api('POST', `/api/${path}/ops/${name}`, {})
  const circleStats = async (circle: string) =>
    (await s.api('GET', `/api/${circle}/ops/stats`)).body.quotas.circle.browser_sessions

  beforeAll(async () => {
    s = await startTestServer({
      env: {
        PERIODIC_CHROMIUM_PATH: CHROMIUM,
        PERIODIC_BROWSER_MAX_SESSIONS: '4',
        PERIODIC_QUOTA_CIRCLE_BROWSER_SESSIONS: '1',
      },
    })
    await s.createCircle('acme')
    await s.createCircle('other')
    await createBrowser(s, 'acme', 'one')
    await createBrowser(s, 'acme', 'two')
    await createBrowser(s, 'other', 'three')
  }, 60_000)
  afterAll(async () => s?.close())

  it('refuses a start beyond the circle’s browser quota with 429 QUOTA_EXCEEDED; a stop gives it back', async () => {
    expect((await op('acme/one', 'start')).status).toBe(200)
    expect(await circleStats('acme')).toEqual({ in_use: 1, limit: 1 })

    const refused = await op('acme/two', 'start')
    expect(refused.status).toBe(429)
    expect(refused.body.error).toMatchObject({
      code: 'QUOTA_EXCEEDED',
      class: 'limit',
      retryable: true,
      details: { resource: 'browser_sessions', scope: 'circle', limit: 1, in_use: 1, need: 1 },
    })
    expect((await s.api('GET', '/api/acme/two/ops/status')).body.state).toBe('stopped')

    // The server has room for other circles.
    expect((await op('other/three', 'start')).status).toBe(200)
    const metrics = (await s.api('GET', '/metrics')).body as string
    expect(metrics).toMatch(/^periodic_quota_browser_sessions_in_use 2$/m)
    expect(metrics).toMatch(/^periodic_quota_browser_sessions_limit 4$/m)

    expect((await op('acme/one', 'stop')).status).toBe(200)
    expect(await circleStats('acme')).toEqual({ in_use: 0, limit: 1 })
    expect((await op('acme/two', 'start')).status).toBe(200)
    await op('acme/two', 'stop')
    await op('other/three', 'stop')
    expect(await circleStats('other')).toEqual({ in_use: 0, limit: 1 })
  }, 120_000)
})
