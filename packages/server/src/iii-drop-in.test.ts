// `--iii-config` end to end with real iii-sdk workers: two worker ports in the config's circle
// (created on start, no API key), RBAC and middleware on the second, http triggers at the root
// of the iii-http port with its default_timeout, and one warning naming what is not supported.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type IIIClient, registerWorker } from 'iii-sdk'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { startTestServer, type TestServer } from '../test/test-server.ts'
import { connect, refusal } from '../test/ws-test-client.ts'
import { parseConfig } from './config.ts'
import { eventually, waitForFunction } from './engine/engine-test-kit.ts'
import { readIiiConfig } from './iii-drop-in.ts'

const CONFIG = `
circle: shop
workers:
  - name: iii-worker-manager
    config:
      port: 0
  - name: iii-worker-manager
    config:
      port: 0
      middleware_function_id: mw::audit
      rbac:
        auth_function_id: auth::check
        expose_functions:
          - match("api::*")
  - name: iii-http
    config:
      port: 0
      default_timeout: 300
  - name: iii-state
    config:
      adapter:
        name: redis
  - name: iii-cron
  - name: iii-stream
    config: { port: 0, auth_function: auth::check }
  - name: iii-observability
    config:
      exporter: memory
      memory_max_spans: 50
      logs_max_count: 20
      alerts: []
  - name: iii-pubsub
    config:
      adapter: { name: local }
  - name: iii-http-functions
    config:
      url_allowlist: ["https://api.example.com/v1/"]
`

let server: TestServer
const logLines: any[] = []
const workers: IIIClient[] = []
let trusted: IIIClient
const middleware: any[] = []

function joinPort(url: string, headers: Record<string, string> = {}): IIIClient {
  const w = registerWorker(url, {
    headers,
    otel: { enabled: false },
    enableMetricsReporting: false,
    reconnectionConfig: { initialDelayMs: 50, maxDelayMs: 200 },
  })
  workers.push(w)
  return w
}

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'periodic-iii-'))
  const file = join(dir, 'config.yaml')
  writeFileSync(file, CONFIG)
  const logger = pino({ level: 'info' }, { write: (s: string) => void logLines.push(JSON.parse(s)) })
  server = await startTestServer({ env: { PERIODIC_III_CONFIG: file }, start: { logger } })
  const [open] = server.platform.iii!.workerPorts
  trusted = joinPort(`ws://127.0.0.1:${open}`)
  trusted.registerFunction('auth::check', async (input: any) => {
    if (input.headers['x-token'] !== 'good') throw new Error('bad token')
    return { context: { user: 'ada' } }
  })
  trusted.registerFunction('api::hello', async (x: any) => ({ hello: x?.name ?? 'world' }))
  trusted.registerFunction('private::x', async () => 'x')
  trusted.registerFunction('mw::audit', async (input: any) => {
    middleware.push(input)
    return trusted.trigger({ function_id: input.function_id, payload: input.payload })
  })
  trusted.registerFunction('orders::create', async (req: any) => ({
    status_code: 201,
    body: { item: req.body.item },
  }))
  trusted.registerFunction('orders::slow', async () => new Promise((r) => setTimeout(() => r('late'), 2000)))
  trusted.registerTrigger({
    type: 'http',
    function_id: 'orders::create',
    config: { api_path: '/orders', http_method: 'POST' },
  })
  trusted.registerTrigger({
    type: 'http',
    function_id: 'orders::slow',
    config: { api_path: '/slow', http_method: 'GET' },
  })
  await waitForFunction(trusted, 'orders::slow')
})
afterAll(async () => {
  await Promise.all(workers.map((w) => w.shutdown().catch(() => {})))
  await server?.close()
})

