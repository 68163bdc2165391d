// The runs API over real HTTP on each storage: creating runs (waiting, idempotency), getting
// them with expansions, listing with filters and cursors, and who may do what.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, storageKinds, type TestServer } from '../../../test/test-server.ts'
import { requestHash } from '../../runs/idempotency.ts'
import { createPython, pollRun, startRun } from './runs-api-helpers.ts'

describe.each(storageKinds())('runs API on %s', (storage) => {
  let s: TestServer
  let hello: { id: string }

  beforeAll(async () => {
    s = await startTestServer({ storage })
    await s.createCircle('acme')
    await s.createCircle('other')
    hello = await createPython(s, 'acme', 'hello')
    await createPython(s, 'acme', 'second')
    await createPython(s, 'other', 'theirs')
    await s.api('POST', '/api/acme', { element_type: 'variable', slug: 'setting', spec: {} })
  })
  afterAll(async () => s?.close())

  describe('POST /api/v1/runs', () => {
    it('answers 201 with the queued run and its Location when it does not wait', async () => {
      const r = await s.api('POST', '/api/v1/runs', { target: 'acme/hello', input: { a: 1 } })
      expect(r.status).toBe(201)
      expect(r.body).toMatchObject({ status: 'queued', target: 'acme/hello', element_type: 'python' })
      expect(r.headers.get('location')).toBe(`/api/v1/runs/${r.body.id}`)
      expect((await pollRun(s, r.body.id)).output).toEqual({ a: 1 })
    })

    it('answers 200 with the result when the run ends within wait_for_completion', async () => {
      const r = await s.api('POST', '/api/v1/runs?wait_for_completion=60', {
        target: 'acme/hello',
        operation: 'invoke',
        input: { b: 2 },
      })
      expect(r.status).toBe(200)
      expect(r.body).toMatchObject({
        status: 'succeeded',
        output: { b: 2 },
        operation: 'invoke',
        trigger: 'api',
      })
    })

    it('answers 202 with Location and Retry-After when the wait ends first, and never cancels the run', async () => {
      const r = await s.api('POST', '/api/v1/runs?wait_for_completion=0.2', {
        target: 'acme/hello',
        input: { sleep: 2 },
      })
      expect(r.status).toBe(202)
      expect(r.headers.get('location')).toBe(`/api/v1/runs/${r.body.id}`)
      expect(r.headers.get('retry-after')).toBe('1')
      expect((await pollRun(s, r.body.id)).status).toBe('succeeded')
    })

    it.each([
      ['an out-of-range wait', '?wait_for_completion=601', { target: 'acme/hello' }, 'VALIDATION_FAILED'],
      ['a negative wait', '?wait_for_completion=-1', { target: 'acme/hello' }, 'VALIDATION_FAILED'],
      ['a missing target', '', { input: {} }, 'VALIDATION_FAILED'],
      ['an unknown field', '', { target: 'acme/hello', extra: 1 }, 'VALIDATION_FAILED'],
      ['a target without an element', '', { target: 'acme' }, 'VALIDATION_FAILED'],
      [
        'an operation that is not runnable',
        '',
        { target: 'acme/hello', operation: 'build' },
        'OPERATION_NOT_RUNNABLE',
      ],
      ['a type without runnable operations', '', { target: 'acme/setting' }, 'OPERATION_NOT_RUNNABLE'],
    ])('refuses %s with 400', async (_what, q, body, code) => {
      const r = await s.api('POST', `/api/v1/runs${q}`, body)
      expect(r.status).toBe(400)
      expect(r.body.error.code).toBe(code)
    })

    it('answers 404 for an unknown element or circle', async () => {
      expect((await s.api('POST', '/api/v1/runs', { target: 'acme/nope' })).body.error.code).toBe(
        'ELEMENT_NOT_FOUND',
      )
      expect((await s.api('POST', '/api/v1/runs', { target: 'nope/hello' })).status).toBe(404)
    })
  })

  describe('Idempotency-Key', () => {
    const post = (key: string, input: unknown, q = '') =>
      s.api(
        'POST',
        `/api/v1/runs${q}`,
        { target: 'acme/hello', input },
        { headers: { 'idempotency-key': key } },
      )

    it('returns the same run for the same key and body, and 422 for another body', async () => {
      const first = await post('order-1', { n: 1, m: 2 })
      expect(first.status).toBe(201)
      const again = await post('order-1', { m: 2, n: 1 }, '?wait_for_completion=60')
      expect(again.status).toBe(200)
      expect(again.body.id).toBe(first.body.id)
      expect(again.headers.get('idempotent-replayed')).toBe('true')
      const other = await post('order-1', { n: 2 })
      expect(other.status).toBe(422)
      expect(other.body.error).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', class: 'validation' })
      const list = await s.api('GET', `/api/v1/runs?target=acme/hello&limit=200`)
      expect(list.body.runs.filter((r: any) => r.id === first.body.id)).toHaveLength(1)
    })

    it('answers 409 to a duplicate while the first request is still creating its run', async () => {
      const now = new Date()
      const hash = requestHash({ target: hello.id, operation: 'invoke', input: { slow: true } })
      const circle = (await s.api('GET', '/api/acme')).body.id
      await s.platform.storage.claimIdempotencyKey(
        {
          circle_id: circle,
          key: 'in-flight',
          request_hash: hash,
          run_id: null,
          created_at: now.toISOString(),
          expires_at: new Date(now.getTime() + 60_000).toISOString(),
        },
        now.toISOString(),
      )
      const r = await post('in-flight', { slow: true })
      expect(r.status).toBe(409)
      expect(r.body.error).toMatchObject({ code: 'IDEMPOTENCY_KEY_IN_USE', retryable: true })
    })

    it('creates exactly one run for a burst of concurrent duplicates', async () => {
      const rs = await Promise.all(Array.from({ length: 6 }, () => post('burst', { burst: true })))
      const created = rs.filter((r) => r.status === 201 || r.status === 200)
      expect(rs.every((r) => [200, 201, 409].includes(r.status))).toBe(true)
      expect(new Set(created.map((r) => r.body.id)).size).toBe(1)
    })

    it('keeps keys per circle, and refuses a malformed key', async () => {
      const theirs = await s.api(
        'POST',
        '/api/v1/runs',
        { target: 'other/theirs', input: { n: 1, m: 2 } },
        { headers: { 'idempotency-key': 'order-1' } },
      )
      expect(theirs.status).toBe(201)
      const bad = await post('x'.repeat(300), {})
      expect(bad.status).toBe(400)
      expect(bad.body.error.details.field).toBe('Idempotency-Key')
    })
  })

  describe('GET /api/v1/runs/{id}', () => {
    it('adds input, usage, execution and debug sections on request', async () => {
      const id = await startRun(s, 'acme/hello', { x: 1 })
      await pollRun(s, id)
      const plain = await s.api('GET', `/api/v1/runs/${id}`)
      expect(plain.body).not.toHaveProperty('input')
      expect(plain.body).not.toHaveProperty('usage')
      const r = await s.api('GET', `/api/v1/runs/${id}?expand=input,usage,execution,debug`)
      expect(r.status).toBe(200)
      expect(r.body.input).toEqual({ x: 1 })
      expect(r.body.usage).toMatchObject({ attempts: 1, cold_start: expect.any(Boolean) })
      expect(typeof r.body.usage.duration_ms).toBe('number')
      expect(r.body.execution).toMatchObject({
        element_id: hello.id,
        target: 'acme/hello',
        element_type: 'python',
        element_version: 1,
        operation: 'invoke',
        trigger: 'api',
      })
      expect(r.body.debug).toMatchObject({
        logs_truncated: false,
        trigger_info: { key_id: 'platform-admin' },
      })
    })

    it('long-polls with ?wait until the run ends', async () => {
      const id = await startRun(s, 'acme/hello', { sleep: 1 })
      const r = await s.api('GET', `/api/v1/runs/${id}?wait=55`)
      expect(r.status).toBe(200)
      expect(r.body.status).toBe('succeeded')
    })

    it('refuses a wait over 55 s, an unknown expansion and an unknown run', async () => {
      const id = await startRun(s, 'acme/hello')
      expect((await s.api('GET', `/api/v1/runs/${id}?wait=56`)).body.error.code).toBe('VALIDATION_FAILED')
      expect((await s.api('GET', `/api/v1/runs/${id}?expand=secrets`)).status).toBe(400)
      const missing = await s.api('GET', '/api/v1/runs/00000000-0000-4000-8000-000000000000')
      expect(missing.status).toBe(404)
      expect(missing.body.error.code).toBe('RUN_NOT_FOUND')
      expect((await s.api('GET', '/api/v1/runs/not-a-run')).body.error.code).toBe('RUN_NOT_FOUND')
    })
  })

  describe('auth', () => {
    it('needs a key, hides other circles, and needs execute to create', async () => {
      const id = await startRun(s, 'acme/hello')
      expect((await s.api('GET', '/api/v1/runs', undefined, { key: null })).status).toBe(401)
      expect((await s.api('POST', '/api/v1/runs', { target: 'acme/hello' }, { key: null })).status).toBe(401)
      const otherKey = await s.createKey('other', ['read', 'execute'])
      expect((await s.api('GET', `/api/v1/runs/${id}`, undefined, { key: otherKey })).status).toBe(404)
      const create = await s.api('POST', '/api/v1/runs', { target: 'acme/hello' }, { key: otherKey })
      expect(create.status).toBe(404)
      expect(create.body.error.code).toBe('CIRCLE_NOT_FOUND')
      const listed = await s.api('GET', '/api/v1/runs?limit=200', undefined, { key: otherKey })
      expect(listed.body.runs.every((r: any) => r.target?.startsWith('other/'))).toBe(true)
      const readOnly = await s.createKey('acme', ['read'])
      const refused = await s.api('POST', '/api/v1/runs', { target: 'acme/hello' }, { key: readOnly })
      expect(refused.status).toBe(403)
      expect(refused.body.error.details.required_scope).toBe('execute')
      expect((await s.api('GET', `/api/v1/runs/${id}`, undefined, { key: readOnly })).status).toBe(200)
      const runner = await s.createKey('acme', ['execute'])
      expect((await s.api('POST', '/api/v1/runs', { target: 'acme/hello' }, { key: runner })).status).toBe(
        201,
      )
    })
  })

  describe('GET /api/v1/runs', () => {
    it('pages newest first with a cursor, without duplicates or losses', async () => {
      const ids = [] as string[]
      for (let i = 0; i < 7; i++) ids.push(await startRun(s, 'acme/second', { i }))
      const seen: string[] = []
      let cursor: string | null = null
      do {
        const q: string = cursor ? `&cursor=${cursor}` : ''
        const r = await s.api('GET', `/api/v1/runs?target=acme/second&limit=3${q}`)
        expect(r.status).toBe(200)
        expect(r.body.has_more).toBe(r.body.next_cursor !== null)
        seen.push(...r.body.runs.map((x: any) => x.id))
        cursor = r.body.next_cursor
      } while (cursor)
      expect(seen).toEqual([...ids].reverse())
    })

    it('filters by target, element type, status, trigger, ids and time', async () => {
      const ok = await startRun(s, 'acme/second', { tag: 'f' })
      const bad = await startRun(s, 'acme/second', { fail: true })
      await pollRun(s, ok)
      const failed = await pollRun(s, bad)
      const ids = async (q: string) =>
        (await s.api('GET', `/api/v1/runs?limit=200&${q}`)).body.runs.map((r: any) => r.id) as string[]
      expect(await ids(`ids=${ok},${bad}`)).toEqual([bad, ok])
      expect(await ids(`ids=${ok},${bad}&status=failed`)).toEqual([bad])
      expect(await ids(`ids=${ok},${bad}&status=succeeded,failed`)).toEqual([bad, ok])
      expect(await ids(`ids=${ok},${bad}&target=acme/hello`)).toEqual([])
      expect(await ids(`ids=${ok},${bad}&element_type=python&trigger=api`)).toEqual([bad, ok])
      expect(await ids(`ids=${ok},${bad}&trigger=rerun`)).toEqual([])
      expect(await ids(`ids=${ok},${bad}&created_after=${encodeURIComponent(failed.created_at)}`)).toEqual([
        bad,
      ])
      expect(await ids(`ids=${ok},${bad}&created_before=${encodeURIComponent(failed.created_at)}`)).toEqual([
        ok,
      ])
      const done = encodeURIComponent(failed.completed_at)
      expect(await ids(`ids=${bad}&completed_after=${done}`)).toEqual([bad])
      expect(await ids(`ids=${bad}&completed_before=${done}`)).toEqual([])
      const all = await ids('target=acme/second')
      expect(all).toEqual(expect.arrayContaining([ok, bad]))
    })

    it('refuses a cursor reused with other filters, and bad filters, with 400', async () => {
      const r = await s.api('GET', '/api/v1/runs?target=acme/second&limit=1')
      const cursor = r.body.next_cursor
      expect(cursor).toBeTruthy()
      const reused = await s.api('GET', `/api/v1/runs?target=acme/hello&limit=1&cursor=${cursor}`)
      expect(reused.status).toBe(400)
      expect(reused.body.error.code).toBe('INVALID_CURSOR')
      for (const q of [
        'cursor=garbage',
        'limit=0',
        'limit=201',
        'status=sleeping',
        'created_after=yesterday',
        'ids=not-an-id',
        'element_type=spaceship',
        'colour=red',
      ]) {
        const bad = await s.api('GET', `/api/v1/runs?${q}`)
        expect(bad.status, q).toBe(400)
        expect(bad.body.error.code, q).toMatch(/^(VALIDATION_FAILED|INVALID_CURSOR|UNKNOWN_ELEMENT_TYPE)$/)
      }
    })
  })
})
