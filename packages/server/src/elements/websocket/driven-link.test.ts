// Driven mode against a local WebSocket server that is killed and restarted: send without a
// connection_id writes to the link, inbound messages reach the (Python) message handler whose
// return goes back out, and the link comes back with growing delays; backoff arithmetic.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocketServer } from 'ws'
import { startTestServer, type TestServer } from '../../../test/test-server.ts'
import { createPython } from '../../http/runs-api/runs-api-helpers.ts'
import { backoffDelay, mayRetry } from './backoff.ts'

const ACK = [
  'def handler(input):',
  '    d = input["data"]',
  '    if isinstance(d, dict) and "got" in d:',
  '        return {"ack": d["got"]["n"], "via": input["connection_id"]}',
  '    return None',
  '',
].join('\n')

/** An external server: records what it receives and answers {"got": msg} when asked to. */
class External {
  received: any[] = []
  private http: Server | undefined
  private wss: WebSocketServer | undefined
  port = 0

  async start(port = 0): Promise<void> {
    this.http = createServer()
    this.wss = new WebSocketServer({ server: this.http })
    this.wss.on('connection', (sock) => {
      sock.on('message', (data) => {
        const msg = JSON.parse(data.toString())
        this.received.push(msg)
        if (msg.reply_me) sock.send(JSON.stringify({ got: msg }))
      })
    })
    await new Promise<void>((resolve) => this.http!.listen(port, '127.0.0.1', resolve))
    this.port = (this.http.address() as AddressInfo).port
  }

  /** Clients connected right now. */
  get clients(): number {
    return this.wss?.clients.size ?? 0
  }

  async kill(): Promise<void> {
    for (const c of this.wss!.clients) c.terminate()
    this.wss!.close()
    await new Promise<void>((resolve) => this.http!.close(() => resolve()))
  }
}

