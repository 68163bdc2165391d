// /metrics serves Prometheus text that counts requests by operation and errors by code.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../../test/test-server.ts'

describe('GET /metrics', () => {
  let s: TestServer
  beforeAll(async () => {
    s = await startTestServer()
  })
  afterAll(async () => s?.close())

  it('counts requests per operation route, latency and error codes, without auth', async () => {
    await s.createCircle('m')
    await s.api('GET', '/api/m/ops/tree')
    await s.api('GET', '/api/m/nope')
    const r = await fetch(`${s.url}/metrics`)
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
})
