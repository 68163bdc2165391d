// The iii-http port of `--iii-config` as an iii project uses it, with the real iii-sdk: routes
// registered without a leading slash at the root of the port, a health function served like any
// route, and iii-http's global `middleware` (by priority, before each route's own) read without
// a warning and applied on the port and at /http/{circle} alike.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type IIIClient, registerWorker } from 'iii-sdk'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../test/test-server.ts'
import { eventually } from './engine/engine-test-kit.ts'

const CONFIG = `
circle: shop
workers:
  - name: iii-worker-manager
    config: { port: 0 }
  - name: iii-http
    config:
      port: 0
      middleware:
        - function_id: global::gate
          phase: preHandler
          priority: 10
        - function_id: global::trace
          priority: 5
`

let server: TestServer
let worker: IIIClient
const logLines: any[] = []
const seen: string[] = []
let base: string

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'periodic-iii-http-'))
  const file = join(dir, 'config.yaml')
  writeFileSync(file, CONFIG)
  const logger = pino({ level: 'info' }, { write: (s: string) => void logLines.push(JSON.parse(s)) })
  server = await startTestServer({ env: { PERIODIC_III_CONFIG: file }, start: { logger } })
  base = `http://127.0.0.1:${server.platform.iii!.httpPort}`
  worker = registerWorker(`ws://127.0.0.1:${server.platform.iii!.workerPorts[0]}`, {
    otel: { enabled: false },
    enableMetricsReporting: false,
    reconnectionConfig: { initialDelayMs: 50, maxDelayMs: 200 },
  })
  worker.registerFunction('global::trace', async (input: any) => {
    seen.push('trace')
    return { action: 'continue', context: { request_id: input.request.headers['x-request-id'] ?? 'none' } }
  })
  worker.registerFunction('global::gate', async (input: any) => {
    seen.push('gate')
    return input.request.headers['x-block']
      ? { action: 'respond', response: { status_code: 403, body: { blocked: true } } }
      : { action: 'continue' }
  })
  worker.registerFunction('api::hello', async (req: any) => {
    seen.push('hello')
    return { status_code: 200, body: { hello: 'world', context: req.context } }
  })
  worker.registerFunction('api::health', async () => ({ status_code: 200, body: { status: 'ok' } }))
  worker.registerFunction('api::never', async () => false)
  worker.registerFunction('api::new-item', async () => ({ status_code: 200, body: { by: 'literal' } }))
  worker.registerFunction('api::item', async (req: any) => {
    seen.push('item')
    return { status_code: 200, body: { by: 'id', context: req.context } }
  })
  worker.registerTrigger({
    type: 'http',
    function_id: 'api::new-item',
    config: { api_path: 'items/new', condition_function_id: 'api::never' },
  })
  worker.registerTrigger({ type: 'http', function_id: 'api::item', config: { api_path: 'items/:id' } })
  worker.registerTrigger({
    type: 'http',
    function_id: 'api::hello',
    config: { api_path: 'test/hello', http_method: 'GET' },
  })
  worker.registerTrigger({ type: 'http', function_id: 'api::health', config: { api_path: 'health' } })
  await eventually(async () => expect((await fetch(`${base}/health`)).status).toBe(200))
})
afterAll(async () => {
  await worker?.shutdown().catch(() => {})
  await server?.close()
})

describe('the iii-http port', () => {
  it('serves a route registered as test/hello at /test/hello, and a health function like any route', async () => {
    seen.length = 0
    const r = await fetch(`${base}/test/hello`, { headers: { 'x-request-id': 'r-1' } })
    expect(r.status).toBe(200)
    expect(await r.json()).toEqual({ hello: 'world', context: { request_id: 'r-1' } })
    const health = await fetch(`${base}/health`)
    expect(health.status).toBe(200)
    expect(await health.json()).toEqual({ status: 'ok' })
  })

  it('runs the global middleware by priority before the route, on the port and at /http/{circle}', async () => {
    seen.length = 0
    expect((await fetch(`${base}/test/hello`)).status).toBe(200)
    expect(seen).toEqual(['trace', 'gate', 'hello'])
    seen.length = 0
    const blocked = await fetch(`${base}/test/hello`, { headers: { 'x-block': '1' } })
    expect(blocked.status).toBe(403)
    expect(await blocked.json()).toEqual({ blocked: true })
    const viaPlatform = await fetch(`${server.url}/http/shop/test/hello`, { headers: { 'x-block': '1' } })
    expect(viaPlatform.status).toBe(403)
    expect(seen).toEqual(['trace', 'gate', 'trace', 'gate'])
  })

  it('runs the global middleware once when a route’s condition sends the request to the next route', async () => {
    await eventually(async () => expect((await fetch(`${base}/items/7`)).status).toBe(200))
    seen.length = 0
    const r = await fetch(`${base}/items/new`, { headers: { 'x-request-id': 'r-2' } })
    expect(await r.json()).toEqual({ by: 'id', context: { request_id: 'r-2' } })
    expect(seen).toEqual(['trace', 'gate', 'item'])
  })

  it('reads iii-http.middleware without a "not supported" warning', () => {
    const warnings = logLines.filter((l) => /not supported by Periodic/.test(l.msg ?? ''))
    expect(warnings.map((w) => w.msg).join('\n')).not.toContain('middleware')
  })
})
