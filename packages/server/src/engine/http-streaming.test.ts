// Streaming http triggers with the real iii-sdk over real HTTP, as iii's `http(callback)` helper
// drives them: 50 MB up through `request_body` and 50 MB down through `response` with the
// server's memory measured, Server-Sent Events that reach the client while the function still
// writes, a client that leaves mid-download, and a function that never answers.
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { once } from 'node:events'
import type { IIIClient } from 'iii-sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ChannelHub } from './channel-hub.ts'
import { type EngineKit, eventually, startEngineKit } from './engine-test-kit.ts'

/** iii's `http(callback)` helper (iii-sdk's utils.ts; 0.22 on npm does not export it). */
const http =
  (cb: (req: any, res: any) => Promise<unknown>) =>
  async ({ response, ...request }: any) =>
    cb(request, {
      status: (status_code: number) =>
        response.sendMessage(JSON.stringify({ type: 'set_status', status_code })),
      headers: (headers: Record<string, string>) =>
        response.sendMessage(JSON.stringify({ type: 'set_headers', headers })),
      stream: response.stream as NodeJS.WritableStream & { destroyed: boolean },
      close: () => response.close(),
    })

const MB = 1024 * 1024
const TOTAL = 50 * MB
/** Deterministic 1 MiB chunk `i` of a 50 MB file, made on the fly on both sides. */
const chunkOf = (i: number) => Buffer.alloc(MB, (i * 31 + 7) % 251)
const expected = (() => {
  const h = createHash('sha256')
  for (let i = 0; i < TOTAL / MB; i++) h.update(chunkOf(i))
  return h.digest('hex')
})()

/** Peak RSS growth over the baseline while `fn` runs (sampled every 10 ms). */
async function rssGrowth<T>(fn: () => Promise<T>): Promise<{ value: T; growthMb: number }> {
  const base = process.memoryUsage().rss
  let peak = base
  const t = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss)
  }, 10)
  try {
    const value = await fn()
    peak = Math.max(peak, process.memoryUsage().rss)
    return { value, growthMb: (peak - base) / MB }
  } finally {
    clearInterval(t)
  }
}

/** Until the writable drains or closes (listeners removed either way). */
function drainOrClose(stream: any): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done).off('close', done)
      resolve()
    }
    stream.on('drain', done).on('close', done)
  })
}

/**
 * POSTs the 50 MB file from a separate Node process (so this process's RSS is the server's and
 * the worker's alone) and prints the status and JSON answer.
 */
async function uploadFromChild(url: string): Promise<{ status: number; json: unknown }> {
  const script = `
    const MB = 1024 * 1024
    let i = 0
    const body = new ReadableStream({ pull(c) { if (i === 50) c.close(); else c.enqueue(Buffer.alloc(MB, (i++ * 31 + 7) % 251)) } })
    fetch(${JSON.stringify(url)}, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body, duplex: 'half' })
      .then(async (r) => console.log(JSON.stringify({ status: r.status, json: await r.json() })))
      .catch((e) => { console.error(e); process.exit(1) })`
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  child.stdout.on('data', (d) => {
    out += d
  })
  const [code] = await once(child, 'exit')
  if (code !== 0) throw new Error(`upload client exited with ${code}`)
  return JSON.parse(out)
}

async function route(kit: EngineKit, iii: IIIClient, id: string, handler: any, path: string, method = 'GET') {
  iii.registerFunction(id, handler)
  iii.registerTrigger({ type: 'http', function_id: id, config: { api_path: path, http_method: method } })
  // Until the route exists; handlers answer a `?probe=1` request at once.
  await eventually(async () => {
    const probe = await fetch(`${kit.server.url}/http/acme${path}?probe=1`, { method })
    const text = await probe.text()
    if (probe.status === 404 && text.includes('ENGINE_ROUTE_NOT_FOUND')) throw new Error('no route yet')
  })
}

