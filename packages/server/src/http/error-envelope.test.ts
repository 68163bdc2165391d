// The error envelope over real HTTP: every failure is
// {"error":{"code","message","class","retryable","details"},"request_id"} with a catalogue code,
// the x-request-id header carries the same id, and hostile or malformed requests are 4xx, never 500.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ApiResponse, startTestServer, type TestServer } from '../../test/test-server.ts'
import { errorCatalogue } from '../errors.ts'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const seen = new Set<string>()

/** Asserts the exact status and code, and the full envelope shape against the catalogue. */
function expectError(r: ApiResponse, status: number, code: string): void {
  expect({ status: r.status, code: r.body?.error?.code }, JSON.stringify(r.body)).toEqual({ status, code })
  expect(Object.keys(r.body).sort()).toEqual(['error', 'request_id'])
  const e = r.body.error
  expect(Object.keys(e).sort()).toEqual(['class', 'code', 'details', 'message', 'retryable'])
  expect(typeof e.message).toBe('string')
  expect(e.message.length).toBeGreaterThan(0)
  expect(e.details).toBeTypeOf('object')
  expect(e.details).not.toBeNull()
  const def = errorCatalogue().find((d) => d.code === code)
  expect(def, `${code} is in the catalogue`).toBeDefined()
  expect({ status: def!.status, class: def!.class, retryable: def!.retryable }).toEqual({
    status: r.status,
    class: e.class,
    retryable: e.retryable,
  })
  expect(r.headers.get('content-type')).toMatch(/^application\/json/)
  expect(r.body.request_id).toBeTypeOf('string')
  expect(r.body.request_id).toBe(r.headers.get('x-request-id'))
  seen.add(code)
}

