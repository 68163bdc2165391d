// http triggers registered by an iii-sdk worker and called over real HTTP at
// /http/{circle}{api_path}: request mapping, responses, errors, the auth schemes, conditions.
import { createHmac } from 'node:crypto'
import type { IIIClient } from 'iii-sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type EngineKit, eventually, startEngineKit } from './engine-test-kit.ts'

let kit: EngineKit
let iii: IIIClient

beforeAll(async () => {
  process.env['ENGINE_TEST_TOKEN'] = 'tok-123'
  process.env['ENGINE_TEST_HMAC'] = 'hmac-secret'
  kit = await startEngineKit({ env: { PERIODIC_ENGINE_TIMEOUT_MS: '400' } })
  iii = kit.worker()
})
afterAll(async () => kit?.close())

/** Registers fn + http trigger and waits until the route answers something but 404. */
async function route(
  functionId: string,
  handler: (req: any) => Promise<unknown>,
  config: Record<string, unknown>,
  probe: { method: string; path: string },
) {
  iii.registerFunction(functionId, handler)
  iii.registerTrigger({ type: 'http', function_id: functionId, config })
  await eventually(async () => {
    const r = await fetch(kit.server.url + probe.path, { method: probe.method })
    if (r.status === 404 && (await r.json()).error?.code === 'ENGINE_ROUTE_NOT_FOUND')
      throw new Error('no route yet')
  })
}