describe('streaming http triggers', () => {
  let kit: EngineKit
  let iii: IIIClient
  const hub = () => kit.server.platform.engine.httpTriggers.bodyChannels as ChannelHub

  beforeAll(async () => {
    kit = await startEngineKit({ env: { PERIODIC_ENGINE_TIMEOUT_MS: '60000' } })
    iii = kit.worker()
  })
  afterAll(async () => kit?.close())

  it('streams a 50 MB upload to the function through request_body without holding it', async () => {
    await route(
      kit,
      iii,
      'files::upload',
      async (req: any) => {
        if (req.query_params.probe) return { status_code: 204 }
        const hash = createHash('sha256')
        let length = 0
        for await (const c of req.request_body.stream) {
          hash.update(c)
          length += c.length
        }
        return { status_code: 201, body: { length, sha256: hash.digest('hex'), body: req.body } }
      },
      '/files',
      'POST',
    )
    const { value, growthMb } = await rssGrowth(() => uploadFromChild(`${kit.server.url}/http/acme/files`))
    console.log(`upload 50 MB: peak RSS growth ${growthMb.toFixed(1)} MB (server and worker)`)
    expect(value).toEqual({ status: 201, json: { length: TOTAL, sha256: expected, body: null } })
    expect(growthMb).toBeLessThan(50)
  })

  it('streams a 50 MB download written by the function, status and headers first', async () => {
    await route(
      kit,
      iii,
      'files::download',
      http(async (req, res) => {
        res.status(200)
        res.headers({ 'content-type': 'application/octet-stream', 'x-file': 'big.bin' })
        if (req.query_params.probe) {
          res.stream.end('p')
          return
        }
        for (let i = 0; i < TOTAL / MB; i++)
          if (!res.stream.write(chunkOf(i))) await once(res.stream as any, 'drain')
        res.stream.end()
      }),
      '/files/big',
    )
    const { value, growthMb } = await rssGrowth(async () => {
      const r = await fetch(`${kit.server.url}/http/acme/files/big`)
      const hash = createHash('sha256')
      let length = 0
      for await (const c of r.body as unknown as AsyncIterable<Uint8Array>) {
        hash.update(c)
        length += c.length
      }
      return {
        status: r.status,
        type: r.headers.get('content-type'),
        file: r.headers.get('x-file'),
        length,
        sha256: hash.digest('hex'),
      }
    })
    console.log(`download 50 MB: peak RSS growth ${growthMb.toFixed(1)} MB (server, worker and client)`)
    expect(value).toEqual({
      status: 200,
      type: 'application/octet-stream',
      file: 'big.bin',
      length: TOTAL,
      sha256: expected,
    })
    expect(growthMb).toBeLessThan(50)
  })

  it('serves Server-Sent Events that reach the client before the function writes the last', async () => {
    let clientGotFirst: () => void = () => {}
    const gotFirst = new Promise<void>((r) => {
      clientGotFirst = r
    })
    let seenBeforeLast: boolean | null = null
    await route(
      kit,
      iii,
      'events::ticks',
      http(async (req, res) => {
        res.status(200)
        res.headers({ 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
        res.stream.write('event: tick\ndata: 1\n\n')
        if (req.query_params.probe) {
          res.stream.end()
          return
        }
        // Waits (boundedly) for the client to have the first event: it cannot if bodies are held.
        const seen = await Promise.race([
          gotFirst.then(() => true),
          new Promise<boolean>((r) => setTimeout(() => r(false), 10_000)),
        ])
        res.stream.write('event: tick\ndata: 2\n\n')
        await new Promise((r) => setTimeout(r, 50))
        seenBeforeLast = seen
        res.stream.end('event: tick\ndata: 3\n\n')
      }),
      '/events',
    )
    const r = await fetch(`${kit.server.url}/http/acme/events`)
    expect(r.headers.get('content-type')).toBe('text/event-stream')
    const reader = (r.body as ReadableStream<Uint8Array>).getReader()
    let text = ''
    while (!text.includes('data: 1\n\n')) text += Buffer.from((await reader.read()).value ?? []).toString()
    clientGotFirst()
    for (;;) {
      const { value, done } = await reader.read()
      if (done) break
      text += Buffer.from(value).toString()
    }
    expect(seenBeforeLast).toBe(true)
    expect(text.match(/data: \d/g)).toEqual(['data: 1', 'data: 2', 'data: 3'])
  })

  it('cuts the response short when the function fails after its body started', async () => {
    let clientHasHeaders: () => void = () => {}
    const hasHeaders = new Promise<void>((r) => {
      clientHasHeaders = r
    })
    await route(
      kit,
      iii,
      'files::broken',
      http(async (req, res) => {
        res.status(200)
        res.stream.write(Buffer.alloc(128 * 1024, 2))
        if (req.query_params.probe) {
          res.stream.end()
          return
        }
        await hasHeaders // the response has started: the failure comes mid-body
        throw new Error('disk gone')
      }),
      '/files/broken',
    )
    const r = await fetch(`${kit.server.url}/http/acme/files/broken`)
    expect(r.status).toBe(200)
    clientHasHeaders()
    // The client sees an aborted transfer, not a complete (truncated) body.
    await expect(r.arrayBuffer()).rejects.toThrow()
  })

  it('ends the function’s writer cleanly when the client leaves mid-download', async () => {
    let writerClosed: (why: string) => void = () => {}
    const closed = new Promise<string>((r) => {
      writerClosed = r
    })
    await route(
      kit,
      iii,
      'files::endless',
      http(async (req, res) => {
        res.status(200)
        res.headers({ 'content-type': 'application/octet-stream' })
        if (req.query_params.probe) {
          res.stream.end('x')
          return
        }
        const stream = res.stream as any
        stream.on('error', () => {})
        let gone = false
        stream.once('close', () => {
          gone = true
        })
        const chunk = Buffer.alloc(64 * 1024, 1)
        let sent = 0
        while (!gone) {
          sent++
          if (!stream.write(chunk)) await drainOrClose(stream)
        }
        writerClosed(`closed after ${sent} chunks, destroyed=${stream.destroyed}`)
      }),
      '/files/endless',
    )
    const before = hub().size
    const ac = new AbortController()
    const r = await fetch(`${kit.server.url}/http/acme/files/endless`, { signal: ac.signal })
    const reader = (r.body as ReadableStream<Uint8Array>).getReader()
    let got = 0
    while (got < 2 * MB) got += (await reader.read()).value?.length ?? 0
    ac.abort()
    expect(await closed).toMatch(/destroyed=true/)
    await eventually(() => expect(hub().size).toBeLessThanOrEqual(before))
    // The engine goes on serving.
    const again = await fetch(`${kit.server.url}/http/acme/files/endless?probe=1`)
    expect(await again.text()).toBe('x')
  })
})

describe('streaming http triggers that never answer', () => {
  let kit: EngineKit
  let iii: IIIClient

  beforeAll(async () => {
    kit = await startEngineKit({ env: { PERIODIC_ENGINE_TIMEOUT_MS: '700' } })
    iii = kit.worker()
  })
  afterAll(async () => kit?.close())

  it('answers 504 when the function never writes its status and never returns', async () => {
    await route(
      kit,
      iii,
      'stuck::silent',
      http(() => new Promise(() => {})),
      '/silent',
    )
    const r = await fetch(`${kit.server.url}/http/acme/silent`)
    expect(r.status).toBe(504)
    expect((await r.json()).error.code).toBe('ENGINE_TIMEOUT')
  })

  it('answers 504 when the function sets a status, returns, and never writes a body or closes', async () => {
    await route(
      kit,
      iii,
      'stuck::half',
      http(async (_req, res) => {
        res.status(201)
      }),
      '/half',
    )
    const r = await fetch(`${kit.server.url}/http/acme/half`)
    expect(r.status).toBe(504)
    expect((await r.json()).error).toMatchObject({
      code: 'ENGINE_TIMEOUT',
      message: expect.stringContaining('response stream'),
    })
  })

  it('answers an empty 200 for a function that returns nothing and never opens its response', async () => {
    await route(kit, iii, 'stuck::nothing', async () => undefined, '/nothing')
    const r = await fetch(`${kit.server.url}/http/acme/nothing`)
    expect(r.status).toBe(200)
    expect(await r.text()).toBe('')
  })
})
