// An iii project's `iii-http-functions` with its `security` block, end to end: a real iii-sdk
// worker registers an HTTP-invoked function, every worker of the circle can call it (the engine
// makes the HTTP call to a local server), unregistering stops it; block_private_ips and
// require_https refuse registrations as iii does, with Periodic's outbound policy underneath.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type IIIClient, registerWorker } from 'iii-sdk'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../test/test-server.ts'
import { eventually, waitForFunction } from './engine/engine-test-kit.ts'
import { DEFAULT_HTTP_FUNCTIONS } from './engine/http-functions.ts'
import { parseIiiConfig } from './engine/iii-config.ts'

const CONFIG = `
circle: hooks
workers:
  - name: iii-worker-manager
    config: { port: 0 }
  - name: iii-http-functions
    config:
      security:
        url_allowlist: ["127.0.0.1", "*.example.com"]
        block_private_ips: false
        require_https: false
`

let server: TestServer
let target: Server
let base: string
const received: Array<{ url: string; headers: IncomingHttpHeaders; body: string }> = []
const logLines: any[] = []
const workers: IIIClient[] = []

function join_(port: number): IIIClient {
  const w = registerWorker(`ws://127.0.0.1:${port}`, {
    otel: { enabled: false },
    enableMetricsReporting: false,
    reconnectionConfig: { initialDelayMs: 50, maxDelayMs: 200 },
  })
  workers.push(w)
  return w
}

beforeAll(async () => {
  target = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      received.push({ url: req.url ?? '', headers: req.headers, body })
      if (req.url === '/text' || req.url === '/moved') {
        res.writeHead(req.url === '/moved' ? 302 : 200, {
          'content-type': 'text/html',
          location: '/elsewhere',
        })
        return res.end('<html>not json</html>')
      }
      res.writeHead(req.url === '/refuse' ? 422 : 200, { 'content-type': 'application/json' })
      res.end(
        JSON.stringify(
          req.url === '/refuse'
            ? { error: { code: 'ORDER_INVALID', message: 'no such item' } }
            : { echoed: JSON.parse(body || 'null') },
        ),
      )
    })
  })
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', () => r()))
  const port = (target.address() as AddressInfo).port
  base = `http://127.0.0.1:${port}`
  const dir = mkdtempSync(join(tmpdir(), 'periodic-iii-hf-'))
  const file = join(dir, 'config.yaml')
  writeFileSync(file, CONFIG)
  const logger = pino({ level: 'info' }, { write: (s: string) => void logLines.push(JSON.parse(s)) })
  server = await startTestServer({
    // Loopback is never reached unless the server's outbound policy allows it.
    env: { PERIODIC_III_CONFIG: file, PERIODIC_OUTBOUND_ALLOW: `127.0.0.1:${port}` },
    start: { logger },
  })
})
afterAll(async () => {
  await Promise.all(workers.map((w) => w.shutdown().catch(() => {})))
  await server?.close()
  target?.closeAllConnections()
  await new Promise((r) => target?.close(r))
})

const refusedLog = (id: string) =>
  logLines.filter((l) => l.id === id && String(l.msg).includes('registration refused'))