describe('error envelope', () => {
  let s: TestServer
  const c = 'errs'

  beforeAll(async () => {
    s = await startTestServer()
    await s.createCircle(c)
    const r = await s.api('POST', `/api/${c}`, { element_type: 'variable', slug: 'v', spec: { value: 1 } })
    if (r.status !== 201) throw new Error(JSON.stringify(r.body))
  })
  afterAll(async () => s?.close())

  describe('request ids', () => {
    it('generates one per request, on success and error alike', async () => {
      const ok = await s.api('GET', `/api/${c}/v`)
      expect(ok.status).toBe(200)
      expect(ok.headers.get('x-request-id')).toMatch(UUID)
      const e1 = await s.api('GET', `/api/${c}/nope`)
      const e2 = await s.api('GET', `/api/${c}/nope`)
      expectError(e1, 404, 'ELEMENT_NOT_FOUND')
      expect(e1.body.request_id).toMatch(UUID)
      expect(e1.body.request_id).not.toBe(e2.body.request_id)
    })

    it('echoes a sane x-request-id from the caller in the header and the body', async () => {
      const id = 'trace-42.a:b_c'
      const ok = await s.api('GET', '/healthz', undefined, { headers: { 'x-request-id': id } })
      expect(ok.headers.get('x-request-id')).toBe(id)
      const r = await s.api('GET', `/api/${c}/nope`, undefined, { headers: { 'x-request-id': id } })
      expectError(r, 404, 'ELEMENT_NOT_FOUND')
      expect(r.body.request_id).toBe(id)
    })

    it('replaces an unsafe or oversized x-request-id with a generated one', async () => {
      for (const id of ['has space', 'x'.repeat(129), '<script>', 'a/b', 'new\u00e9line']) {
        const r = await s.api('GET', `/api/${c}/nope`, undefined, { headers: { 'x-request-id': id } })
        expectError(r, 404, 'ELEMENT_NOT_FOUND')
        expect(r.body.request_id).toMatch(UUID)
      }
    })
  })

  describe('malformed bodies', () => {
    it('answers 400 INVALID_JSON for JSON that does not parse', async () => {
      for (const raw of ['{"element_type":', '{bad}', "{'a':1}", 'nul', '{"a":1}}', '\u0000']) {
        const r = await s.api('POST', `/api/${c}`, undefined, { raw })
        expectError(r, 400, 'INVALID_JSON')
      }
    })

    it('refuses __proto__ and constructor.prototype keys with 400 FORBIDDEN_KEY, at any depth', async () => {
      const bodies = [
        '{"element_type":"variable","slug":"p1","__proto__":{"polluted":true}}',
        '{"element_type":"variable","slug":"p2","spec":{"value":{"__proto__":{"polluted":true}}}}',
        '{"element_type":"variable","slug":"p3","constructor":{"prototype":{"polluted":true}}}',
        '{"meta":{"a":[{"constructor":{"prototype":{"polluted":true}}}]}}',
        '{"\\u005f_proto__":{"polluted":true}}',
      ]
      for (const raw of bodies) {
        expectError(await s.api('POST', `/api/${c}`, undefined, { raw }), 400, 'FORBIDDEN_KEY')
        expectError(
          await s.api('PATCH', `/api/${c}/v/ops/update_meta`, undefined, { raw }),
          400,
          'FORBIDDEN_KEY',
        )
      }
      const vendor = await s.api('PATCH', `/api/${c}/v/ops/update`, undefined, {
        raw: '{"spec":{"__proto__":{"polluted":true}}}',
        headers: { 'content-type': 'application/merge-patch+json' },
      })
      expectError(vendor, 400, 'FORBIDDEN_KEY')
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
      expect(Object.prototype).not.toHaveProperty('polluted')
      for (const slug of ['p1', 'p2', 'p3'])
        expectError(await s.api('GET', `/api/${c}/${slug}`), 404, 'ELEMENT_NOT_FOUND')
      const v = await s.api('GET', `/api/${c}/v`)
      expect(v.body.version).toBe(1)
      expect(v.body.meta).toEqual({})
    })

    it('keeps __proto__ in the query string harmless', async () => {
      for (const q of ['__proto__[polluted]=1', '__proto__=x', 'constructor[prototype][polluted]=1']) {
        const r = await s.api('GET', `/api/${c}/ops/children?${q}`)
        expectError(r, 400, 'VALIDATION_FAILED')
      }
      expect(Object.prototype).not.toHaveProperty('polluted')
    })

    it('answers 413 PAYLOAD_TOO_LARGE above 10 MiB and accepts a body of exactly 10 MiB', async () => {
      const limit = 10 * 1024 * 1024
      const wrap = (n: number) => `{"content":"${'x'.repeat(n - 14)}"}`
      expect(wrap(limit).length).toBe(limit)
      const over = await s.api('POST', `/api/${c}/v/ops/readme_update`, undefined, { raw: wrap(limit + 1) })
      expectError(over, 413, 'PAYLOAD_TOO_LARGE')
      // At the limit the body is parsed; the README's own 1 MiB rule then refuses it.
      const at = await s.api('POST', `/api/${c}/v/ops/readme_update`, undefined, { raw: wrap(limit) })
      expectError(at, 400, 'VALIDATION_FAILED')
      expect(at.body.error.details.field).toBe('content')
    })

    it('answers 413 for an oversized chunked body without a content-length', async () => {
      const chunk = new TextEncoder().encode('x'.repeat(1024 * 1024))
      let sent = 0
      const body = new ReadableStream<Uint8Array>({
        pull(ctl) {
          if (sent++ === 0) ctl.enqueue(new TextEncoder().encode('{"content":"'))
          else if (sent < 14) ctl.enqueue(chunk)
          else ctl.close()
        },
      })
      const res = await fetch(`${s.url}/api/${c}/v/ops/readme_update`, {
        method: 'POST',
        headers: { authorization: `Bearer ${s.adminKey}`, 'content-type': 'application/json' },
        body,
        duplex: 'half',
      } as RequestInit)
      const r: ApiResponse = { status: res.status, body: await res.json(), headers: res.headers }
      expectError(r, 413, 'PAYLOAD_TOO_LARGE')
    })

    it('answers 415 UNSUPPORTED_MEDIA_TYPE for a body that is not JSON', async () => {
      for (const type of [
        'text/plain',
        'application/x-www-form-urlencoded',
        'application/xml',
        'text/json',
      ]) {
        const r = await s.api('POST', `/api/${c}`, undefined, {
          raw: '{"element_type":"variable","slug":"t1"}',
          headers: { 'content-type': type },
        })
        expectError(r, 415, 'UNSUPPORTED_MEDIA_TYPE')
      }
      expectError(await s.api('GET', `/api/${c}/t1`), 404, 'ELEMENT_NOT_FOUND')
    })

    it('accepts JSON media types with parameters, in any case, and +json suffixes', async () => {
      const types = [
        'application/json; charset=utf-8',
        'Application/JSON',
        'application/vnd.api+json; charset=UTF-8',
        'application/merge-patch+json',
      ]
      for (const [i, type] of types.entries()) {
        const r = await s.api('POST', `/api/${c}`, undefined, {
          raw: `{"element_type":"variable","slug":"ct${i}"}`,
          headers: { 'content-type': type },
        })
        expect(r.status, `${type}: ${JSON.stringify(r.body)}`).toBe(201)
      }
      const jsonp = await s.api('POST', `/api/${c}`, undefined, {
        raw: '{"element_type":"variable","slug":"ctp"}',
        headers: { 'content-type': 'application/jsonp' },
      })
      expectError(jsonp, 415, 'UNSUPPORTED_MEDIA_TYPE')
    })

    it('treats an empty JSON body as no input: a clear 400 or success, never 500', async () => {
      const create = await s.api('POST', `/api/${c}`, undefined, {
        raw: '',
        headers: { 'content-type': 'application/json' },
      })
      expectError(create, 400, 'VALIDATION_FAILED')
      expect(create.body.error.details.field).toBe('element_type')
      for (const raw of ['', '   \n']) {
        const enable = await s.api('POST', `/api/${c}/v/ops/enable`, undefined, {
          raw,
          headers: { 'content-type': 'application/json' },
        })
        expect(enable.status).toBe(200)
        expect(enable.body.changed).toBe(false)
      }
    })

    it('refuses JSON that is not an object with 400 VALIDATION_FAILED', async () => {
      for (const raw of ['[]', '"text"', '42', 'true']) {
        const r = await s.api('POST', `/api/${c}`, undefined, { raw })
        expectError(r, 400, 'VALIDATION_FAILED')
      }
    })
  })

  describe('routes and operations', () => {
    it('answers 404 NOT_FOUND for unknown routes, with or without a key', async () => {
      for (const [method, path] of [
        ['GET', '/nope'],
        ['GET', '/index.php'],
        ['POST', '/healthz'],
        ['DELETE', '/metrics'],
        ['GET', '/apis'],
      ] as const) {
        expectError(await s.api(method, path), 404, 'NOT_FOUND')
        expectError(await s.api(method, path, undefined, { key: null }), 404, 'NOT_FOUND')
      }
    })

    it('answers 405 METHOD_NOT_ALLOWED for a known operation or element path with the wrong method', async () => {
      const op = await s.api('POST', `/api/${c}/v/ops/get`, {})
      expectError(op, 405, 'METHOD_NOT_ALLOWED')
      expect(op.body.error.details.allowed).toEqual(['GET'])
      expect(op.headers.get('allow')).toBe('GET')
      const keys = await s.api('PUT', `/api/${c}/ops/api_keys`, {})
      expectError(keys, 405, 'METHOD_NOT_ALLOWED')
      expect([...keys.body.error.details.allowed].sort()).toEqual(['GET', 'POST'])
      const put = await s.api('PUT', `/api/${c}/v`, {})
      expectError(put, 405, 'METHOD_NOT_ALLOWED')
      expect(put.body.error.details.allowed).toEqual(['GET', 'POST', 'PATCH', 'DELETE'])
    })

    it('answers 404 OPERATION_NOT_FOUND listing the operations of the type', async () => {
      const r = await s.api('GET', `/api/${c}/v/ops/frobnicate`)
      expectError(r, 404, 'OPERATION_NOT_FOUND')
      expect(r.body.error.details.element_type).toBe('variable')
      const ops = r.body.error.details.operations as string[]
      for (const o of ['GET get', 'PATCH update', 'GET value', 'POST set', 'DELETE delete'])
        expect(ops).toContain(o)
      const deep = await s.api('POST', `/api/${c}/v/ops/set/extra/segments`, {})
      expectError(deep, 404, 'OPERATION_NOT_FOUND')
    })

    it('answers 404 with distinct codes for a missing circle and a missing element', async () => {
      expectError(await s.api('GET', '/api/no-circle/v'), 404, 'CIRCLE_NOT_FOUND')
      expectError(await s.api('GET', `/api/${c}/missing`), 404, 'ELEMENT_NOT_FOUND')
      expectError(await s.api('GET', `/api/${c}/v/v`), 404, 'ELEMENT_NOT_FOUND')
    })

    it('answers 400 VALIDATION_FAILED, in the envelope, for a path that is not valid percent-encoding', async () => {
      for (const path of [`/api/${c}/%E0%A4%A`, '/%', `/api/${c}/v/ops/%zz`]) {
        const r = await s.api('GET', path, undefined, { headers: { 'x-request-id': 'bad-url-1' } })
        expectError(r, 400, 'VALIDATION_FAILED')
        expect(r.body.request_id).toBe('bad-url-1')
      }
    })
  })

  describe('schemas', () => {
    it('refuses unknown fields where the schema is closed, naming the field', async () => {
      const cases: Array<[string, string, unknown, string]> = [
        ['POST', `/api/${c}`, { element_type: 'variable', slug: 'u1', colour: 'red' }, 'colour'],
        ['POST', '/api', { element_type: 'circle', slug: 'u2', owner: 'me' }, 'owner'],
        ['PATCH', `/api/${c}/v/ops/update`, { spec: { value: 2 }, bogus: 1 }, 'bogus'],
        ['POST', `/api/${c}/v/ops/enable`, { now: true }, 'now'],
        ['POST', `/api/${c}/v/ops/disable`, { reason: 'x', why: 'y' }, 'why'],
        ['DELETE', `/api/${c}/v/ops/delete`, { confirm: true, force: true }, 'force'],
      ]
      for (const [method, path, body, field] of cases) {
        const r = await s.api(method, path, body)
        expectError(r, 400, 'VALIDATION_FAILED')
        expect(r.body.error.details).toMatchObject({ field, rule: 'additionalProperties' })
      }
      const v = await s.api('GET', `/api/${c}/v`)
      expect({ version: v.body.version, enabled: v.body.enabled, deleted: v.body.deleted_at }).toEqual({
        version: 1,
        enabled: true,
        deleted: undefined,
      })
      expectError(await s.api('GET', `/api/${c}/u1`), 404, 'ELEMENT_NOT_FOUND')
    })

    it('refuses bad query values and bad types with 400 VALIDATION_FAILED', async () => {
      for (const q of ['limit=abc', 'limit=0', 'limit=100000', 'offset=-1', 'unknown=1']) {
        expectError(await s.api('GET', `/api/${c}/ops/children?${q}`), 400, 'VALIDATION_FAILED')
      }
      const r = await s.api('PATCH', `/api/${c}/v/ops/update`, {
        spec: { value: 3 },
        expected_version: 'one',
      })
      expectError(r, 400, 'VALIDATION_FAILED')
      expect(r.body.error.details.field).toBe('expected_version')
    })

    it('uses dedicated codes where the catalogue has them', async () => {
      expectError(
        await s.api('POST', `/api/${c}`, { element_type: 'teapot', slug: 'x' }),
        400,
        'UNKNOWN_ELEMENT_TYPE',
      )
      expectError(
        await s.api('POST', `/api/${c}`, { element_type: 'variable', slug: 'Bad Slug' }),
        400,
        'INVALID_SLUG',
      )
      expectError(
        await s.api('POST', `/api/${c}`, { element_type: 'variable', slug: 'v' }),
        409,
        'SLUG_TAKEN',
      )
      expectError(await s.api('DELETE', `/api/${c}/v`, {}), 400, 'CONFIRMATION_REQUIRED')
      const stale = await s.api('PATCH', `/api/${c}/v/ops/update`, { spec: {}, expected_version: 99 })
      expectError(stale, 409, 'VERSION_CONFLICT')
    })
  })

  it('every error seen used a catalogue code (collected across this file)', () => {
    const known = new Set(errorCatalogue().map((d) => d.code))
    expect([...seen].filter((code) => !known.has(code))).toEqual([])
    expect(seen.size).toBeGreaterThanOrEqual(15)
  })
})
