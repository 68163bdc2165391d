// A run's annotations over real HTTP on each storage: feedback, expected documents, the
// comparison of output with expected output, the trace, and who may read or write them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, storageKinds, type TestServer } from '../../../test/test-server.ts'
import { createPython } from './runs-api-helpers.ts'

describe.each(storageKinds())('run annotations on %s', (storage) => {
  let s: TestServer
  let ok: string
  let failed: string
  const base = () => `/api/v1/runs/${ok}`

  async function finishedRun(input: unknown): Promise<string> {
    const r = await s.api('POST', '/api/v1/runs?wait_for_completion=60', { target: 'acme/hello', input })
    if (r.status !== 200) throw new Error(`run: ${r.status} ${JSON.stringify(r.body)}`)
    return r.body.id
  }

  beforeAll(async () => {
    s = await startTestServer({ storage })
    await s.createCircle('acme')
    await s.createCircle('other')
    await createPython(s, 'acme', 'hello')
    ok = await finishedRun({ total: 3, items: [1, 2], lines: 2 })
    failed = await finishedRun({ fail: true })
  })
  afterAll(async () => s?.close())

  describe('feedback', () => {
    it('is empty before any is given, replaced by PUT, merged by PATCH and cleared by DELETE', async () => {
      const empty = await s.api('GET', `${base()}/feedback`)
      expect(empty.status).toBe(200)
      expect(empty.body).toEqual({
        run_id: ok,
        rating: null,
        comment: null,
        labels: [],
        updated_by: null,
        created_at: null,
        updated_at: null,
        resolved: false,
        resolved_at: null,
        resolved_by: null,
        resolution_note: null,
      })
      const put = await s.api('PUT', `${base()}/feedback`, {
        rating: -1,
        comment: 'total is wrong',
        labels: ['billing', 'billing', 'regression'],
      })
      expect(put.status).toBe(200)
      expect(put.body).toMatchObject({
        rating: -1,
        comment: 'total is wrong',
        labels: ['billing', 'regression'],
      })
      expect(put.body.updated_at).toEqual(expect.any(String))

      const patched = await s.api('PATCH', `${base()}/feedback`, { rating: 1 })
      expect(patched.body).toMatchObject({
        rating: 1,
        comment: 'total is wrong',
        labels: ['billing', 'regression'],
      })
      expect(patched.body.created_at).toBe(put.body.created_at)

      const replaced = await s.api('PUT', `${base()}/feedback`, { labels: ['ok'] })
      expect(replaced.body).toMatchObject({ rating: null, comment: null, labels: ['ok'] })
      expect((await s.api('GET', `${base()}/feedback`)).body).toEqual(replaced.body)

      expect((await s.api('DELETE', `${base()}/feedback`)).status).toBe(204)
      expect((await s.api('GET', `${base()}/feedback`)).body.rating).toBeNull()
      expect((await s.api('DELETE', `${base()}/feedback`)).status).toBe(204)
    })

    it.each([
      [{ rating: 5 }],
      [{ rating: '1' }],
      [{ comment: 'x'.repeat(4001) }],
      [{ labels: Array.from({ length: 21 }, (_, i) => `l${i}`) }],
      [{ labels: [''] }],
      [{ mood: 'happy' }],
    ])('refuses %j with VALIDATION_FAILED', async (body) => {
      const r = await s.api('PUT', `${base()}/feedback`, body)
      expect(r.status).toBe(400)
      expect(r.body.error.code).toBe('VALIDATION_FAILED')
    })
  })

  describe('expected output and comparison', () => {
    it('answers 404 EXPECTED_OUTPUT_NOT_FOUND for a comparison before any expected output', async () => {
      const r = await s.api('GET', `/api/v1/runs/${failed}/comparison`)
      expect(r.status).toBe(404)
      expect(r.body.error.code).toBe('EXPECTED_OUTPUT_NOT_FOUND')
    })

    it('copies the output as expected, then the comparison matches field by field', async () => {
      const copied = await s.api('POST', `${base()}/expected/copy_output`)
      expect(copied.status).toBe(201)
      expect(copied.body).toMatchObject({ name: 'output', size_bytes: expect.any(Number) })
      expect((await s.api('POST', `${base()}/expected/copy_output`, {})).status).toBe(200)
      const c = await s.api('GET', `${base()}/comparison`)
      expect(c.status).toBe(200)
      expect(c.body).toMatchObject({ run_id: ok, run_status: 'succeeded', match: true, truncated: false })
      expect(c.body.summary).toEqual({ total: 4, equal: 4, different: 0, missing: 0, extra: 0 })
    })

    it('reports different, missing and extra fields against an uploaded expected output', async () => {
      const up = await s.api('PUT', `${base()}/expected/output`, { total: 4, items: [1, 2, 3], lines: 2 })
      expect(up.status).toBe(200)
      const c = await s.api('GET', `${base()}/comparison`)
      expect(c.body.match).toBe(false)
      expect(c.body.summary).toEqual({ total: 5, equal: 3, different: 1, missing: 1, extra: 0 })
      expect(c.body.fields).toContainEqual({
        path: '$.total',
        expected: 4,
        actual: 3,
        equal: false,
        status: 'different',
      })
      expect(c.body.fields).toContainEqual({
        path: '$.items[2]',
        expected: 3,
        equal: false,
        status: 'missing',
      })
    })

    it('uploads, lists, downloads, renames and deletes named documents', async () => {
      const created = await s.api('PUT', `${base()}/expected/notes.json`, ['any', { json: null }])
      expect(created.status).toBe(201)
      const scalar = await s.api('PUT', `${base()}/expected/flag`, null, { raw: 'false' })
      expect(scalar.status).toBe(201)
      const list = await s.api('GET', `${base()}/expected`)
      expect(list.body.run_id).toBe(ok)
      expect(list.body.expected.map((e: { name: string }) => e.name)).toEqual([
        'flag',
        'notes.json',
        'output',
      ])

      const dl = await s.api('GET', `${base()}/expected/notes.json`)
      expect(dl.status).toBe(200)
      expect(dl.headers.get('content-type')).toMatch(/^application\/json/)
      expect(dl.body).toEqual(['any', { json: null }])
      expect((await s.api('GET', `${base()}/expected/flag`)).body).toBe(false)

      const taken = await s.api('POST', `${base()}/expected/notes.json/rename`, { to: 'output' })
      expect(taken.status).toBe(409)
      expect(taken.body.error.code).toBe('EXPECTED_NAME_TAKEN')
      const renamed = await s.api('POST', `${base()}/expected/notes.json/rename`, { to: 'notes-v2' })
      expect(renamed.status).toBe(200)
      expect(renamed.body.name).toBe('notes-v2')
      expect((await s.api('PATCH', `${base()}/expected/notes-v2`, { to: 'notes-v3' })).body.name).toBe(
        'notes-v3',
      )
      const gone = await s.api('GET', `${base()}/expected/notes.json`)
      expect(gone.status).toBe(404)
      expect(gone.body.error.code).toBe('EXPECTED_NOT_FOUND')

      expect((await s.api('DELETE', `${base()}/expected/notes-v3`)).status).toBe(204)
      expect((await s.api('DELETE', `${base()}/expected/flag`)).status).toBe(204)
      const again = await s.api('DELETE', `${base()}/expected/flag`)
      expect(again.status).toBe(404)
      expect(again.body.error.code).toBe('EXPECTED_NOT_FOUND')
    })

    it.each(['..%2F..%2Fetc', '...', '.hidden', 'a%20b', 'a..b', 'x'.repeat(101)])(
      'refuses the name %s with INVALID_EXPECTED_NAME',
      async (name) => {
        const r = await s.api('PUT', `${base()}/expected/${name}`, { a: 1 })
        expect(r.status).toBe(400)
        expect(r.body.error.code).toBe('INVALID_EXPECTED_NAME')
      },
    )

    it('refuses bad uploads and renames with catalogue codes', async () => {
      const big = await s.api('PUT', `${base()}/expected/big`, { blob: 'x'.repeat(1024 * 1024) })
      expect(big.status).toBe(413)
      expect(big.body.error).toMatchObject({ code: 'EXPECTED_TOO_LARGE', details: { limit_bytes: 1048576 } })
      const empty = await s.api('PUT', `${base()}/expected/empty`)
      expect(empty.status).toBe(400)
      expect(empty.body.error.code).toBe('VALIDATION_FAILED')
      const badJson = await s.api('PUT', `${base()}/expected/bad`, undefined, { raw: '{nope' })
      expect(badJson.body.error.code).toBe('INVALID_JSON')
      const badTo = await s.api('POST', `${base()}/expected/output/rename`, { to: '../x' })
      expect(badTo.status).toBe(400)
      const missing = await s.api('POST', `${base()}/expected/nothing/rename`, { to: 'x' })
      expect(missing.body.error.code).toBe('EXPECTED_NOT_FOUND')
    })

    it('copies only a succeeded run’s output (409 RUN_OUTPUT_UNAVAILABLE)', async () => {
      const r = await s.api('POST', `/api/v1/runs/${failed}/expected/copy_output`, { name: 'output' })
      expect(r.status).toBe(409)
      expect(r.body.error).toMatchObject({ code: 'RUN_OUTPUT_UNAVAILABLE', details: { status: 'failed' } })
    })
  })

  describe('trace', () => {
    it('gives the timeline, durations, attempts and log line counts of an ended run', async () => {
      const r = await s.api('GET', `${base()}/trace`)
      expect(r.status).toBe(200)
      expect(r.body).toMatchObject({ run_id: ok, status: 'succeeded', trigger: 'api', attempts: 1 })
      expect(r.body.events.map((e: { type: string }) => e.type)).toEqual(['created', 'started', 'ended'])
      expect(r.body.events[2]).toMatchObject({ status: 'succeeded', error_code: null })
      expect(r.body.logs).toMatchObject({ lines: 2, stdout: 2, stderr: 0, truncated: false })
      const d = r.body.durations_ms
      expect(d.total).toBeGreaterThanOrEqual(d.running)
      expect(d.queued).toBeGreaterThanOrEqual(0)
      expect(d.execution).toEqual(expect.any(Number))
      const f = await s.api('GET', `/api/v1/runs/${failed}/trace`)
      expect(f.body.events[2]).toMatchObject({ status: 'failed', error_code: expect.any(String) })
    })
  })

  describe('activity', () => {
    it('records feedback and expected-output changes in the element’s activity log', async () => {
      await s.api('PUT', `${base()}/feedback`, { rating: 1, labels: ['audited'] })
      await s.api('PUT', `${base()}/expected/audit`, { total: 3 })
      await s.api('POST', `${base()}/expected/audit/rename`, { to: 'audit2' })
      await s.api('DELETE', `${base()}/expected/audit2`)
      await s.api('DELETE', `${base()}/feedback`)
      const r = await s.api('GET', '/api/acme/hello/ops/activity?limit=50')
      expect(r.status).toBe(200)
      const mine = (r.body.events as Array<{ action: string; details: { run_id?: string } }>)
        .filter((a) => a.action.startsWith('run.') && a.details.run_id === ok)
        .map((a) => a.action)
        .slice(0, 5)
      expect(mine).toEqual([
        'run.feedback.cleared',
        'run.expected.deleted',
        'run.expected.renamed',
        'run.expected.saved',
        'run.feedback.updated',
      ])
    })
  })

  describe('auth', () => {
    it('lets a read key read but not write, and hides runs of other circles', async () => {
      const reader = await s.createKey('acme', ['read'])
      expect((await s.api('GET', `${base()}/feedback`, undefined, { key: reader })).status).toBe(200)
      expect((await s.api('GET', `${base()}/trace`, undefined, { key: reader })).status).toBe(200)
      expect((await s.api('GET', `${base()}/expected`, undefined, { key: reader })).status).toBe(200)
      for (const [method, path, body] of [
        ['PUT', '/feedback', { rating: 1 }],
        ['DELETE', '/feedback', undefined],
        ['PUT', '/expected/x', { a: 1 }],
        ['POST', '/expected/copy_output', {}],
        ['DELETE', '/expected/output', undefined],
      ] as const) {
        const r = await s.api(method, `${base()}${path}`, body, { key: reader })
        expect(r.status, `${method} ${path}`).toBe(403)
        expect(r.body.error.code).toBe('FORBIDDEN')
      }
      const stranger = await s.createKey('other', ['admin'])
      for (const path of ['/feedback', '/expected', '/comparison', '/trace', '/expected/output']) {
        const r = await s.api('GET', `${base()}${path}`, undefined, { key: stranger })
        expect(r.status, path).toBe(404)
        expect(r.body.error.code).toBe('RUN_NOT_FOUND')
      }
      expect((await s.api('GET', `${base()}/feedback`, undefined, { key: null })).status).toBe(401)
    })
  })
})