describe('iii-http-functions with a security block', () => {
  it('reads security as iii spells it: no "not supported" warning', () => {
    expect(logLines.filter((l) => String(l.msg).includes('not supported'))).toEqual([])
    const hf = parseIiiConfig(CONFIG).httpFunctions
    expect(hf).toMatchObject({
      urlAllowlist: ['127.0.0.1', '*.example.com'],
      blockPrivateIps: false,
      requireHttps: false,
    })
  })

  it('makes a worker’s HTTP function callable by another worker; unregister stops it', async () => {
    const [port] = server.platform.iii!.workerPorts
    const owner = join_(port!)
    const caller = join_(port!)
    const ref = owner.registerFunction('orders::remote', {
      url: `${base}/orders`,
      method: 'POST',
      timeout_ms: 2000,
      headers: { 'x-shop': 'hooks' },
    })
    await waitForFunction(caller, 'orders::remote')
    expect(await caller.trigger({ function_id: 'orders::remote', payload: { item: 'lamp' } })).toEqual({
      echoed: { item: 'lamp' },
    })
    const seen = received.at(-1)!
    expect(seen.url).toBe('/orders')
    expect(seen.headers['x-shop']).toBe('hooks')
    expect(seen.headers['x-iii-function-path']).toBe('orders::remote')
    expect(seen.headers['x-iii-invocation-id']).toMatch(/^[0-9a-f-]{36}$/)
    ref.unregister()
    await eventually(() =>
      expect(caller.trigger({ function_id: 'orders::remote', payload: {} })).rejects.toMatchObject({
        code: 'function_not_found',
      }),
    )
  })

  it('passes the target’s own {error: {code, message}} on, as iii’s invoker does', async () => {
    const [port] = server.platform.iii!.workerPorts
    const w = join_(port!)
    w.registerFunction('orders::refuse', { url: `${base}/refuse` })
    await waitForFunction(w, 'orders::refuse')
    await expect(w.trigger({ function_id: 'orders::refuse', payload: {} })).rejects.toMatchObject({
      code: 'ORDER_INVALID',
      message: expect.stringContaining('no such item'),
    })
  })

  it('answers a 2xx body that is not JSON with invalid_response and a redirect with no result, as iii does', async () => {
    const [port] = server.platform.iii!.workerPorts
    const w = join_(port!)
    w.registerFunction('pages::text', { url: `${base}/text` })
    w.registerFunction('pages::moved', { url: `${base}/moved` })
    await waitForFunction(w, 'pages::moved')
    await expect(w.trigger({ function_id: 'pages::text', payload: {} })).rejects.toMatchObject({
      code: 'invalid_response',
    })
    expect((await w.trigger({ function_id: 'pages::moved', payload: {} })) ?? null).toBeNull()
  })

  it('with iii’s defaults (block_private_ips, require_https) refuses loopback and plain http, though the outbound policy allows the target', async () => {
    const strict = parseIiiConfig(
      'workers:\n  - name: iii-http-functions\n    config:\n      security:\n        url_allowlist: ["127.0.0.1", "*.example.com"]\n',
    ).httpFunctions!
    expect(strict).toMatchObject({ blockPrivateIps: true, requireHttps: true })
    const hf = server.platform.engine.httpFunctions
    const [port] = server.platform.iii!.workerPorts
    const w = join_(port!)
    hf.configure({ ...strict, requireHttps: false })
    try {
      w.registerFunction('blocked::private', { url: `${base}/orders` })
      w.registerFunction('marker::one', { url: `${base}/orders` })
      await eventually(() => expect(refusedLog('marker::one')).toHaveLength(1))
      expect(refusedLog('blocked::private')[0].msg).toContain('the destination address is not allowed')
      await expect(w.trigger({ function_id: 'blocked::private', payload: {} })).rejects.toMatchObject({
        code: 'function_not_found',
      })
      hf.configure(strict)
      w.registerFunction('plain::http', { url: 'http://api.example.com/hook' })
      w.registerFunction('tls::ok', { url: 'https://api.example.com/hook' })
      await waitForFunction(w, 'tls::ok')
      expect(refusedLog('plain::http')[0].msg).toContain('HTTPS is required')
      await expect(w.trigger({ function_id: 'plain::http', payload: {} })).rejects.toMatchObject({
        code: 'function_not_found',
      })
    } finally {
      hf.configure({ ...DEFAULT_HTTP_FUNCTIONS, ...parseIiiConfig(CONFIG).httpFunctions! })
    }
  })

  it('keeps the top-level url_allowlist as an alias; without any list iii’s default allows every host', () => {
    const alias = parseIiiConfig(
      'workers:\n  - name: iii-http-functions\n    config: { url_allowlist: ["https://api.example.com/v1/"] }\n',
    )
    expect(alias.httpFunctions!.urlAllowlist).toEqual(['https://api.example.com/v1/'])
    expect(alias.unsupported).toEqual([])
    const bare = parseIiiConfig('workers:\n  - name: iii-http-functions\n    config: {}\n')
    expect(bare.httpFunctions).toMatchObject({
      urlAllowlist: ['*'],
      blockPrivateIps: true,
      requireHttps: true,
    })
    const blockOnly = parseIiiConfig(
      'workers:\n  - name: iii-http-functions\n    config: { security: { require_https: false, extra: 1 } }\n',
    )
    expect(blockOnly.httpFunctions!.urlAllowlist).toEqual([])
    expect(blockOnly.unsupported).toEqual(['iii-http-functions.security.extra'])
  })
})
