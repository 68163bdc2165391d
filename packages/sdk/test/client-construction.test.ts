// Constructing the client: arguments win over PERIODIC_API_KEY / PERIODIC_BASE_URL, which win
// over the defaults; bad options fail at construction, not at the first call.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DEFAULT_BASE_URL, PeriodicClient } from '../src/index.ts'
import { type FakeServer, sendJson, startFakeServer } from './fake-server.ts'

const saved = { key: process.env['PERIODIC_API_KEY'], url: process.env['PERIODIC_BASE_URL'] }
let server: FakeServer

beforeEach(async () => {
  delete process.env['PERIODIC_API_KEY']
  delete process.env['PERIODIC_BASE_URL']
  server = await startFakeServer((req, res) =>
    sendJson(res, 200, { authorization: req.headers.authorization }),
  )
})

afterEach(async () => {
  for (const [name, value] of [
    ['PERIODIC_API_KEY', saved.key],
    ['PERIODIC_BASE_URL', saved.url],
  ] as const) {
    if (value === undefined) delete process.env[name]
    else process.env[name] = value
  }
  await server.close()
})

describe('PeriodicClient construction', () => {
  it('defaults to the local server address, 60 s timeout and 2 retries', () => {
    const client = new PeriodicClient()
    expect(client.baseUrl).toBe(DEFAULT_BASE_URL)
    expect(DEFAULT_BASE_URL).toBe('http://127.0.0.1:8420')
    expect(client.timeoutMs).toBe(60_000)
    expect(client.maxRetries).toBe(2)
    expect(client.hasApiKey).toBe(false)
  })

  it('reads the key and the address from the environment', async () => {
    process.env['PERIODIC_API_KEY'] = 'env-key'
    process.env['PERIODIC_BASE_URL'] = `${server.url}/`
    const client = new PeriodicClient()
    expect(client.baseUrl).toBe(server.url)
    expect(client.hasApiKey).toBe(true)
    expect(await client.elements.get('acme/x')).toEqual({ authorization: 'Bearer env-key' })
  })

  it('lets the arguments win over the environment', async () => {
    process.env['PERIODIC_API_KEY'] = 'env-key'
    process.env['PERIODIC_BASE_URL'] = 'http://127.0.0.1:1'
    const client = new PeriodicClient({ apiKey: 'arg-key', baseUrl: server.url })
    expect(await client.elements.get('acme/x')).toEqual({ authorization: 'Bearer arg-key' })
  })

  it('treats an empty environment variable as unset', () => {
    process.env['PERIODIC_BASE_URL'] = ''
    process.env['PERIODIC_API_KEY'] = ''
    const client = new PeriodicClient()
    expect(client.baseUrl).toBe(DEFAULT_BASE_URL)
    expect(client.hasApiKey).toBe(false)
  })

  it('sends no Authorization header without a key', async () => {
    const client = new PeriodicClient({ baseUrl: server.url })
    expect(await client.elements.get('acme/x')).toEqual({})
  })

  it('refuses a base URL that is not a URL, and negative numbers', () => {
    expect(() => new PeriodicClient({ baseUrl: 'not a url' })).toThrow(/baseUrl/)
    expect(() => new PeriodicClient({ timeoutMs: -1 })).toThrow(/timeoutMs/)
    expect(() => new PeriodicClient({ maxRetries: Number.NaN })).toThrow(/maxRetries/)
  })

  it('percent-encodes path segments and keeps a base path', async () => {
    const client = new PeriodicClient({ baseUrl: `${server.url}/prefix`, apiKey: 'k' })
    await client.elements.call('acme/a b', 'runs/r 1', undefined)
    expect(server.requests[0]?.url).toBe('/prefix/api/acme/a%20b/ops/runs/r%201')
  })
})
