// `/api/v1/…` paths no route takes (an unknown API, or a path parameter longer than the router
// accepts) answer 404 NOT_FOUND — never CIRCLE_NOT_FOUND for a circle named "v1".
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../../test/test-server.ts'

describe('reserved first segments under /api', () => {
  let s: TestServer
  beforeAll(async () => {
    s = await startTestServer()
    await s.createCircle('acme')
  })
  afterAll(() => s.close())

  it('an unknown /api/v1 path is a missing route', async () => {
    const r = await s.api('GET', '/api/v1/nothing-here')
    expect(r.status).toBe(404)
    expect(r.body.error.code).toBe('NOT_FOUND')
  })

  it('a queue name longer than the router takes is a missing route, not circle "v1"', async () => {
    const r = await s.api('POST', `/api/v1/engine/acme/queues/${'q'.repeat(600)}/redrive`)
    expect(r.status).toBe(404)
    expect(r.body.error.code).toBe('NOT_FOUND')
    expect(r.body.error.message).not.toContain('circle')
  })

  it('a real circle path still resolves', async () => {
    expect((await s.api('GET', '/api/acme')).status).toBe(200)
  })
})
