// http trigger routes and requests as iii's iii-http worker hands them over, with the real iii-sdk
// over real HTTP: api_path without its leading slash, iii's HttpRequest (one value per query key
// and header, trigger metadata, the raw body as `request_body`), form and multipart bodies,
// a function's own status and body verbatim, conflicting routes refused, health routes.
import { createHash } from 'node:crypto'
import type { IIIClient } from 'iii-sdk'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { type EngineKit, eventually, startEngineKit } from './engine-test-kit.ts'

let kit: EngineKit
let iii: IIIClient

beforeAll(async () => {
  kit = await startEngineKit()
  iii = kit.worker()
})
afterAll(async () => kit?.close())

const url = (path: string) => `${kit.server.url}/http/acme${path}`
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')

/** Registers fn + http trigger and waits until `probe` answers something but the engine's 404. */
async function route(
  functionId: string,
  handler: (req: any, metadata?: any) => Promise<unknown>,
  config: Record<string, unknown>,
  probe: string,
  method = 'GET',
) {
  iii.registerFunction(functionId, handler)
  iii.registerTrigger({ type: 'http', function_id: functionId, config })
  await eventually(async () => {
    const r = await fetch(url(probe), { method })
    const text = await r.text()
    if (r.status === 404 && text.includes('ENGINE_ROUTE_NOT_FOUND')) throw new Error('no route yet')
  })
}

/** The request body a handler reads from iii's `request_body` channel. */
async function readBody(req: any): Promise<Buffer> {
  return req.request_body.readAll()
}

describe('http trigger paths', () => {
  it('serves an api_path given without its leading slash at /{api_path}', async () => {
    await route(
      'paths::hello',
      async () => ({ status_code: 200, body: { hello: 'world' } }),
      {
        api_path: 'test/hello',
        http_method: 'GET',
      },
      '/test/hello',
    )
    const r = await fetch(url('/test/hello'))
    expect(r.status).toBe(200)
    expect(await r.json()).toEqual({ hello: 'world' })
  })

  it('hands over path params, one value per query key (the last), headers, method and the trigger', async () => {
    await route(
      'paths::item',
      async (req) => ({
        status_code: 200,
        body: {
          path_params: req.path_params,
          query_params: req.query_params,
          header: req.headers['x-client'],
          method: req.method,
          path: req.path,
          trigger: req.trigger,
          body: req.body,
        },
      }),
      { api_path: 'items/:id', http_method: 'PUT' },
      '/items/0',
      'PUT',
    )
    const r = await fetch(url('/items/42?tag=a&tag=b&q=x%20y'), {
      method: 'PUT',
      headers: { 'x-client': 'tests', 'content-type': 'application/json' },
      body: '{"n":1}',
    })
    expect(r.status).toBe(200)
    expect(await r.json()).toEqual({
      path_params: { id: '42' },
      query_params: { tag: 'b', q: 'x y' },
      header: 'tests',
      method: 'PUT',
      path: '/items/42',
      trigger: { type: 'http', path: 'items/:id', method: 'PUT' },
      body: { n: 1 },
    })
  })
})

describe('http trigger bodies', () => {
  it('hands the raw body over as request_body, an urlencoded form included', async () => {
    await route(
      'bodies::form',
      async (req) => {
        const raw = await readBody(req)
        return {
          status_code: 200,
          body: {
            type: req.headers['content-type'],
            form: Object.fromEntries(new URLSearchParams(raw.toString('utf8'))),
          },
        }
      },
      { api_path: '/form', http_method: 'POST' },
      '/form',
      'POST',
    )
    const r = await fetch(url('/form'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'name=Ada+Lovelace&lang=%C3%A9n&lang=fr',
    })
    expect(r.status).toBe(200)
    expect(await r.json()).toEqual({
      type: 'application/x-www-form-urlencoded',
      form: { name: 'Ada Lovelace', lang: 'fr' },
    })
  })

  it('hands a multipart/form-data body with a binary file over byte for byte', async () => {
    await route(
      'bodies::upload',
      async (req) => {
        const raw = await readBody(req)
        // What an iii handler does with it: parse the form from the bytes and the content type.
        const form = await new Response(new Uint8Array(raw), {
          headers: { 'content-type': req.headers['content-type'] },
        }).formData()
        const file = form.get('file') as File
        return {
          status_code: 201,
          body: {
            raw_sha256: createHash('sha256').update(raw).digest('hex'),
            title: form.get('title'),
            name: file.name,
            size: file.size,
            sha256: createHash('sha256')
              .update(Buffer.from(await file.arrayBuffer()))
              .digest('hex'),
          },
        }
      },
      { api_path: '/upload', http_method: 'POST' },
      '/upload',
      'POST',
    )
    const bytes = new Uint8Array(300_000)
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919) % 256
    const form = new FormData()
    form.set('title', 'scan')
    form.set('file', new Blob([bytes], { type: 'application/octet-stream' }), 'scan.bin')
    const sent = new Request('http://x/', { method: 'POST', body: form })
    const raw = new Uint8Array(await sent.arrayBuffer())
    const r = await fetch(url('/upload'), {
      method: 'POST',
      headers: { 'content-type': sent.headers.get('content-type')! },
      body: raw,
    })
    expect(r.status).toBe(201)
    expect(await r.json()).toEqual({
      raw_sha256: sha256(raw),
      title: 'scan',
      name: 'scan.bin',
      size: bytes.length,
      sha256: sha256(bytes),
    })
  })
})

