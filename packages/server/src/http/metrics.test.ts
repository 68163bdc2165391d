// /metrics serves Prometheus text that counts requests by operation and errors by code. Its
// labels name every circle's elements, so it needs the admin key unless PERIODIC_METRICS_PUBLIC.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../../test/test-server.ts'

describe('GET /metrics', () => {
  let s: TestServer
  beforeAll(async () => {
    s = await startTestServer()
  })
  afterAll(async () => s?.close())

  it('counts requests per operation route, latency and error codes for the admin key', async () => {
    await s.createCircle('m')
    await s.api('GET', '/api/m/ops/tree')
    await s.api('GET', '/api/m/nope')
    const r = await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${s.adminKey}` } })
    expect(r.status).toBe(200)
    expect(r.headers.get('content-type')).toContain('text/plain')
    const text = await r.text()
    expect(text).toMatch(
      /periodic_http_requests_total\{method="GET",route="\/api\/\{circle\}\/\{element\}\/ops\/tree",status="200"\} 1/,
    )
    expect(text).toMatch(/periodic_http_errors_total\{code="ELEMENT_NOT_FOUND"\} 1/)
    expect(text).toContain('periodic_http_request_duration_seconds_bucket')
    // Raw URLs never become labels (bounded cardinality).
    expect(text).not.toContain('/api/m/nope')
  })

  it('refuses a scrape without a key (401) or with a circle key (403), showing no element slugs', async () => {
    await s.createCircle('tenant')
    await s.api('POST', '/api/tenant', { element_type: 'cookie_jar', slug: 'secret-jar' })
    const none = await s.api('GET', '/metrics', undefined, { key: null })
    expect(none.status).toBe(401)
    expect(none.body.error.code).toBe('AUTH_REQUIRED')
    const circleKey = await s.createKey('tenant', ['read', 'write', 'execute'])
    const other = await s.api('GET', '/metrics', undefined, { key: circleKey })
    expect(other.status).toBe(403)
    expect(other.body.error.code).toBe('FORBIDDEN')
    expect(JSON.stringify([none.body, other.body])).not.toContain('secret-jar')
    const bad = await s.api('GET', '/metrics', undefined, { key: 'pk_garbage' })
    expect(bad.status).toBe(401)
    expect(bad.body.error.code).toBe('AUTH_INVALID')
  })
})

describe('GET /metrics with PERIODIC_METRICS_PUBLIC=true', () => {
  let s: TestServer
  beforeAll(async () => {
    s = await startTestServer({ env: { PERIODIC_METRICS_PUBLIC: 'true' } })
  })
  afterAll(async () => s?.close())

  it('answers without a key', async () => {
    const r = await fetch(`${s.url}/metrics`)
    expect(r.status).toBe(200)
    expect(await r.text()).toContain('periodic_http_requests_total')
  })
})
