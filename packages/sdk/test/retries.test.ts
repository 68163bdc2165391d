// Retries, timeouts and connection failures, against a scripted local server: what is retried,
// how long the client waits, and that one Idempotency-Key covers every attempt of a call.
import { createServer } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import {
  ConflictError,
  ConnectionError,
  PeriodicClient,
  RateLimitError,
  ServerError,
  TimeoutError,
  ValidationError,
} from '../src/index.ts'
import { envelope, type FakeServer, sendJson, startFakeServer } from './fake-server.ts'

const fast = { baseDelayMs: 1, maxDelayMs: 5 }
let server: FakeServer | undefined

afterEach(async () => {
  await server?.close()
  server = undefined
})

/** A server that answers 503 + Retry-After `failures` times, then 200. */
async function flakyServer(failures: number, retryAfter = '0'): Promise<FakeServer> {
  return startFakeServer((_req, res, index) => {
    if (index < failures)
      sendJson(res, 503, envelope('STORAGE_UNAVAILABLE', 'busy'), { 'retry-after': retryAfter })
    else sendJson(res, 200, { ok: true, attempt: index + 1 })
  })
}

describe('retries', () => {
  it('retries a 503 until it succeeds and reuses one Idempotency-Key for every attempt', async () => {
    server = await flakyServer(2)
    const client = new PeriodicClient({ baseUrl: server.url, apiKey: 'k', maxRetries: 3, retryTiming: fast })
    const result = await client.elements.call('acme/thing', 'do', { a: 1 })
    expect(result).toEqual({ ok: true, attempt: 3 })
    const keys = server.requests.map((r) => r.headers['idempotency-key'])
    expect(keys).toHaveLength(3)
    expect(keys[0]).toMatch(/^[\w-]{16,}$/)
    expect(new Set(keys).size).toBe(1)
    expect(server.requests.every((r) => r.body === '{"a":1}')).toBe(true)
  })

  it('gives every call its own Idempotency-Key, and uses the one the caller passes', async () => {
    server = await flakyServer(0)
    const client = new PeriodicClient({ baseUrl: server.url, apiKey: 'k' })
    await client.elements.call('acme/thing', 'do', {})
    await client.elements.call('acme/thing', 'do', {})
    await client.elements.call('acme/thing', 'do', {}, { idempotencyKey: 'mine-1' })
    const keys = server.requests.map((r) => r.headers['idempotency-key'])
    expect(keys[0]).not.toBe(keys[1])
    expect(keys[2]).toBe('mine-1')
  })

  it('sends no Idempotency-Key on GET', async () => {
    server = await flakyServer(1)
    const client = new PeriodicClient({ baseUrl: server.url, apiKey: 'k', retryTiming: fast })
    await client.elements.get('acme/thing')
    expect(server.requests).toHaveLength(2)
    expect(server.requests.map((r) => r.headers['idempotency-key'])).toEqual([undefined, undefined])
  })

  it('honours Retry-After in seconds', async () => {
    server = await flakyServer(1, '1')
    const client = new PeriodicClient({ baseUrl: server.url, apiKey: 'k', retryTiming: fast })
    const started = Date.now()
    await client.elements.call('acme/thing', 'do', {})
    expect(Date.now() - started).toBeGreaterThanOrEqual(950)
  })

  it('throws the last ServerError once maxRetries are spent', async () => {
    server = await flakyServer(10)
    const client = new PeriodicClient({ baseUrl: server.url, apiKey: 'k', maxRetries: 2, retryTiming: fast })
    const error: any = await client.elements.call('acme/thing', 'do', {}).catch((e: any) => e)
    expect(error).toBeInstanceOf(ServerError)
    expect(error.status).toBe(503)
    expect(error.code).toBe('STORAGE_UNAVAILABLE')
    expect(server.requests).toHaveLength(3)
  })

  it('does not retry at all with maxRetries 0', async () => {
    server = await flakyServer(1)
    const client = new PeriodicClient({ baseUrl: server.url, apiKey: 'k', maxRetries: 0 })
    await expect(client.elements.get('acme/thing')).rejects.toBeInstanceOf(ServerError)
    expect(server.requests).toHaveLength(1)
  })

  it('does not retry a 400', async () => {
    server = await startFakeServer((_req, res) =>
      sendJson(res, 400, envelope('VALIDATION_FAILED', 'no', { retryable: false, class: 'validation' })),
    )
    const client = new PeriodicClient({ baseUrl: server.url, apiKey: 'k', maxRetries: 3, retryTiming: fast })
    await expect(client.elements.call('acme/thing', 'do', {})).rejects.toBeInstanceOf(ValidationError)
    expect(server.requests).toHaveLength(1)
  })

  it('does not retry a version conflict, even one marked retryable', async () => {
    server = await startFakeServer((_req, res) =>
      sendJson(res, 409, envelope('VERSION_CONFLICT', 'stale', { retryable: true, class: 'conflict' })),
    )
    const client = new PeriodicClient({ baseUrl: server.url, apiKey: 'k', maxRetries: 3, retryTiming: fast })
    await expect(client.elements.update('acme/thing', { expected_version: 1 })).rejects.toBeInstanceOf(
      ConflictError,
    )
    expect(server.requests).toHaveLength(1)
  })

  it('retries a 409 the server calls retryable (active runs) and not one it calls final', async () => {
    server = await startFakeServer((req, res, index) => {
      if (req.url.includes('final')) sendJson(res, 409, envelope('SLUG_TAKEN', 'taken', { retryable: false }))
      else if (index < 2) sendJson(res, 409, envelope('ELEMENT_HAS_ACTIVE_RUNS', 'busy', { retryable: true }))
      else sendJson(res, 200, { deleted: true })
    })
    const client = new PeriodicClient({ baseUrl: server.url, apiKey: 'k', maxRetries: 3, retryTiming: fast })
    await expect(client.elements.delete('acme/busy')).resolves.toEqual({ deleted: true })
    expect(server.requests).toHaveLength(3)
    await expect(client.elements.create('acme/final', { element_type: 'x', slug: 'y' })).rejects.toThrow(
      /SLUG_TAKEN/,
    )
    expect(server.requests).toHaveLength(4)
  })

  it('does not retry a 500 the server marks not retryable (a handler error would run twice)', async () => {
    server = await startFakeServer((_req, res) =>
      sendJson(res, 500, envelope('PYTHON_RUNTIME_ERROR', 'boom', { retryable: false })),
    )
    const client = new PeriodicClient({ baseUrl: server.url, apiKey: 'k', maxRetries: 3, retryTiming: fast })
    await expect(client.python('acme/hello').invoke({})).rejects.toBeInstanceOf(ServerError)
    expect(server.requests).toHaveLength(1)
  })

  it('retries a 429 and then reports RateLimitError with retryAfter in seconds', async () => {
    server = await startFakeServer((_req, res) =>
      sendJson(res, 429, envelope('RATE_LIMITED', 'slow down', { class: 'limit' }), { 'retry-after': '0' }),
    )
    const client = new PeriodicClient({ baseUrl: server.url, apiKey: 'k', maxRetries: 1, retryTiming: fast })
    const error = await client.runs.get('r1').catch((e: any) => e)
    expect(error).toBeInstanceOf(RateLimitError)
    expect(error.retryAfter).toBe(0)
    expect(server.requests).toHaveLength(2)
  })

  it('does not wait for a Retry-After longer than a minute', async () => {
    server = await startFakeServer((_req, res) =>
      sendJson(res, 429, envelope('RATE_LIMITED', 'later'), { 'retry-after': '3600' }),
    )
    const client = new PeriodicClient({ baseUrl: server.url, apiKey: 'k', maxRetries: 3 })
    const error = await client.runs.get('r1').catch((e: any) => e)
    expect(error).toBeInstanceOf(RateLimitError)
    expect(error.retryAfter).toBe(3600)
    expect(server.requests).toHaveLength(1)
  })

  it('retries a 5xx without an envelope (a proxy in between)', async () => {
    server = await startFakeServer((_req, res, index) => {
      if (index === 0) {
        res.writeHead(502, { 'content-type': 'text/plain' })
        res.end('bad gateway')
      } else sendJson(res, 200, { ok: true })
    })
    const client = new PeriodicClient({ baseUrl: server.url, apiKey: 'k', retryTiming: fast })
    await expect(client.elements.get('acme/thing')).resolves.toEqual({ ok: true })
  })
})