describe('periodic serve --iii-config', () => {
  it('joins workers of both ports to the config’s circle, created on start, without an API key', async () => {
    expect(server.platform.iii!.circle).toBe('shop')
    expect((await server.api('GET', '/api/shop')).status).toBe(200)
    // A worker on the API-key port with a key of that circle sees the same functions.
    const key = await server.createKey('shop', ['read', 'write', 'execute'])
    const keyed = joinPort(server.platform.engineUrl, { authorization: `Bearer ${key}` })
    expect(await keyed.trigger({ function_id: 'api::hello', payload: { name: 'Ada' } })).toEqual({
      hello: 'Ada',
    })
  })

  it('applies RBAC and the middleware on the second port', async () => {
    const rbacPort = server.platform.iii!.workerPorts[1]
    const url = `ws://127.0.0.1:${rbacPort}`
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(url, { headers: { 'x-token': 'bad' } })
      ws.on('open', () => {
        ws.close()
        resolve(101)
      })
      ws.on('unexpected-response', (_q, res) => resolve(res.statusCode ?? 0))
      ws.on('error', () => {})
    })
    expect(status).toBe(401)
    const guest = joinPort(url, { 'x-token': 'good' })
    expect(await guest.trigger({ function_id: 'api::hello', payload: { name: 'Bo' } })).toEqual({
      hello: 'Bo',
    })
    expect(middleware).toContainEqual({
      function_id: 'api::hello',
      payload: { name: 'Bo' },
      context: { user: 'ada' },
    })
    const denied = await guest.trigger({ function_id: 'private::x', payload: {} }).catch((e) => e)
    expect(denied.code).toBe('FORBIDDEN')
  })

  it('serves http triggers at the root of the iii-http port, with its default_timeout', async () => {
    const base = `http://127.0.0.1:${server.platform.iii!.httpPort}`
    const res = await eventually(async () => {
      const r = await fetch(`${base}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"item":"widget"}',
      })
      expect(r.status).toBe(201)
      return r
    })
    expect(await res.json()).toEqual({ item: 'widget' })
    const missing = await fetch(`${base}/nothing`)
    expect(missing.status).toBe(404)
    expect((await missing.json()).error.code).toBe('ENGINE_ROUTE_NOT_FOUND')
    // default_timeout 300 ms, far below the engine's 30 s.
    const slow = await fetch(`${base}/slow`)
    expect(slow.status).toBe(504)
    expect((await slow.json()).error.code).toBe('ENGINE_TIMEOUT')
  })

  it('runs iii-pubsub, and applies the iii-observability limits and the iii-http-functions allow-list', async () => {
    const seen: unknown[] = []
    trusted.registerFunction('news::on', async (e: unknown) => {
      seen.push(e)
      return null
    })
    trusted.registerTrigger({ type: 'subscribe', function_id: 'news::on', config: { topic: 'news' } })
    await waitForFunction(trusted, 'news::on')
    await eventually(async () => {
      await trusted.trigger({ function_id: 'publish', payload: { topic: 'news', data: { n: 1 } } })
      expect(seen.length).toBeGreaterThan(0)
    })
    expect(seen[0]).toEqual({ n: 1 })
    const traces = await trusted.trigger<unknown, { spans: unknown[] }>({
      function_id: 'engine::traces::list',
      payload: { limit: 1000 },
    })
    expect(traces.spans.length).toBeLessThanOrEqual(50)
    const hf = server.platform.engine.httpFunctions
    expect(hf.prepare({ url: 'https://api.example.com/v1/orders' }).url.host).toBe('api.example.com')
    expect(() => hf.prepare({ url: 'https://api.example.com/v2/orders' })).toThrow(
      expect.objectContaining({ code: 'http_url_not_allowed' }),
    )
  })

  it('serves stream clients on the iii-stream port, authorized by its auth_function', async () => {
    const url = `ws://127.0.0.1:${server.platform.iii!.streamPort}/any/path`
    expect((await refusal(url, { headers: { 'x-token': 'bad' } })).status).toBe(401)
    const c = await connect(url, { headers: { 'x-token': 'good' } })
    c.ws.send(
      JSON.stringify({ type: 'join', data: { subscriptionId: 's', streamName: 'orders', groupId: 'live' } }),
    )
    expect(await c.next()).toMatchObject({
      streamName: 'orders',
      groupId: 'live',
      event: { type: 'sync', data: [] },
    })
    await trusted.trigger({
      function_id: 'stream::set',
      payload: { stream_name: 'orders', group_id: 'live', item_id: '1', data: { item: 'widget' } },
    })
    expect(await c.next()).toMatchObject({ id: '1', event: { type: 'create', data: { item: 'widget' } } })
    c.ws.close()
  })

  it('names every unsupported worker and adapter in one startup warning', () => {
    const warnings = logLines.filter((l) => /not supported by Periodic/.test(l.msg ?? ''))
    expect(warnings).toHaveLength(1)
    expect(warnings[0].unsupported).toEqual(['iii-state adapter redis', 'iii-observability.alerts'])
    expect(warnings[0].msg).toContain('iii-observability')
  })

  it('stops the server at startup on a malformed config, naming the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'periodic-iii-bad-'))
    const file = join(dir, 'bad.yaml')
    writeFileSync(file, 'workers:\n  - name: iii-http\n    config: { port: nope }\n')
    expect(() => readIiiConfig(file)).toThrow(/bad\.yaml.*port/)
    expect(() => readIiiConfig(join(dir, 'missing.yaml'))).toThrow(/cannot read/)
    expect(parseConfig(['--iii-config', file], {}).engine.iiiConfig).toBe(file)
  })

  it('gives the API-key port up when the config claims it, so iii workers keep their URL', async () => {
    const free = await new Promise<number>((resolve) => {
      const srv = createServer().listen(0, '127.0.0.1', () => {
        const port = (srv.address() as { port: number }).port
        srv.close(() => resolve(port))
      })
    })
    const dir = mkdtempSync(join(tmpdir(), 'periodic-iii-claim-'))
    const file = join(dir, 'config.yaml')
    writeFileSync(file, `workers:\n  - name: iii-worker-manager\n    config: { port: ${free} }\n`)
    const s2 = await startTestServer({
      env: { PERIODIC_III_CONFIG: file, PERIODIC_ENGINE_PORT: String(free) },
    })
    try {
      expect(s2.platform.iii!.workerPorts).toEqual([free])
      expect(s2.platform.engine.port).not.toBe(free)
      const w = joinPort(`ws://127.0.0.1:${free}`)
      expect(
        await w.trigger({ function_id: 'state::get', payload: { scope: 's', key: 'k' } }),
      ).toBeUndefined()
    } finally {
      await s2.close()
    }
  })
})