describe('websocket driven link', () => {
  let s: TestServer
  const ext = new External()
  const link = async (slug: string) => (await s.api('GET', `/api/acme/${slug}/ops/connections`)).body.link

  beforeAll(async () => {
    s = await startTestServer()
    await s.createCircle('acme')
    await ext.start()
    await createPython(s, 'acme', 'ack', ACK)
  }, 60_000)
  afterAll(async () => {
    await s?.close()
    await ext.kill().catch(() => {})
  })

  it('keeps one link, sends to it, hands its messages to the handler, and comes back after the server restarts', async () => {
    const r = await s.api('POST', '/api/acme', {
      element_type: 'websocket',
      slug: 'feed',
      spec: {
        url: `ws://127.0.0.1:${ext.port}/feed`,
        handlers: { message: 'ack' },
        reconnect: { initial_delay_ms: 100, backoff_multiplier: 2, max_delay_ms: 5000, jitter_factor: 0 },
      },
    })
    expect(r.status).toBe(201)
    await expect.poll(async () => (await link('feed'))?.state, { timeout: 10_000 }).toBe('open')
    const sent = await s.api('POST', '/api/acme/feed/ops/send', { message: { n: 1, reply_me: true } })
    expect(sent.body).toEqual({ sent: true, connection_id: 'link' })
    // The server answers {"got": …}; the Python handler turns it into an ack on the same link.
    await expect.poll(() => ext.received, { timeout: 30_000 }).toContainEqual({ ack: 1, via: 'link' })
    const conns = (await s.api('GET', '/api/acme/feed/ops/connections')).body
    expect(conns).toMatchObject({ mode: 'driven', link: { state: 'open', retry_count: 0 } })

    await ext.kill()
    await expect
      .poll(async () => (await link('feed')).retry_count, { timeout: 10_000 })
      .toBeGreaterThanOrEqual(3)
    const down = await link('feed')
    expect(down.state).toBe('reconnecting')
    // Exponential, jitter 0: 100, 200, 400, …
    expect(down.recent_delays_ms.slice(0, 3)).toEqual([100, 200, 400])
    const refused = await s.api('POST', '/api/acme/feed/ops/send', { message: { n: 2 } })
    expect(refused.status).toBe(502)
    expect(refused.body.error.code).toBe('WS_CONNECTION_FAILED')

    await ext.start(ext.port)
    await expect.poll(async () => (await link('feed')).state, { timeout: 15_000 }).toBe('open')
    const back = await link('feed')
    expect(back).toMatchObject({ retry_count: 0, reconnects: 1 })
    await s.api('POST', '/api/acme/feed/ops/send', { message: { n: 3, reply_me: true } })
    await expect.poll(() => ext.received, { timeout: 30_000 }).toContainEqual({ ack: 3, via: 'link' })
  })

  it('gives up after max_retries and shows the link as failed', async () => {
    // A port that was free a moment ago: listen on 0, note the port, close.
    const probe = createServer()
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
    const dead = (probe.address() as AddressInfo).port
    await new Promise<void>((resolve) => probe.close(() => resolve()))
    const r = await s.api('POST', '/api/acme', {
      element_type: 'websocket',
      slug: 'dead',
      spec: {
        url: `ws://127.0.0.1:${dead}/nothing`,
        reconnect: { initial_delay_ms: 50, max_retries: 2, jitter_factor: 0 },
      },
    })
    expect(r.status).toBe(201)
    await expect.poll(async () => (await link('dead'))?.state, { timeout: 10_000 }).toBe('failed')
    expect(await link('dead')).toMatchObject({ retry_count: 2, recent_delays_ms: [50, 100] })
  })

  it('shows a url ws cannot use as a failed link, and test_connection says why', async () => {
    const r = await s.api('POST', '/api/acme', {
      element_type: 'websocket',
      slug: 'nohost',
      spec: { url: 'ws://' },
    })
    expect(r.status).toBe(201)
    await expect.poll(async () => (await link('nohost'))?.state).toBe('failed')
    expect((await link('nohost')).last_error).toContain('Invalid URL')
    const t = await s.api('POST', '/api/acme/nohost/ops/test-connection', {})
    expect(t.body.success).toBe(false)
    expect(t.body.checks.find((c: any) => c.check === 'url').ok).toBe(false)
  })

  it('stops the link when the element is disabled', async () => {
    expect(ext.clients).toBe(1)
    await s.api('POST', '/api/acme/feed/ops/disable', {})
    await expect.poll(() => ext.clients).toBe(0)
    const conns = (await s.api('GET', '/api/acme/feed/ops/connections')).body
    expect(conns.link).toEqual({ state: 'not_held', url: null })
  })
})

describe('backoff', () => {
  const cfg = {
    initial_delay_ms: 1000,
    max_delay_ms: 30_000,
    backoff_multiplier: 2,
    jitter_factor: 0.3,
    max_retries: -1,
  }

  it('grows from 1000 ms by 2 up to 30000 ms, with jitter inside ±jitter_factor', () => {
    const mid = () => 0.5
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => backoffDelay(cfg, n, mid))).toEqual([
      1000, 2000, 4000, 8000, 16_000, 30_000, 30_000,
    ])
    expect(backoffDelay(cfg, 1, () => 0)).toBe(700)
    expect(backoffDelay(cfg, 1, () => 0.999999)).toBe(1300)
    expect(backoffDelay(cfg, 10, () => 0.999999)).toBe(30_000)
  })

  it('retries forever at -1 and stops at max_retries otherwise', () => {
    expect(mayRetry(cfg, 1_000_000)).toBe(true)
    expect(mayRetry({ ...cfg, max_retries: 3 }, 2)).toBe(true)
    expect(mayRetry({ ...cfg, max_retries: 3 }, 3)).toBe(false)
    expect(mayRetry({ ...cfg, max_retries: 0 }, 0)).toBe(false)
  })
})