describe('http trigger responses', () => {
  it('returns the function’s own status, headers and body verbatim, its own 404 included', async () => {
    await route(
      'answers::lookup',
      async (req) =>
        req.path_params.sku === 'known'
          ? {
              status_code: 200,
              headers: ['X-Stock: 3', 'Content-Type: text/csv'],
              body: 'sku,stock\nknown,3\n',
            }
          : { status_code: 404, body: { error: 'no such sku', sku: req.path_params.sku } },
      { api_path: 'stock/:sku' },
      '/stock/known',
    )
    const found = await fetch(url('/stock/known'))
    expect(found.status).toBe(200)
    expect(found.headers.get('x-stock')).toBe('3')
    expect(found.headers.get('content-type')).toBe('text/csv')
    expect(await found.text()).toBe('sku,stock\nknown,3\n')
    const missing = await fetch(url('/stock/nope'))
    expect(missing.status).toBe(404)
    expect(await missing.json()).toEqual({ error: 'no such sku', sku: 'nope' })
  })

  it('refuses a route whose structure conflicts with an existing one, and keeps serving', async () => {
    await route(
      'conflict::first',
      async (req) => ({ status_code: 200, body: { by: 'first', id: req.path_params.id } }),
      { api_path: '/sessions/:id/calls', http_method: 'GET' },
      '/sessions/1/calls',
    )
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {})
    try {
      const other = kit.worker()
      other.registerFunction('conflict::second', async () => ({ status_code: 200, body: { by: 'second' } }))
      // Same shape with another parameter name, and the same path without its slash.
      other.registerTrigger({
        type: 'http',
        function_id: 'conflict::second',
        config: { api_path: 'sessions/:sid/calls', http_method: 'GET' },
      })
      await eventually(() =>
        expect(errors).toHaveBeenCalledWith(
          expect.stringMatching(/Trigger registration failed.*already served by conflict::first/),
        ),
      )
      const r = await fetch(url('/sessions/7/calls'))
      expect(await r.json()).toEqual({ by: 'first', id: '7' })
      // The engine serves on: other routes, and new registrations from the refused worker.
      other.registerTrigger({
        type: 'http',
        function_id: 'conflict::second',
        config: { api_path: 'sessions/:sid/notes', http_method: 'GET' },
      })
      await eventually(async () =>
        expect(await (await fetch(url('/sessions/7/notes'))).json()).toEqual({ by: 'second' }),
      )
      expect((await fetch(url('/test/hello'))).status).toBe(200)
    } finally {
      errors.mockRestore()
    }
  })
})

describe('health checks', () => {
  it('serves a health function registered with an http trigger like any route', async () => {
    // As iii projects (and iii's console worker, at `_console/health`) register it.
    await route(
      'app::health',
      async () => ({ status_code: 200, body: { status: 'healthy' } }),
      {
        api_path: 'health',
        http_method: 'GET',
      },
      '/health',
    )
    const r = await fetch(url('/health'))
    expect(r.status).toBe(200)
    expect(await r.json()).toEqual({ status: 'healthy' })
    await route(
      'console::health',
      async () => ({ status_code: 200, body: { ok: true } }),
      {
        api_path: '_console/health',
      },
      '/_console/health',
    )
    expect(await (await fetch(url('/_console/health'))).json()).toEqual({ ok: true })
  })
})
