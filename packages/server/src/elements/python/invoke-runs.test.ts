// The runs of python elements over real HTTP on SQLite: listing with filters and cursors,
// run_get, run_cancel of queued and running runs, per-run logs and retries.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../../../test/test-server.ts'

const c = 'acme'
const TERMINAL = ['succeeded', 'failed', 'cancelled']

describe('python runs', () => {
  let s: TestServer

  async function create(slug: string, code: string, spec: object = {}) {
    const r = await s.api('POST', `/api/${c}`, {
      element_type: 'python',
      slug,
      spec: { source: { type: 'inline', code }, ...spec },
    })
    if (r.status !== 201) throw new Error(`create ${slug}: ${r.status} ${JSON.stringify(r.body)}`)
    return r.body
  }
  async function invoke(slug: string, body: unknown = {}) {
    const r = await s.api('POST', `/api/${c}/${slug}/ops/invoke?wait_for_completion=60`, body)
    if (r.status !== 200) throw new Error(`invoke ${slug}: ${r.status} ${JSON.stringify(r.body)}`)
    return r.body
  }
  async function start(slug: string, body: unknown = {}): Promise<string> {
    const r = await s.api('POST', `/api/${c}/${slug}/ops/invoke`, body)
    if (r.status !== 202) throw new Error(`start ${slug}: ${r.status} ${JSON.stringify(r.body)}`)
    return r.body.invocation_id
  }
  /** Polls the run until `done(run)` holds (default: it is finished), failing after `ms`. */
  async function waitForRun(
    slug: string,
    id: string,
    done = (r: any) => TERMINAL.includes(r.status),
    ms = 60_000,
  ) {
    const deadline = Date.now() + ms
    for (;;) {
      const r = await s.api('GET', `/api/${c}/${slug}/ops/runs/${id}`)
      expect(r.status).toBe(200)
      if (done(r.body)) return r.body
      if (Date.now() > deadline) throw new Error(`run ${id}: ${JSON.stringify(r.body)}`)
      await new Promise((res) => setTimeout(res, 100))
    }
  }

  beforeAll(async () => {
    s = await startTestServer()
    await s.createCircle(c)
    await create(
      'echo',
      'def handler(input):\n    if input.get("fail"):\n        raise RuntimeError("asked to")\n    return input\n',
    )
  })
  afterAll(async () => s?.close())

  describe('runs listing', () => {
    it('filters by status and pages newest first with cursors, without duplicates or losses', async () => {
      const ids = await Promise.all(
        Array.from({ length: 7 }, (_, i) => start('echo', { i, fail: i % 3 === 0 })),
      )
      for (const id of ids) await waitForRun('echo', id)
      const seen: string[] = []
      let cursor: string | null = null
      let pages = 0
      do {
        const q: string = cursor ? `&cursor=${cursor}` : ''
        const r = await s.api('GET', `/api/${c}/echo/ops/runs?limit=3${q}`)
        expect(r.status).toBe(200)
        expect(r.body.runs.length).toBeLessThanOrEqual(3)
        expect(r.body.has_more).toBe(r.body.next_cursor !== null)
        seen.push(...r.body.runs.map((x: { id: string }) => x.id))
        cursor = r.body.next_cursor
        pages++
      } while (cursor)
      expect(pages).toBe(3)
      expect(new Set(seen).size).toBe(seen.length)
      expect([...seen].sort()).toEqual([...ids].sort())
      const all = (await s.api('GET', `/api/${c}/echo/ops/runs?limit=200`)).body.runs
      expect(all.map((x: { id: string }) => x.id)).toEqual(seen)
      const created = all.map((x: { created_at: string }) => x.created_at)
      expect(created).toEqual([...created].sort().reverse())

      const failed = await s.api('GET', `/api/${c}/echo/ops/runs?status=failed&limit=2`)
      expect(failed.body.runs.map((x: { status: string }) => x.status)).toEqual(['failed', 'failed'])
      const rest = await s.api(
        'GET',
        `/api/${c}/echo/ops/runs?status=failed&limit=2&cursor=${failed.body.next_cursor}`,
      )
      expect(rest.body).toMatchObject({ runs: [{ status: 'failed' }], has_more: false, next_cursor: null })
      const succeeded = await s.api('GET', `/api/${c}/echo/ops/runs?status=succeeded`)
      expect(succeeded.body.runs).toHaveLength(4)
    })

    it('refuses a bad status, a malformed cursor and a cursor issued for other filters', async () => {
      const bad = await s.api('GET', `/api/${c}/echo/ops/runs?status=done`)
      expect(bad.status).toBe(400)
      expect(bad.body.error.code).toBe('VALIDATION_FAILED')
      expect((await s.api('GET', `/api/${c}/echo/ops/runs?cursor=xyz`)).body.error.code).toBe(
        'INVALID_CURSOR',
      )
      const page = await s.api('GET', `/api/${c}/echo/ops/runs?limit=1`)
      const other = await s.api(
        'GET',
        `/api/${c}/echo/ops/runs?status=failed&cursor=${page.body.next_cursor}`,
      )
      expect(other.status).toBe(400)
      expect(other.body.error.code).toBe('INVALID_CURSOR')
    })
  })

  it('run_get answers 404 RUN_NOT_FOUND for an unknown id or a run of another element', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-run']) {
      const r = await s.api('GET', `/api/${c}/echo/ops/runs/${id}`)
      expect(r.status).toBe(404)
      expect(r.body.error).toMatchObject({ code: 'RUN_NOT_FOUND', class: 'not_found' })
    }
    await create('other', 'def handler(input):\n    return 1\n')
    const theirs = (await invoke('other')).invocation_id
    expect((await s.api('GET', `/api/${c}/echo/ops/runs/${theirs}`)).status).toBe(404)
    expect((await s.api('POST', `/api/${c}/echo/ops/runs/${theirs}/cancel`)).status).toBe(404)
  })

  describe('run_cancel', () => {
    it('cancels a queued run at once, then a running one (its worker is stopped); the next invoke works', async () => {
      await create(
        'single',
        'import time\ndef handler(input):\n    time.sleep(input.get("sleep", 0))\n    return "done"\n',
        {
          concurrency: { max: 1 },
          timeout_ms: 300_000,
        },
      )
      const running = await start('single', { sleep: 300 })
      await waitForRun('single', running, (r) => r.status === 'running')
      const queued = await start('single', {})
      expect((await s.api('GET', `/api/${c}/single/ops/runs/${queued}`)).body.status).toBe('queued')
      const byStatus = async (status: string) =>
        (await s.api('GET', `/api/${c}/single/ops/runs?status=${status}`)).body.runs.map(
          (x: { id: string }) => x.id,
        )
      expect(await byStatus('running')).toEqual([running])
      expect(await byStatus('queued')).toEqual([queued])
      const q = await s.api('POST', `/api/${c}/single/ops/runs/${queued}/cancel`)
      expect(q.status).toBe(200)
      expect(q.body).toMatchObject({ invocation_id: queued, status: 'cancelled', output: null, attempts: 0 })
      // The long run still holds the only worker.
      expect((await s.api('GET', `/api/${c}/single/ops/runs/${running}`)).body.status).toBe('running')
      const r = await s.api('POST', `/api/${c}/single/ops/runs/${running}/cancel`)
      expect(r.status).toBe(200)
      expect(r.body).toMatchObject({ status: 'cancelled', attempts: 1, error: { code: 'RUN_CANCELLED' } })
      expect(await invoke('single')).toMatchObject({ status: 'succeeded', output: 'done', cold_start: true })
      const cancelled = await s.api('GET', `/api/${c}/single/ops/runs?status=cancelled`)
      expect(cancelled.body.runs.map((x: { id: string }) => x.id).sort()).toEqual([queued, running].sort())
    }, 60_000)

    it('refuses to cancel a finished run with 409 RUN_NOT_CANCELLABLE', async () => {
      const done = await invoke('echo', { x: 1 })
      const r = await s.api('POST', `/api/${c}/echo/ops/runs/${done.invocation_id}/cancel`)
      expect(r.status).toBe(409)
      expect(r.body.error).toMatchObject({
        code: 'RUN_NOT_CANCELLABLE',
        class: 'conflict',
        details: { status: 'succeeded' },
      })
    })
  })

  it('keeps stdout and stderr of each run apart, in logs and in the run', async () => {
    await create(
      'logger',
      'import sys\ndef handler(input):\n    print("out", input["n"])\n    print("err", input["n"], file=sys.stderr)\n    return input["n"]\n',
    )
    const a = await invoke('logger', { n: 1 })
    const b = await invoke('logger', { n: 2 })
    const text = (logs: Array<{ stream: string; data: string }>, stream: string) =>
      logs
        .filter((l) => l.stream === stream)
        .map((l) => l.data)
        .join('')
    const one = await s.api('GET', `/api/${c}/logger/ops/logs?run_id=${a.invocation_id}`)
    expect(one.status).toBe(200)
    expect(one.body.runs).toHaveLength(1)
    expect(one.body.runs[0]).toMatchObject({ run_id: a.invocation_id, status: 'succeeded', truncated: false })
    expect(text(one.body.runs[0].logs, 'stdout')).toBe('out 1\n')
    expect(text(one.body.runs[0].logs, 'stderr')).toBe('err 1\n')
    const latest = await s.api('GET', `/api/${c}/logger/ops/logs`)
    expect(latest.body.runs.map((r: { run_id: string }) => r.run_id)).toEqual([
      b.invocation_id,
      a.invocation_id,
    ])
    expect(text(latest.body.runs[0].logs, 'stdout')).toBe('out 2\n')
    const run = await s.api('GET', `/api/${c}/logger/ops/runs/${b.invocation_id}`)
    expect(text(run.body.logs, 'stdout')).toBe('out 2\n')
    expect(text(run.body.logs, 'stderr')).toBe('err 2\n')
  })

  describe('retries', () => {
    it('retries a retryable failure (a timeout) up to retry.max_attempts, keeping every attempt’s logs', async () => {
      await create(
        'flaky',
        'import time\ndef handler(input, context):\n    print("attempt", context["attempt"])\n    if context["attempt"] < input["ok_at"]:\n        time.sleep(120)\n    return context["attempt"]\n',
        { timeout_ms: 1500, retry: { max_attempts: 3, backoff_ms: 10, backoff_multiplier: 1 } },
      )
      expect(await invoke('flaky', { ok_at: 3 })).toMatchObject({
        status: 'succeeded',
        output: 3,
        attempts: 3,
      })
      const failed = await invoke('flaky', { ok_at: 99 })
      expect(failed).toMatchObject({
        status: 'failed',
        attempts: 3,
        error: { code: 'PYTHON_TIMEOUT', class: 'timeout', retryable: true },
      })
      const logs = await s.api('GET', `/api/${c}/flaky/ops/logs?run_id=${failed.invocation_id}`)
      const out = logs.body.runs[0].logs.map((l: { data: string }) => l.data).join('')
      expect(out).toMatch(/^attempt 1\n[\s\S]*attempt 2\n[\s\S]*attempt 3\n/)
    }, 60_000)

    it('does not retry a handler error: it fails at attempt 1', async () => {
      await create('raises', 'def handler(input):\n    raise KeyError("nope")\n', {
        retry: { max_attempts: 3, backoff_ms: 10 },
      })
      expect(await invoke('raises')).toMatchObject({
        status: 'failed',
        attempts: 1,
        error: { code: 'PYTHON_RUNTIME_ERROR', retryable: false },
      })
    })
  })
})