describe('timeouts and connection failures', () => {
  it('throws TimeoutError when the server does not answer within timeoutMs', async () => {
    server = await startFakeServer(() => {}) // never answers
    const client = new PeriodicClient({ baseUrl: server.url, apiKey: 'k', timeoutMs: 200, maxRetries: 2 })
    const started = Date.now()
    const error = await client.elements.get('acme/thing').catch((e: any) => e)
    expect(error).toBeInstanceOf(TimeoutError)
    expect(error.code).toBe('TIMEOUT')
    expect(error.status).toBeUndefined()
    // Timeouts are not retried: one attempt, not three.
    expect(server.requests).toHaveLength(1)
    expect(Date.now() - started).toBeLessThan(2000)
  })

  it('throws ConnectionError when nothing listens, after retrying', async () => {
    const port = await freePort()
    let calls = 0
    const client = new PeriodicClient({
      baseUrl: `http://127.0.0.1:${port}`,
      apiKey: 'k',
      maxRetries: 2,
      retryTiming: fast,
      fetch: (url, init) => {
        calls++
        return fetch(url, init)
      },
    })
    const error = await client.elements.get('acme/thing').catch((e: any) => e)
    expect(error).toBeInstanceOf(ConnectionError)
    expect(error.code).toBe('CONNECTION_ERROR')
    expect(error.message).toMatch(/ECONNREFUSED/)
    expect(calls).toBe(3)
  })

  it('stops at once when the caller aborts, with the caller’s reason', async () => {
    server = await startFakeServer(() => {})
    const client = new PeriodicClient({ baseUrl: server.url, apiKey: 'k', timeoutMs: 10_000 })
    const controller = new AbortController()
    setTimeout(() => controller.abort(new Error('user gave up')), 50)
    await expect(client.elements.get('acme/thing', { signal: controller.signal })).rejects.toThrow(
      'user gave up',
    )
  })
})

/** A port nothing listens on: bind one, then release it. */
async function freePort(): Promise<number> {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address() as { port: number }
  await new Promise<void>((resolve) => probe.close(() => resolve()))
  return port
}
