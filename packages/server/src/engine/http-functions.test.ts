// HTTP-invoked functions registered by a real iii-sdk worker: the engine calls the URL with each
// auth scheme (the target checks the header or signature), refuses URLs outside the allow-list
// and private addresses the outbound policy does not allow, and turns non-2xx and timeouts into errors.
import { createHmac } from 'node:crypto'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { IIIClient } from 'iii-sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { OutboundPolicy } from '../net/outbound-policy.ts'
import { type EngineKit, eventually, startEngineKit, waitForFunction } from './engine-test-kit.ts'
import { DEFAULT_HTTP_FUNCTIONS, HttpFunctions } from './http-functions.ts'

let kit: EngineKit
let iii: IIIClient
let target: Server
let base: string
const received: Array<{ path: string; headers: IncomingMessage['headers']; body: string }> = []

const SECRETS = { HF_TEST_TOKEN: 'tok-123', HF_TEST_API_KEY: 'key-456', HF_TEST_HMAC: 'hmac-789' }

beforeAll(async () => {
  Object.assign(process.env, SECRETS)
  target = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      received.push({ path: req.url ?? '', headers: req.headers, body })
      const h = req.headers
      const json = (status: number, v: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' })
        res.end(JSON.stringify(v))
      }
      switch (req.url) {
        case '/echo':
          return json(200, { got: JSON.parse(body || 'null'), method: req.method })
        case '/bearer':
          return h.authorization === `Bearer ${SECRETS.HF_TEST_TOKEN}`
            ? json(200, 'bearer ok')
            : json(401, 'no')
        case '/api-key':
          return h['x-api-key'] === SECRETS.HF_TEST_API_KEY ? json(200, 'api key ok') : json(401, 'no')
        case '/hmac': {
          const ts = String(h['x-iii-timestamp'])
          const want = `sha256=${createHmac('sha256', SECRETS.HF_TEST_HMAC)
            .update(`${ts}:${Buffer.from(body).toString('base64')}`)
            .digest('hex')}`
          return h['x-iii-signature'] === want ? json(200, 'hmac ok') : json(401, 'bad signature')
        }
        case '/fail':
          return json(503, { error: 'down' })
        case '/big':
          return json(200, 'x'.repeat(5000))
        case '/deep':
          res.writeHead(200, { 'content-type': 'application/json' })
          return res.end(`${'['.repeat(10_000)}${']'.repeat(10_000)}`)
        case '/never':
          return // no answer: the engine's timeout ends the call
        default:
          return json(404, 'not found')
      }
    })
  })
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', () => r()))
  base = `http://127.0.0.1:${(target.address() as AddressInfo).port}`
  // The test target is on loopback: the server's outbound policy must allow it.
  kit = await startEngineKit({
    env: {
      PERIODIC_HTTP_FUNCTIONS_ALLOWLIST: `${base}/`,
      PERIODIC_OUTBOUND_ALLOW: `127.0.0.1:${new URL(base).port}`,
    },
  })
  iii = kit.worker()
})
afterAll(async () => {
  await kit?.close()
  target?.closeAllConnections()
  await new Promise((r) => target?.close(r))
  for (const k of Object.keys(SECRETS)) delete process.env[k]
})

const call = (function_id: string, payload: unknown = {}) => iii.trigger({ function_id, payload })

