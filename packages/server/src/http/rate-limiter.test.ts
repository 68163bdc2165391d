// The per-key rate limit over real HTTP: a server started with a tiny limit (one token per
// 100 s, burst 3) so the assertions rest on burst exhaustion, never on timing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../../test/test-server.ts'

describe('per-key rate limit (PERIODIC_RATE_LIMIT)', () => {
  let s: TestServer
  let first: string
  let second: string

  beforeAll(async () => {
    s = await startTestServer({ env: { PERIODIC_RATE_LIMIT: '0.01', PERIODIC_RATE_LIMIT_BURST: '3' } })
    await s.createCircle('acme')
    first = await s.createKey('acme', ['read'])
    second = await s.createKey('acme', ['read'])
  })
  afterAll(async () => s?.close())

  it('answers 429 RATE_LIMITED with Retry-After once a key has used its burst', async () => {
    for (let i = 0; i < 3; i++)
      expect((await s.api('GET', '/api/acme', undefined, { key: first })).status).toBe(200)
    const r = await s.api('GET', '/api/acme', undefined, { key: first })
    expect(r.status).toBe(429)
    expect(r.body.error).toMatchObject({ code: 'RATE_LIMITED', class: 'limit', retryable: true })
    expect(r.body.error.details).toMatchObject({ limit: { rate: 0.01, burst: 3, scope: 'key' } })
    expect(r.body.error.details.retry_after_ms).toBeGreaterThan(90_000)
    expect(Number(r.headers.get('retry-after'))).toBe(Math.ceil(r.body.error.details.retry_after_ms / 1000))
    // Every authenticated route counts, the runs API included.
    expect((await s.api('GET', '/api/v1/runs', undefined, { key: first })).status).toBe(429)
  })

  it('leaves other keys and the bootstrap admin key unaffected', async () => {
    expect((await s.api('GET', '/api/acme', undefined, { key: second })).status).toBe(200)
    for (let i = 0; i < 10; i++) expect((await s.api('GET', '/api/acme')).status).toBe(200)
  })

  it('does not count anonymous or unknown-key requests against a key', async () => {
    expect((await s.api('GET', '/api/acme', undefined, { key: null })).status).toBe(401)
    expect((await s.api('GET', '/api/acme', undefined, { key: 'pk_nope' })).status).toBe(401)
  })
})
