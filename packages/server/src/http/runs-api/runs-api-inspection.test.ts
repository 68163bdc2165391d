// What clients that poll for a run's end and inspect it rely on, over real HTTP on SQLite:
// `finished`, `execution.status` and `timing` on every run, a rerun that waits, `connect` (the
// run's live events), the definition a run executed, comparing runs, and resolving feedback.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../../../test/test-server.ts'
import { createPython, pollRun, startRun } from './runs-api-helpers.ts'

describe('runs API inspection', () => {
  let s: TestServer

  beforeAll(async () => {
    s = await startTestServer()
    await s.createCircle('acme')
    await s.createCircle('other')
    await createPython(s, 'acme', 'hello')
    await createPython(s, 'other', 'theirs')
  })
  afterAll(async () => s?.close())

  describe('a run as pollers read it', () => {
    it('is not finished while it runs, and finished with its timing once it ended', async () => {
      const id = await startRun(s, 'acme/hello', { sleep: 2 })
      const running = await pollRun(s, id, (r) => r.status === 'running')
      expect(running).toMatchObject({ finished: false, execution: { status: 'running', finished: false } })
      expect(running.timing).toMatchObject({
        created_at: running.created_at,
        completed_at: null,
        duration_ms: null,
      })
      const done = await pollRun(s, id)
      expect(done).toMatchObject({ status: 'succeeded', finished: true, execution: { status: 'succeeded' } })
      expect(done.timing.started_at).toBe(done.started_at)
      expect(done.timing.completed_at).toBe(done.completed_at)
      expect(done.timing.duration_ms).toBe(Date.parse(done.completed_at) - Date.parse(done.started_at))
      expect(done.timing.duration_ms).toBeGreaterThanOrEqual(2000)
      const listed = await s.api('GET', `/api/v1/runs?ids=${id}`)
      expect(listed.body.runs[0]).toMatchObject({ finished: true, execution: { status: 'succeeded' } })
    })
  })

  describe('POST /api/v1/runs/{id}/rerun', () => {
    it('waits with wait_for_completion as POST /api/v1/runs does, and keeps the example id', async () => {
      const first = await s.api('POST', '/api/v1/runs?wait_for_completion=60', {
        target: 'acme/hello',
        input: { n: 1 },
        example_id: 'case-1',
        batch_id: 'pass-1',
      })
      const r = await s.api('POST', `/api/v1/runs/${first.body.id}/rerun?wait_for_completion=60`)
      expect(r.status).toBe(200)
      expect(r.body).toMatchObject({
        status: 'succeeded',
        finished: true,
        output: { n: 1 },
        trigger: 'rerun',
        example_id: 'case-1',
        batch_id: null,
      })
      const queued = await s.api('POST', `/api/v1/runs/${first.body.id}/rerun`)
      expect(queued.status).toBe(201)
      expect(queued.headers.get('location')).toBe(`/api/v1/runs/${queued.body.id}`)
      await pollRun(s, queued.body.id)
    })

    it('answers 202 when the wait ends first, takes version in the query, and refuses bad waits', async () => {
      const first = await pollRun(s, await startRun(s, 'acme/hello', { sleep: 2 }))
      const r = await s.api('POST', `/api/v1/runs/${first.id}/rerun?wait_for_completion=0.2&version=original`)
      expect(r.status).toBe(202)
      expect(r.headers.get('retry-after')).toBe('1')
      expect((await pollRun(s, r.body.id, undefined)).status).toBe('succeeded')
      const info = await s.api('GET', `/api/v1/runs/${r.body.id}?expand=debug`)
      expect(info.body.debug.trigger_info).toMatchObject({ rerun_of: first.id, version: 'original' })
      for (const q of ['wait_for_completion=601', 'wait_for_completion=-1', 'version=a..b', 'other=1']) {
        const bad = await s.api('POST', `/api/v1/runs/${first.id}/rerun?${q}`)
        expect(bad.status).toBe(400)
        expect(bad.body.error.code).toBe('VALIDATION_FAILED')
      }
    })
  })

  it('reruns at a branch, tag or commit named in version', async () => {
    await createPython(s, 'acme', 'refs', 'def handler(input):\n    return "v1"\n')
    const old = await pollRun(s, await startRun(s, 'acme/refs'))
    await s.api('PATCH', '/api/acme/refs', {
      spec: { source: { type: 'inline', code: 'def handler(input):\n    return "v2"\n' } },
    })
    const rerun = (q: string) => s.api('POST', `/api/v1/runs/${old.id}/rerun?wait_for_completion=60&${q}`)
    const atCommit = await rerun(`version=${old.source_commit}`)
    expect(atCommit.body).toMatchObject({ output: 'v1', source_commit: old.source_commit })
    expect((await rerun('version=draft')).body).toMatchObject({ output: 'v2', source_ref: 'draft' })
    expect((await rerun('version=latest')).body.output).toBe('v2')
    const missing = await rerun('version=v9')
    expect(missing.status).toBe(404)
    expect(missing.body.error.code).toBe('SOURCE_REF_NOT_FOUND')
  })

  describe('POST /api/v1/runs/{id}/connect', () => {
    it('streams the run’s status and log lines as Server-Sent Events until it ends', async () => {
      const id = await startRun(s, 'acme/hello', { lines: 3 })
      const res = await fetch(`${s.url}/api/v1/runs/${id}/connect`, {
        method: 'POST',
        headers: { authorization: `Bearer ${s.adminKey}` },
      })
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/)
      const text = await res.text()
      const lines = [...text.matchAll(/event: log\ndata: (.*)\n/g)].map((m) => JSON.parse(m[1]!).line)
      expect(lines).toEqual(['line 0', 'line 1', 'line 2'])
      const statuses = [...text.matchAll(/event: status\ndata: (.*)\n/g)].map((m) => JSON.parse(m[1]!))
      expect(statuses.at(-1)).toMatchObject({ status: 'succeeded', finished: true })
      const hidden = await s.api(
        'POST',
        `/api/v1/runs/${await startRun(s, 'other/theirs')}/connect`,
        undefined,
        {
          key: await s.createKey('acme', ['read']),
        },
      )
      expect(hidden.status).toBe(404)
      expect(hidden.body.error.code).toBe('RUN_NOT_FOUND')
    })
  })

  describe('GET /api/v1/runs/{id}/definition', () => {
    it('answers the spec the run executed, also after the element changed', async () => {
      await createPython(s, 'acme', 'changing', 'def handler(input):\n    return "v1"\n')
      const old = await pollRun(s, await startRun(s, 'acme/changing'))
      const upd = await s.api('PATCH', '/api/acme/changing', {
        spec: { source: { type: 'inline', code: 'def handler(input):\n    return "v2"\n' } },
      })
      expect(upd.status).toBe(200)
      const current = await pollRun(s, await startRun(s, 'acme/changing'))
      expect(current.output).toBe('v2')
      const d = await s.api('GET', `/api/v1/runs/${old.id}/definition`)
      expect(d.status).toBe(200)
      expect(d.body).toMatchObject({
        run_id: old.id,
        target: 'acme/changing',
        element_type: 'python',
        element_version: old.element_version,
        source_commit: expect.stringMatching(/^[0-9a-f]{40}$/),
        captured: 'source_commit',
      })
      expect(JSON.stringify(d.body.definition)).toContain('return \\"v1\\"')
      const now = await s.api('GET', `/api/v1/runs/${current.id}/definition`)
      expect(JSON.stringify(now.body.definition)).toContain('return \\"v2\\"')
    })

    it('answers the type runtime’s own snapshot when it keeps one', async () => {
      const runtime = s.platform.elements.registry.runtimeOf('python')!
      const id = (await pollRun(s, await startRun(s, 'acme/hello'))).id
      runtime.runDefinition = async (run) => (run.id === id ? { snapshot: 'taken at start' } : undefined)
      try {
        const d = await s.api('GET', `/api/v1/runs/${id}/definition`)
        expect(d.body).toMatchObject({ captured: 'runtime', definition: { snapshot: 'taken at start' } })
        const other = (await pollRun(s, await startRun(s, 'acme/hello'))).id
        expect((await s.api('GET', `/api/v1/runs/${other}/definition`)).body.captured).toBe('source_commit')
      } finally {
        delete runtime.runDefinition
      }
    })

    it('is 404 for a run whose element was deleted, and for a run the key cannot see', async () => {
      await createPython(s, 'acme', 'doomed')
      const id = (await pollRun(s, await startRun(s, 'acme/doomed'))).id
      expect((await s.api('DELETE', '/api/acme/doomed', { confirm: true })).status).toBeLessThan(300)
      const gone = await s.api('GET', `/api/v1/runs/${id}/definition`)
      expect(gone.status).toBe(404)
      expect(gone.body.error.code).toBe('RUN_DEFINITION_UNAVAILABLE')
      const other = await s.createKey('other', ['read'])
      const hidden = await s.api('GET', `/api/v1/runs/${id}/definition`, undefined, { key: other })
      expect(hidden.body.error.code).toBe('RUN_NOT_FOUND')
    })
  })

  describe('POST /api/v1/runs/compare', () => {
    it('compares the outputs of runs with the first one’s, field by field', async () => {
      const a = await pollRun(s, await startRun(s, 'acme/hello', { total: 10, items: [1, 2] }))
      const b = await pollRun(s, await startRun(s, 'acme/hello', { total: 11, items: [1, 2], note: 'x' }))
      const c = await pollRun(s, await startRun(s, 'acme/hello', { total: 10, items: [1, 2] }))
      const r = await s.api('POST', '/api/v1/runs/compare', { run_ids: [a.id, b.id, c.id] })
      expect(r.status).toBe(200)
      expect(r.body.base_run_id).toBe(a.id)
      expect(r.body.field).toBe('output')
      const [ab, ac] = r.body.comparisons
      expect(ab).toMatchObject({ run_id: b.id, match: false })
      expect(ab.summary).toEqual({ total: 4, equal: 2, different: 1, missing: 0, extra: 1 })
      expect(ab.fields).toContainEqual({
        path: '$.total',
        expected: 10,
        actual: 11,
        equal: false,
        status: 'different',
      })
      expect(ac).toMatchObject({ run_id: c.id, match: true })
      const inputs = await s.api('POST', '/api/v1/runs/compare', { run_ids: [a.id, c.id], field: 'input' })
      expect(inputs.body.comparisons[0].match).toBe(true)
    })

    it('refuses fewer than two runs, duplicates and bad ids with 400, and unseen runs with 404', async () => {
      const a = await startRun(s, 'acme/hello')
      for (const body of [{ run_ids: [a] }, { run_ids: [a, a] }, { run_ids: [a, 'nope'] }, {}]) {
        const r = await s.api('POST', '/api/v1/runs/compare', body)
        expect(r.status).toBe(400)
        expect(r.body.error.code).toBe('VALIDATION_FAILED')
      }
      const theirs = await startRun(s, 'other/theirs')
      const key = await s.createKey('acme', ['read'])
      const r = await s.api('POST', '/api/v1/runs/compare', { run_ids: [a, theirs] }, { key })
      expect(r.status).toBe(404)
      expect(r.body.error.code).toBe('RUN_NOT_FOUND')
    })
  })

  describe('POST /api/v1/runs/{id}/feedback/resolve', () => {
    it('resolves feedback, reopens it, and a change of the feedback reopens it too', async () => {
      const id = await startRun(s, 'acme/hello')
      const none = await s.api('POST', `/api/v1/runs/${id}/feedback/resolve`, {})
      expect(none.status).toBe(404)
      expect(none.body.error.code).toBe('FEEDBACK_NOT_FOUND')
      await s.api('PUT', `/api/v1/runs/${id}/feedback`, { rating: -1, comment: 'wrong total' })
      const r = await s.api('POST', `/api/v1/runs/${id}/feedback/resolve`, { note: 'fixed in v2' })
      expect(r.status).toBe(200)
      expect(r.body).toMatchObject({
        rating: -1,
        comment: 'wrong total',
        resolved: true,
        resolved_by: 'platform-admin',
        resolution_note: 'fixed in v2',
      })
      expect((await s.api('GET', `/api/v1/runs/${id}/feedback`)).body.resolved).toBe(true)
      const reopened = await s.api('POST', `/api/v1/runs/${id}/feedback/resolve`, { resolved: false })
      expect(reopened.body).toMatchObject({ resolved: false, resolved_at: null, resolution_note: null })
      await s.api('POST', `/api/v1/runs/${id}/feedback/resolve`)
      const changed = await s.api('PATCH', `/api/v1/runs/${id}/feedback`, { labels: ['billing'] })
      expect(changed.body).toMatchObject({ rating: -1, labels: ['billing'], resolved: false })
    })

    it('needs write, and refuses unknown fields', async () => {
      const id = await startRun(s, 'acme/hello')
      await s.api('PUT', `/api/v1/runs/${id}/feedback`, { rating: 1 })
      const bad = await s.api('POST', `/api/v1/runs/${id}/feedback/resolve`, { resolved: 'yes' })
      expect(bad.body.error.code).toBe('VALIDATION_FAILED')
      const reader = await s.createKey('acme', ['read'])
      const r = await s.api('POST', `/api/v1/runs/${id}/feedback/resolve`, {}, { key: reader })
      expect(r.status).toBe(403)
    })
  })
})