describe('http functions', () => {
  it('posts the payload as JSON and answers with the response JSON; GET sends no body', async () => {
    iii.registerFunction('remote::echo', { url: `${base}/echo` })
    iii.registerFunction('remote::get', { url: `${base}/echo`, method: 'GET', headers: { 'x-extra': 'yes' } })
    await waitForFunction(iii, 'remote::get')
    expect(await call('remote::echo', { item: 'widget' })).toEqual({
      got: { item: 'widget' },
      method: 'POST',
    })
    expect(await call('remote::get', { ignored: true })).toEqual({ got: null, method: 'GET' })
    expect(received.at(-1)!.headers['x-extra']).toBe('yes')
  })

  it('sends each auth scheme: bearer, api_key and an hmac signature of the body', async () => {
    iii.registerFunction('remote::bearer', {
      url: `${base}/bearer`,
      auth: { type: 'bearer', token_key: 'HF_TEST_TOKEN' },
    })
    iii.registerFunction('remote::apikey', {
      url: `${base}/api-key`,
      auth: { type: 'api_key', header: 'x-api-key', value_key: 'HF_TEST_API_KEY' },
    })
    iii.registerFunction('remote::hmac', {
      url: `${base}/hmac`,
      auth: { type: 'hmac', secret_key: 'HF_TEST_HMAC' },
    })
    iii.registerFunction('remote::nosecret', {
      url: `${base}/bearer`,
      auth: { type: 'bearer', token_key: 'HF_TEST_UNSET' },
    })
    await waitForFunction(iii, 'remote::nosecret')
    expect(await call('remote::bearer')).toBe('bearer ok')
    expect(await call('remote::apikey')).toBe('api key ok')
    expect(await call('remote::hmac', { amount: 5 })).toBe('hmac ok')
    await expect(call('remote::nosecret')).rejects.toMatchObject({ code: 'secret_not_configured' })
  })

  it('turns a non-2xx answer, a timeout and an oversized response into errors with codes', async () => {
    iii.registerFunction('remote::fail', { url: `${base}/fail` })
    iii.registerFunction('remote::never', { url: `${base}/never`, timeout_ms: 200 })
    iii.registerFunction('remote::big', { url: `${base}/big` })
    await waitForFunction(iii, 'remote::big')
    await expect(call('remote::fail')).rejects.toMatchObject({ code: 'http_error' })
    await expect(call('remote::never')).rejects.toMatchObject({ code: 'timeout' })
    const hf = kit.server.platform.engine.httpFunctions
    hf.configure({ ...DEFAULT_HTTP_FUNCTIONS, urlAllowlist: [`${base}/`], maxResponseBytes: 1000 })
    try {
      await expect(call('remote::big')).rejects.toMatchObject({ code: 'http_response_too_large' })
    } finally {
      hf.configure({ ...DEFAULT_HTTP_FUNCTIONS, urlAllowlist: [`${base}/`] })
    }
  })

  it('refuses a registration outside the allow-list: the function never appears', async () => {
    iii.registerFunction('remote::elsewhere', { url: 'https://example.com/hook' })
    iii.registerFunction('remote::after', { url: `${base}/echo` })
    // Registrations are handled in order: once the later one is listed, the first was refused.
    await waitForFunction(iii, 'remote::after')
    await expect(call('remote::elsewhere')).rejects.toMatchObject({ code: 'function_not_found' })
    const hf = kit.server.platform.engine.httpFunctions
    expect(() => hf.prepare({ url: 'https://example.com/hook' })).toThrow(
      expect.objectContaining({ code: 'http_url_not_allowed' }),
    )
  })

  it('refuses loopback and private addresses the outbound policy does not allow, named in the allow-list or not', async () => {
    const hf = kit.server.platform.engine.httpFunctions
    hf.configure({
      ...DEFAULT_HTTP_FUNCTIONS,
      urlAllowlist: ['*', '*.internal.test', 'http://10.1.2.3/', '127.0.0.1:9'],
    })
    try {
      for (const url of [
        'http://127.0.0.1:9/echo',
        'http://10.1.2.3/x',
        'http://[::1]:8080/x',
        'http://169.254.169.254/',
      ])
        expect(() => hf.prepare({ url })).toThrow(
          expect.objectContaining({ code: 'outbound_address_blocked' }),
        )
      // PERIODIC_OUTBOUND_ALLOW lets the test target through; iii's block_private_ips does not.
      const local = `http://localhost:${new URL(base).port}/echo`
      await expect(hf.call(hf.prepare({ url: local }), {}, 2000)).resolves.toBeDefined()
      hf.configure({ ...DEFAULT_HTTP_FUNCTIONS, urlAllowlist: ['*'], blockPrivateIps: true })
      expect(() => hf.prepare({ url: `${base}/echo` })).toThrow(
        expect.objectContaining({ code: 'outbound_address_blocked' }),
      )
      // A name that resolves to loopback is refused when the call is made.
      await expect(hf.call(hf.prepare({ url: local }), {}, 2000)).rejects.toMatchObject({
        code: 'outbound_address_blocked',
      })
    } finally {
      hf.configure({ ...DEFAULT_HTTP_FUNCTIONS, urlAllowlist: [`${base}/`] })
    }
  })

  it('refuses IPv6 literals that embed or hide a private address (mapped, compatible, NAT64, 6to4, site-local)', async () => {
    const hf = kit.server.platform.engine.httpFunctions
    hf.configure({ ...DEFAULT_HTTP_FUNCTIONS, urlAllowlist: ['*'] })
    try {
      for (const url of [
        'http://[::7f00:1]/x',
        'http://[::ffff:7f00:1]/x',
        'http://[64:ff9b::a9fe:a9fe]/latest/meta-data/',
        'http://[2002:a9fe:a9fe::]/',
        'http://[fec0::1]/',
        'http://[2001:0:7f00:1::1]/',
        'http://0x7f.1/',
        'http://2130706433/',
      ])
        expect(() => hf.prepare({ url }), url).toThrow(
          expect.objectContaining({
            code: 'outbound_address_blocked',
            message: 'the destination address is not allowed',
          }),
        )
    } finally {
      hf.configure({ ...DEFAULT_HTTP_FUNCTIONS, urlAllowlist: [`${base}/`] })
    }
  })

  it('lets a loopback target through when PERIODIC_OUTBOUND_ALLOW names it, with a wildcard url allow-list', async () => {
    const wildcard = { ...DEFAULT_HTTP_FUNCTIONS, urlAllowlist: ['*'] }
    const port = new URL(base).port
    const allowed = new HttpFunctions(() => undefined, wildcard, new OutboundPolicy([`localhost:${port}`]))
    await expect(
      allowed.call(allowed.prepare({ url: `http://localhost:${port}/echo` }), { a: 1 }, 2000),
    ).resolves.toBeDefined()
    const strict = new HttpFunctions(() => undefined, wildcard, new OutboundPolicy())
    await expect(
      strict.call(strict.prepare({ url: `http://localhost:${port}/echo` }), {}, 2000),
    ).rejects.toMatchObject({
      code: 'outbound_address_blocked',
    })
  })

  it('refuses malformed invocation configs with a code', () => {
    const hf = kit.server.platform.engine.httpFunctions
    for (const bad of [
      { url: 'ftp://x/' },
      { url: `${base}/echo`, method: 'TRACE' },
      { url: `${base}/echo`, timeout_ms: -1 },
      { url: `${base}/echo`, auth: { type: 'bearer' } },
      { url: `${base}/echo`, headers: { 'x-a': 'line\r\nbreak' } },
      { url: `${base}/echo`, auth: { type: 'bearer', token_key: 'PERIODIC_ADMIN_KEY' } },
      { url: `${base}/echo`, auth: { type: 'hmac', secret_key: 'DATABASE_URL' } },
    ])
      expect(() => hf.prepare(bad as never)).toThrow(
        expect.objectContaining({ code: 'invalid_http_invocation' }),
      )
  })

  it('drops the function with the worker that registered it', async () => {
    const w = kit.worker()
    w.registerFunction('remote::temp', { url: `${base}/echo` })
    await waitForFunction(w, 'remote::temp')
    await w.shutdown()
    await eventually(() => expect(call('remote::temp')).rejects.toMatchObject({ code: 'function_not_found' }))
  })

  it('refuses a response nested beyond the JSON depth limit with json_too_deep', async () => {
    iii.registerFunction('remote::deep', { url: `${base}/deep` })
    await waitForFunction(iii, 'remote::deep')
    await expect(call('remote::deep')).rejects.toMatchObject({ code: 'json_too_deep' })
  })
})
