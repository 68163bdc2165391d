// Failed upgrade auth is throttled per client address: through real sockets from distinct
// loopback addresses (127.0.0.x), and the back-off's expiry on a manual clock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../../../test/test-server.ts'
import { join, refusal, wsUrl } from '../../../test/ws-test-client.ts'
import { throttleKey, UpgradeThrottle } from './upgrade-throttle.ts'

describe('websocket upgrade throttle', () => {
  let s: TestServer
  const url = (token: string) => wsUrl(s.url, `/ws/acme/vault?token=${token}`)
  const from = (localAddress: string) => ({ localAddress })

  beforeAll(async () => {
    s = await startTestServer({ env: { PERIODIC_WS_AUTH_FAILURES: '5' } })
    await s.createCircle('acme')
    for (const [slug, auth] of [
      ['vault', { mode: 'bearer', tokens: ['right'] }],
      ['lobby', { mode: 'none' }],
    ] as const) {
      const r = await s.api('POST', '/api/acme', {
        element_type: 'websocket',
        slug,
        spec: { path: `/${slug}`, auth },
      })
      expect(r.status).toBe(201)
    }
  })
  afterAll(async () => s?.close())

  it('answers 429 WS_AUTH_THROTTLED after repeated bad tokens, even to a good one, while another address gets in', async () => {
    for (let i = 0; i < 5; i++) {
      const r = await refusal(url(`guess-${i}`), from('127.0.0.2'))
      expect(r.status).toBe(401)
      expect(r.body.error.code).toBe('WS_UNAUTHORIZED')
    }
    for (const token of ['guess-5', 'right']) {
      const r = await refusal(url(token), from('127.0.0.2'))
      expect(r.status).toBe(429)
      expect(r.body.error).toMatchObject({
        code: 'WS_AUTH_THROTTLED',
        class: 'limit',
        retryable: true,
        details: { retry_after_ms: expect.any(Number) },
      })
    }
    const other = await join(url('right'), from('127.0.0.3'))
    expect(other.welcome.type).toBe('welcome')
    other.ws.close()
    // An endpoint without auth has nothing to guess: the throttled address still connects there.
    const open = await join(wsUrl(s.url, '/ws/acme/lobby'), from('127.0.0.2'))
    open.ws.close()
  })

  it('forgets the failures of an address once it authenticates', async () => {
    for (let i = 0; i < 4; i++) expect((await refusal(url('nope'), from('127.0.0.4'))).status).toBe(401)
    ;(await join(url('right'), from('127.0.0.4'))).ws.close()
    for (let i = 0; i < 4; i++) expect((await refusal(url('nope'), from('127.0.0.4'))).status).toBe(401)
    ;(await join(url('right'), from('127.0.0.4'))).ws.close()
  })
})

describe('UpgradeThrottle', () => {
  it('blocks for blockMs after maxFailures within the window, then lets the address try again', () => {
    let now = 1_000_000
    const t = new UpgradeThrottle({ maxFailures: 3, windowMs: 60_000, blockMs: 30_000 }, () => now)
    t.failed('10.0.0.1')
    t.failed('10.0.0.1')
    expect(t.blockedFor('10.0.0.1')).toBe(0)
    t.failed('10.0.0.1')
    expect(t.blockedFor('10.0.0.1')).toBe(30_000)
    expect(t.blockedFor('10.0.0.2')).toBe(0)
    now += 30_000
    expect(t.blockedFor('10.0.0.1')).toBe(0)
    // A fresh window after the back-off: one failure does not block again.
    t.failed('10.0.0.1')
    expect(t.blockedFor('10.0.0.1')).toBe(0)
    // Failures spread wider than the window never add up.
    for (let i = 0; i < 10; i++) {
      now += 61_000
      t.failed('10.0.0.3')
    }
    expect(t.blockedFor('10.0.0.3')).toBe(0)
  })

  it('keys IPv4-mapped addresses as IPv4 and IPv6 addresses by their /64', () => {
    expect(throttleKey('::ffff:127.0.0.1')).toBe('127.0.0.1')
    expect(throttleKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64')
    expect(throttleKey('2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64')
    expect(throttleKey('2001:db8::1')).toBe('2001:db8:0:0::/64')
    expect(throttleKey('::1')).toBe('0:0:0:0::/64')
  })

  it('is off with maxFailures 0', () => {
    const t = new UpgradeThrottle({ maxFailures: 0, windowMs: 60_000, blockMs: 60_000 })
    for (let i = 0; i < 100; i++) t.failed('10.0.0.1')
    expect(t.blockedFor('10.0.0.1')).toBe(0)
  })
})
