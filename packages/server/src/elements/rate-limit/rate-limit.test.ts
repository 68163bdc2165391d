// The rate-limit modifier over real HTTP: attached to a variable and to a python element, with
// one token per 100 s so every assertion rests on burst exhaustion, never on timing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../../../test/test-server.ts'
import { createPython } from '../../http/runs-api/runs-api-helpers.ts'

const SLOW = 0.01

describe('rate-limit modifier', () => {
  let s: TestServer
  let alice: string
  let bob: string

  async function create(slug: string, elementType: string, spec: object) {
    const r = await s.api('POST', '/api/acme', { element_type: elementType, slug, spec })
    if (r.status !== 201) throw new Error(`create ${slug}: ${r.status} ${JSON.stringify(r.body)}`)
    return r.body
  }
  async function limit(slug: string, target: string, spec: object) {
    await create(slug, 'rate-limit', spec)
    const r = await s.api('POST', `/api/acme/${slug}/ops/attach`, { target })
    expect(r.status).toBe(201)
    return r.body
  }
  const value = (slug: string, key?: string) =>
    s.api('GET', `/api/acme/${slug}/ops/value`, undefined, { key })

  beforeAll(async () => {
    s = await startTestServer()
    await s.createCircle('acme')
    alice = await s.createKey('acme', ['read', 'write', 'execute'])
    bob = await s.createKey('acme', ['read', 'write', 'execute'])
  })
  afterAll(async () => s?.close())

  it('refuses a spec without a positive rate, an integer burst or a known per with 400s', async () => {
    const bad = [
      [{ burst: 2 }, 'rate'],
      [{ rate: 0, burst: 2 }, 'rate'],
      [{ rate: -1, burst: 2 }, 'rate'],
      [{ rate: 1, burst: 0 }, 'burst'],
      [{ rate: 1, burst: 1.5 }, 'burst'],
      [{ rate: 1, burst: 2, per: 'ip' }, 'per'],
    ] as const
    for (const [spec, field] of bad) {
      const r = await s.api('POST', '/api/acme', { element_type: 'rate-limit', slug: 'bad', spec })
      expect(r.status, JSON.stringify(spec)).toBe(400)
      expect(r.body.error.code).toBe('VALIDATION_FAILED')
      expect(JSON.stringify(r.body.error), JSON.stringify(spec)).toContain(field)
    }
  })

  it('is a modifier: per defaults to key and the target lists it as one', async () => {
    await create('counter', 'variable', { value: 1 })
    const rl = await create('rl-shown', 'rate-limit', { rate: 5, burst: 10 })
    expect(rl.spec).toMatchObject({ rate: 5, burst: 10, per: 'key' })
    expect((await s.api('POST', '/api/acme/rl-shown/ops/attach', { target: 'counter' })).status).toBe(201)
    const a = await s.api('GET', '/api/acme/counter/ops/attachments')
    expect(a.body).toMatchObject({ modifiers: 1, resources: 0 })
    expect(a.body.attachments[0]).toMatchObject({ is_modifier: true, source: { element_type: 'rate-limit' } })
  })

  it('answers the third type operation call 429 with Retry-After; generic reads stay free', async () => {
    await create('v-key', 'variable', { value: 'x' })
    await limit('rl-key', 'v-key', { rate: SLOW, burst: 2, per: 'key' })
    expect((await value('v-key', alice)).status).toBe(200)
    expect((await s.api('POST', '/api/acme/v-key/ops/set', { value: 'y' }, { key: alice })).status).toBe(200)
    const r = await value('v-key', alice)
    expect(r.status).toBe(429)
    expect(r.body.error.code).toBe('RATE_LIMITED')
    expect(r.body.error.details).toMatchObject({
      limit: { rate: SLOW, burst: 2, per: 'key', scope: 'element' },
      rate_limit: 'rl-key',
    })
    expect(r.body.error.details.retry_after_ms).toBeGreaterThan(90_000)
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(90)
    for (const op of ['', '/ops/version', '/ops/attachments'])
      expect((await s.api('GET', `/api/acme/v-key${op}`, undefined, { key: alice })).status).toBe(200)
  })

  it('per: key gives every key its own bucket', async () => {
    await create('v-keys', 'variable', {})
    await limit('rl-keys', 'v-keys', { rate: SLOW, burst: 2, per: 'key' })
    expect([(await value('v-keys', alice)).status, (await value('v-keys', alice)).status]).toEqual([200, 200])
    expect((await value('v-keys', alice)).status).toBe(429)
    expect([(await value('v-keys', bob)).status, (await value('v-keys', bob)).status]).toEqual([200, 200])
    expect((await value('v-keys', bob)).status).toBe(429)
  })

  it('per: circle shares one bucket across keys', async () => {
    await create('v-circle', 'variable', {})
    await limit('rl-circle', 'v-circle', { rate: SLOW, burst: 2, per: 'circle' })
    expect((await value('v-circle', alice)).status).toBe(200)
    expect((await value('v-circle', bob)).status).toBe(200)
    expect((await value('v-circle', alice)).status).toBe(429)
    expect((await value('v-circle', bob)).status).toBe(429)
    expect((await value('v-circle')).status).toBe(429)
  })

  it('detach removes the limit', async () => {
    await create('v-detach', 'variable', {})
    await limit('rl-detach', 'v-detach', { rate: SLOW, burst: 1, per: 'key' })
    expect((await value('v-detach')).status).toBe(200)
    expect((await value('v-detach')).status).toBe(429)
    expect((await s.api('POST', '/api/acme/rl-detach/ops/detach', { target: 'v-detach' })).status).toBe(200)
    for (let i = 0; i < 3; i++) expect((await value('v-detach')).status).toBe(200)
  })

  it('ignores a disabled rate limit and applies it again once enabled', async () => {
    await create('v-disabled', 'variable', {})
    await limit('rl-disabled', 'v-disabled', { rate: SLOW, burst: 1, per: 'key' })
    expect((await value('v-disabled')).status).toBe(200)
    expect((await value('v-disabled')).status).toBe(429)
    expect((await s.api('POST', '/api/acme/rl-disabled/ops/disable', {})).status).toBe(200)
    for (let i = 0; i < 3; i++) expect((await value('v-disabled')).status).toBe(200)
    expect((await s.api('POST', '/api/acme/rl-disabled/ops/enable', {})).status).toBe(200)
    expect((await value('v-disabled')).status).toBe(429)
  })

  it('starts a fresh bucket when the limit is edited (the version is part of the bucket key)', async () => {
    await create('v-edit', 'variable', {})
    await limit('rl-edit', 'v-edit', { rate: SLOW, burst: 1, per: 'key' })
    expect((await value('v-edit')).status).toBe(200)
    expect((await value('v-edit')).status).toBe(429)
    expect((await s.api('PATCH', '/api/acme/rl-edit', { spec: { burst: 2 } })).status).toBe(200)
    expect((await value('v-edit')).status).toBe(200)
    expect((await value('v-edit')).status).toBe(200)
    expect((await value('v-edit')).status).toBe(429)
  })

  it('limits python invokes and runs-API starts from one bucket', async () => {
    await createPython(s, 'acme', 'hello')
    await limit('rl-py', 'hello', { rate: SLOW, burst: 2, per: 'key' })
    const invoke = await s.api('POST', '/api/acme/hello/ops/invoke', { input: { a: 1 } }, { key: alice })
    expect(invoke.status).toBeLessThan(300)
    const run = await s.api('POST', '/api/v1/runs', { target: 'acme/hello', input: {} }, { key: alice })
    expect(run.status).toBe(201)
    const third = await s.api('POST', '/api/v1/runs', { target: 'acme/hello', input: {} }, { key: alice })
    expect(third.status).toBe(429)
    expect(third.body.error.code).toBe('RATE_LIMITED')
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    expect((await s.api('POST', `/api/v1/runs/${run.body.id}/rerun`, {}, { key: alice })).status).toBe(429)
    // Reading runs is not a start: it is never limited by the modifier.
    expect((await s.api('GET', `/api/v1/runs/${run.body.id}`, undefined, { key: alice })).status).toBe(200)
    expect(
      (await s.api('POST', '/api/v1/runs', { target: 'acme/hello', input: {} }, { key: bob })).status,
    ).toBe(201)
  })
})
