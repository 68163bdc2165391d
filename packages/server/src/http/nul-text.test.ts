// NUL (U+0000) in a URL is refused with 400 on every store; in a text field PostgreSQL cannot
// store it, which is the caller's input error (400), not a 500. JSON documents keep it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, storageKinds, type TestServer } from '../../test/test-server.ts'

describe.each(storageKinds())('NUL characters on %s', (storage) => {
  let s: TestServer

  beforeAll(async () => {
    s = await startTestServer({ storage })
    await s.createCircle('acme')
    await s.api('POST', '/api/acme', { element_type: 'variable', slug: 'v', spec: { value: 1 } })
  }, 60_000)
  afterAll(async () => s?.close())

  it('refuses a NUL in a path parameter or a query value with 400', async () => {
    for (const path of [
      '/api/acme/v%00',
      '/api/ac%00me/v',
      '/api/v1/runs?trigger=%00',
      '/api/acme/v/ops/activity?before=%00',
    ]) {
      const r = await s.api('GET', path)
      expect(r.status, path).toBe(400)
      expect(r.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: { rule: 'no_nul' } })
    }
  })

  it('never answers 500 to a NUL in a text field, and keeps one inside a JSON value', async () => {
    const key = await s.api('POST', '/api/acme/ops/api_keys', { name: 'a\u0000b', scopes: ['read'] })
    if (storage === 'postgres') expect(key.body.error).toMatchObject({ code: 'VALIDATION_FAILED' })
    expect(key.status).toBeLessThan(500)
    const set = await s.api('POST', '/api/acme/v/ops/set', { value: { s: 'x\u0000y' } })
    expect(set.status).toBe(200)
    expect((await s.api('GET', '/api/acme/v/ops/value')).body).toMatchObject({ value: { s: 'x\u0000y' } })
  })
})
