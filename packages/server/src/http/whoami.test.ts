import { PeriodicClient } from '@periodic/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../../test/test-server.ts'

describe('GET /api/v1/whoami', () => {
  let s: TestServer
  beforeAll(async () => {
    s = await startTestServer()
    await s.createCircle('acme')
  })
  afterAll(() => s.close())

  it('names a circle key, its circle and its scopes', async () => {
    const key = await s.createKey('acme', ['read', 'execute'])
    const r = await s.api('GET', '/api/v1/whoami', undefined, { key })
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({ circle: 'acme', name: 'test read,execute', platform_admin: false })
    expect([...r.body.scopes].sort()).toEqual(['execute', 'read'])
    expect(r.body.key_id).toMatch(/\S/)
  })

  it('is client.whoami() in the SDK', async () => {
    const key = await s.createKey('acme', ['write'])
    const me = await new PeriodicClient({ baseUrl: s.url, apiKey: key, maxRetries: 0 }).whoami()
    expect(me).toMatchObject({ circle: 'acme', scopes: ['write'], platform_admin: false })
  })

  it('says so for the platform admin key', async () => {
    const r = await s.api('GET', '/api/v1/whoami')
    expect(r.body).toMatchObject({ circle: null, platform_admin: true, scopes: ['admin'] })
  })

  it('refuses a missing, a wrong and a revoked key', async () => {
    expect((await s.api('GET', '/api/v1/whoami', undefined, { key: null })).status).toBe(401)
    expect((await s.api('GET', '/api/v1/whoami', undefined, { key: 'pk_nope' })).status).toBe(401)
    const key = await s.createKey('acme', ['read'])
    const me = await s.api('GET', '/api/v1/whoami', undefined, { key })
    const revoked = await s.api('DELETE', `/api/acme/ops/api_keys/${me.body.key_id}`)
    expect(revoked.status).toBeLessThan(300)
    const after = await s.api('GET', '/api/v1/whoami', undefined, { key })
    expect(after.status).toBe(401)
    expect(after.body.error.code).toMatch(/AUTH/)
  })
})