describe('http triggers', () => {
  it('reaches the worker function with a POST and returns its status and body', async () => {
    await route(
      'orders::create',
      async (req) => ({ status_code: 201, body: { id: 1, item: req.body.item } }),
      { api_path: '/orders', http_method: 'POST' },
      { method: 'POST', path: '/http/acme/orders' },
    )
    // As `curl -d` sends it: form content type, JSON text.
    const r = await fetch(`${kit.server.url}/http/acme/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: '{"item":"widget"}',
    })
    expect(r.status).toBe(201)
    expect(await r.json()).toEqual({ id: 1, item: 'widget' })
  })

  it('passes path params, query, headers and method, and sends the function’s headers', async () => {
    await route(
      'orders::get',
      async (req) => ({
        status_code: 200,
        headers: { 'x-order': req.path_params.id, 'content-type': 'application/json' },
        body: {
          params: req.path_params,
          query: req.query_params,
          ua: req.headers['x-client'],
          method: req.method,
        },
      }),
      { api_path: '/orders/:id/lines/{line}', http_method: 'GET' },
      { method: 'GET', path: '/http/acme/orders/1/lines/2' },
    )
    const r = await fetch(`${kit.server.url}/http/acme/orders/42/lines/7?tag=a&tag=b&q=x`, {
      headers: { 'x-client': 'tests' },
    })
    expect(r.status).toBe(200)
    expect(r.headers.get('x-order')).toBe('42')
    expect(await r.json()).toEqual({
      params: { id: '42', line: '7' },
      // One value per key, the last, as iii's HttpRequest carries it.
      query: { tag: 'b', q: 'x' },
      ua: 'tests',
      method: 'GET',
    })
  })

  it('refuses a body over the platform body limit with 413, and bad JSON with 400', async () => {
    const big = await fetch(`${kit.server.url}/http/acme/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `"${'x'.repeat(11 * 1024 * 1024)}"`,
    })
    expect(big.status).toBe(413)
    const bad = await fetch(`${kit.server.url}/http/acme/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"item":',
    })
    expect(bad.status).toBe(400)
    expect((await bad.json()).error.code).toBe('INVALID_JSON')
    const proto = await fetch(`${kit.server.url}/http/acme/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"__proto__":{"x":1}}',
    })
    expect(proto.status).toBe(400)
  })

  it('prefers a literal route over a parameter route', async () => {
    iii.registerFunction('orders::by-id', async (req: any) => ({
      status_code: 200,
      body: { by: 'id', id: req.path_params.id },
    }))
    iii.registerTrigger({ type: 'http', function_id: 'orders::by-id', config: { api_path: '/catalog/:id' } })
    iii.registerFunction('orders::new', async () => ({ status_code: 200, body: { by: 'literal' } }))
    iii.registerTrigger({ type: 'http', function_id: 'orders::new', config: { api_path: '/catalog/new' } })
    await eventually(async () =>
      expect(await (await fetch(`${kit.server.url}/http/acme/catalog/new`)).json()).toEqual({
        by: 'literal',
      }),
    )
    expect(await (await fetch(`${kit.server.url}/http/acme/catalog/7`)).json()).toEqual({ by: 'id', id: '7' })
  })

  it('answers 404 for an unknown route or circle', async () => {
    const a = await fetch(`${kit.server.url}/http/acme/nothing-here`)
    expect(a.status).toBe(404)
    expect((await a.json()).error.code).toBe('ENGINE_ROUTE_NOT_FOUND')
    expect((await fetch(`${kit.server.url}/http/no-such-circle/orders`, { method: 'POST' })).status).toBe(404)
  })

  it('answers 502 when the function throws and 504 when it does not answer', async () => {
    await route(
      'http::boom',
      async () => {
        throw new Error('kaput')
      },
      { api_path: '/boom', http_method: 'GET' },
      { method: 'GET', path: '/http/acme/boom' },
    )
    const a = await fetch(`${kit.server.url}/http/acme/boom`)
    expect(a.status).toBe(502)
    expect((await a.json()).error).toMatchObject({
      code: 'ENGINE_FUNCTION_FAILED',
      message: expect.stringContaining('kaput'),
    })
    iii.registerFunction('http::hang', () => new Promise(() => {}))
    iii.registerTrigger({ type: 'http', function_id: 'http::hang', config: { api_path: '/hang' } })
    await eventually(async () => {
      const b = await fetch(`${kit.server.url}/http/acme/hang`)
      expect(b.status).toBe(504)
      expect((await b.json()).error.code).toBe('ENGINE_TIMEOUT')
    })
  })

  it('refuses a trigger with a bad config (it never serves)', async () => {
    iii.registerFunction('http::bad', async () => ({ status_code: 200 }))
    iii.registerTrigger({
      type: 'http',
      function_id: 'http::bad',
      config: { api_path: '/bad', http_method: 'BREW' },
    })
    const list = async () =>
      (
        await iii.trigger<unknown, { registered_triggers: Array<{ function_id: string }> }>({
          function_id: 'engine::registered-triggers::list',
          payload: {},
        })
      ).registered_triggers
    await eventually(async () =>
      expect((await list()).some((t) => t.function_id === 'orders::create')).toBe(true),
    )
    expect((await list()).some((t) => t.function_id === 'http::bad')).toBe(false)
  })

  it('checks a circle API key when the trigger asks for one', async () => {
    await route(
      'http::circlekey',
      async () => ({ status_code: 200, body: 'ok' }),
      { api_path: '/ck', auth: { type: 'api_key_circle' } },
      { method: 'GET', path: '/http/acme/ck' },
    )
    expect((await fetch(`${kit.server.url}/http/acme/ck`)).status).toBe(401)
    expect(
      (await fetch(`${kit.server.url}/http/acme/ck`, { headers: { authorization: 'Bearer pk_wrong' } }))
        .status,
    ).toBe(401)
    const readOnly = await kit.server.createKey('acme', ['read'])
    expect(
      (await fetch(`${kit.server.url}/http/acme/ck`, { headers: { authorization: `Bearer ${readOnly}` } }))
        .status,
    ).toBe(401)
    const ok = await fetch(`${kit.server.url}/http/acme/ck`, {
      headers: { authorization: `Bearer ${kit.key}` },
    })
    expect(ok.status).toBe(200)
    expect(await ok.text()).toBe('ok')
  })

  it('checks a bearer token and an api-key header against named secrets', async () => {
    await route(
      'http::bearer',
      async () => ({ status_code: 204 }),
      { api_path: '/bearer', auth: { type: 'bearer', token_key: 'ENGINE_TEST_TOKEN' } },
      { method: 'GET', path: '/http/acme/bearer' },
    )
    expect(
      (await fetch(`${kit.server.url}/http/acme/bearer`, { headers: { authorization: 'Bearer nope' } }))
        .status,
    ).toBe(401)
    expect(
      (await fetch(`${kit.server.url}/http/acme/bearer`, { headers: { authorization: 'Bearer tok-123' } }))
        .status,
    ).toBe(204)
    await route(
      'http::apikey',
      async () => ({ status_code: 200, body: { ok: true } }),
      { api_path: '/apikey', auth: { type: 'api_key', header: 'X-Api-Key', value_key: 'ENGINE_TEST_TOKEN' } },
      { method: 'GET', path: '/http/acme/apikey' },
    )
    expect((await fetch(`${kit.server.url}/http/acme/apikey`)).status).toBe(401)
    expect(
      (await fetch(`${kit.server.url}/http/acme/apikey`, { headers: { 'x-api-key': 'tok-123' } })).status,
    ).toBe(200)
  })

  it('checks an HMAC signature over the timestamp and the raw body', async () => {
    await route(
      'http::hmac',
      async (req) => ({ status_code: 200, body: req.body }),
      { api_path: '/hooks', http_method: 'POST', auth: { type: 'hmac', secret_key: 'ENGINE_TEST_HMAC' } },
      { method: 'POST', path: '/http/acme/hooks' },
    )
    const body = JSON.stringify({ event: 'paid' })
    const sign = (ts: number, b: string, secret = 'hmac-secret') =>
      `sha256=${createHmac('sha256', secret)
        .update(`${ts}:${Buffer.from(b).toString('base64')}`)
        .digest('hex')}`
    const post = (headers: Record<string, string>, b = body) =>
      fetch(`${kit.server.url}/http/acme/hooks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: b,
      })
    const now = Math.floor(Date.now() / 1000)
    const good = await post({ 'x-iii-timestamp': String(now), 'x-iii-signature': sign(now, body) })
    expect(good.status).toBe(200)
    expect(await good.json()).toEqual({ event: 'paid' })
    for (const headers of <Array<Record<string, string>>>[
      {},
      { 'x-iii-timestamp': String(now), 'x-iii-signature': sign(now, body, 'other') },
      { 'x-iii-timestamp': String(now), 'x-iii-signature': sign(now, '{"event":"refund"}') },
      { 'x-iii-timestamp': String(now - 3600), 'x-iii-signature': sign(now - 3600, body) },
    ]) {
      const r = await post(headers)
      expect(r.status).toBe(401)
      expect((await r.json()).error.code).toBe('ENGINE_SIGNATURE_INVALID')
    }
  })

  it('skips the trigger when its condition function returns false', async () => {
    iii.registerFunction('http::only-vip', async (req: any) => req.headers['x-vip'] === 'yes')
    iii.registerFunction('http::vip', async () => ({ status_code: 200, body: 'welcome' }))
    iii.registerTrigger({
      type: 'http',
      function_id: 'http::vip',
      config: { api_path: '/vip', condition_function_id: 'http::only-vip' },
    })
    await eventually(async () =>
      expect((await fetch(`${kit.server.url}/http/acme/vip`, { headers: { 'x-vip': 'yes' } })).status).toBe(
        200,
      ),
    )
    expect((await fetch(`${kit.server.url}/http/acme/vip`)).status).toBe(404)
  })

  it('stops serving a route when its worker disconnects', async () => {
    const w = kit.worker()
    w.registerFunction('http::temp', async () => ({ status_code: 200, body: 'here' }))
    w.registerTrigger({ type: 'http', function_id: 'http::temp', config: { api_path: '/temp' } })
    await eventually(async () => expect((await fetch(`${kit.server.url}/http/acme/temp`)).status).toBe(200))
    await w.shutdown()
    await eventually(async () => expect((await fetch(`${kit.server.url}/http/acme/temp`)).status).toBe(404))
  })
})

describe('http triggers run with the registering key’s scopes', () => {
  it('refuses a read built-in behind a trigger registered by a key without read', async () => {
    const noRead = await kit.server.createKey('acme', ['write', 'execute'])
    const w = kit.worker({ key: noRead })
    w.registerFunction('http::probe', async () => ({ status_code: 200, body: 'up' }))
    w.registerTrigger({ type: 'http', function_id: 'http::probe', config: { api_path: '/probe' } })
    w.registerTrigger({ type: 'http', function_id: 'state::list', config: { api_path: '/peek' } })
    await eventually(async () => expect((await fetch(`${kit.server.url}/http/acme/probe`)).status).toBe(200))
    const r = await fetch(`${kit.server.url}/http/acme/peek`)
    expect(r.status).toBe(502)
    expect((await r.json()).error.details.function_error).toBe('FORBIDDEN')
    await w.shutdown()
  })
})
