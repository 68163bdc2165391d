// The README walkthrough, step by step, over real HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, storageKinds, type TestServer } from './test-server.ts'

describe.each(storageKinds())('README walkthrough on %s', (storage) => {
  let s: TestServer
  beforeAll(async () => {
    s = await startTestServer({ storage })
  })
  afterAll(async () => s?.close())

  it('creates a circle and a variable, updates it and shows the history', async () => {
    expect((await s.api('GET', '/healthz', undefined, { key: null })).body).toEqual({ status: 'ok' })
    expect((await s.api('POST', '/api', { element_type: 'circle', slug: 'acme' })).status).toBe(201)
    const created = await s.api('POST', '/api/acme', {
      element_type: 'variable',
      slug: 'greeting',
      spec: { value: 'hi' },
    })
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({
      circle: 'acme',
      slug: 'greeting',
      name: 'Greeting',
      element_type: 'variable',
      version: 1,
      spec: { value: 'hi' },
    })
    const got = await s.api('GET', '/api/acme/greeting')
    expect(got.body.spec.value).toBe('hi')
    const updated = await s.api('PATCH', '/api/acme/greeting/ops/update', { spec: { value: 'hello' } })
    expect(updated.body).toMatchObject({ version: 2, spec: { value: 'hello' } })
    const history = await s.api('GET', '/api/acme/greeting/ops/version?history=true')
    expect(history.body.version).toBe(2)
    expect(
      history.body.history.map((v: { version: number; spec: { value: string } }) => [
        v.version,
        v.spec.value,
      ]),
    ).toEqual([
      [2, 'hello'],
      [1, 'hi'],
    ])
  })
})
