// measure and apply over real HTTP with real sandboxes: the handler's envelope inline, the run
// recorded with its trigger and logs, handler failures as the error envelope with the run id,
// bad input refused with catalogue codes; and the python.* events on the bus and in activity.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeWheel } from '../../../bench/make-wheel.ts'
import { startTestServer, type TestServer } from '../../../test/test-server.ts'
import type { PlatformEvent } from '../../events/event-bus.ts'
import { inlineWaitMs } from './inline-run-operations.ts'
import type { PythonSpec } from './spec.ts'

const c = 'inl'

describe('python measure and apply', () => {
  let s: TestServer
  let wheels: string
  const events: PlatformEvent[] = []

  async function create(slug: string, code: string, spec: object = {}) {
    const r = await s.api('POST', `/api/${c}`, {
      element_type: 'python',
      slug,
      spec: { source: { type: 'inline', code }, ...spec },
    })
    if (r.status !== 201) throw new Error(`create ${slug}: ${r.status} ${JSON.stringify(r.body)}`)
    return r.body
  }
  const ofElement = (id: string, type: string) => events.filter((e) => e.element_id === id && e.type === type)

  beforeAll(async () => {
    // No package index is reachable: pip finds wheels made here, or nothing.
    wheels = mkdtempSync(join(tmpdir(), 'periodic-wheels-'))
    chmodSync(wheels, 0o755)
    makeWheel(wheels, 'pkgev', '1.0', 'VALUE = "ev"\n')
    s = await startTestServer({ env: { PERIODIC_PIP_FIND_LINKS: wheels } })
    s.platform.bus.subscribe('*', (e) => events.push(e))
    await s.createCircle(c)
    await create(
      'detector',
      'def handler(event, context):\n    print("measuring", event.get("text"))\n    return {"detector": "len", "value": len(event.get("text", "")), "trigger_seen": context["invocation_id"]}\n',
    )
  })
  afterAll(async () => {
    await s?.close()
    if (wheels) rmSync(wheels, { recursive: true, force: true })
  })

  it('returns the handler’s envelope as the body and records a run with trigger measure and its logs', async () => {
    const r = await s.api('POST', `/api/${c}/detector/ops/measure`, { input: { text: 'hello' } })
    expect(r.status).toBe(200)
    const runId = r.headers.get('x-run-id')!
    expect(r.body).toEqual({ detector: 'len', value: 5, trigger_seen: runId })
    const run = await s.api('GET', `/api/${c}/detector/ops/runs/${runId}`)
    expect(run.body).toMatchObject({ status: 'succeeded', trigger: 'measure', output: r.body })
    expect(run.body.logs.map((l: { data: string }) => l.data).join('')).toContain('measuring hello')
  })

  it('takes the bare payload as well as {"input": …}, and apply records trigger apply', async () => {
    const bare = await s.api('POST', `/api/${c}/detector/ops/apply`, { text: 'abc' })
    expect(bare.status).toBe(200)
    expect(bare.body.value).toBe(3)
    const run = await s.api('GET', `/api/${c}/detector/ops/runs/${bare.headers.get('x-run-id')}`)
    expect(run.body.trigger).toBe('apply')
    const empty = await s.api('POST', `/api/${c}/detector/ops/apply`)
    expect(empty.status).toBe(200)
    expect(empty.body.value).toBe(0)
  })

  it('sends any JSON the handler returns as JSON: a string, a list, None', async () => {
    await create('shapes', 'def handler(event):\n    return event.get("v")\n')
    for (const v of ['text', [1, 'two'], null, 0]) {
      const r = await s.api('POST', `/api/${c}/shapes/ops/measure`, { v })
      expect(r.status).toBe(200)
      expect(r.headers.get('content-type')).toContain('application/json')
      expect(r.body).toEqual(v)
    }
  })

  it('answers a raising handler with the error envelope naming the run, its traceback in the run', async () => {
    await create('broken', 'def handler(event):\n    raise ValueError("bad measurement")\n')
    const r = await s.api('POST', `/api/${c}/broken/ops/measure`, { input: {} })
    expect(r.status).toBe(500)
    expect(r.body.error).toMatchObject({
      code: 'PYTHON_RUNTIME_ERROR',
      class: 'internal',
      retryable: false,
      details: { run_id: r.headers.get('x-run-id'), status: 'failed', attempts: 1 },
    })
    expect(r.body.error.message).toContain('bad measurement')
    expect(r.body.request_id).toEqual(expect.any(String))
    const run = await s.api('GET', `/api/${c}/broken/ops/runs/${r.body.error.details.run_id}`)
    expect(run.body).toMatchObject({ status: 'failed', trigger: 'measure' })
  })

  it('applies timeout_ms and retries: a handler past its timeout is PYTHON_TIMEOUT (504) after every attempt', async () => {
    await create('slow', 'import time\n\ndef handler(event):\n    time.sleep(30)\n', {
      timeout_ms: 300,
      retry: { max_attempts: 2, backoff_ms: 0 },
    })
    const r = await s.api('POST', `/api/${c}/slow/ops/apply`, {})
    expect(r.status).toBe(504)
    expect(r.body.error).toMatchObject({ code: 'PYTHON_TIMEOUT', retryable: true, details: { attempts: 2 } })
  })

  it('waits as long as the run’s own limits allow: every attempt’s timeout and backoff, plus a queue margin', () => {
    const spec = (retry: object, timeout_ms: number) => ({ timeout_ms, retry }) as unknown as PythonSpec
    const margin = inlineWaitMs(spec({ max_attempts: 1, backoff_ms: 0, backoff_multiplier: 1 }, 0))
    expect(margin).toBe(11 * 60_000)
    expect(inlineWaitMs(spec({ max_attempts: 3, backoff_ms: 1000, backoff_multiplier: 2 }, 30_000))).toBe(
      margin + 3 * 30_000 + 1000 + 2000,
    )
    // The largest spec stays within what a timer can hold.
    expect(
      inlineWaitMs(spec({ max_attempts: 10, backoff_ms: 600_000, backoff_multiplier: 10 }, 900_000)),
    ).toBe(2 ** 31 - 1)
  })

  it('refuses a body that is not a JSON object, malformed JSON and an oversize body with catalogue codes', async () => {
    for (const body of [[1, 2], 'text', 5]) {
      const r = await s.api('POST', `/api/${c}/detector/ops/measure`, body)
      expect(r.status).toBe(400)
      expect(r.body.error.code).toBe('VALIDATION_FAILED')
    }
    const bad = await s.api('POST', `/api/${c}/detector/ops/measure`, undefined, { raw: '{"input": ' })
    expect(bad.status).toBe(400)
    expect(bad.body.error.code).toBe('INVALID_JSON')
    const big = await s.api('POST', `/api/${c}/detector/ops/apply`, {
      input: { text: 'x'.repeat(12 * 1024 * 1024) },
    })
    expect(big.status).toBe(413)
    expect(big.body.error.code).toBe('PAYLOAD_TOO_LARGE')
  })

  it('needs the execute scope and refuses a disabled element', async () => {
    const reader = await s.createKey(c, ['read'])
    const r = await s.api('POST', `/api/${c}/detector/ops/measure`, {}, { key: reader })
    expect(r.status).toBe(403)
    expect(r.body.error.code).toBe('FORBIDDEN')
    await create('off', 'def handler(event):\n    return 1\n')
    expect((await s.api('POST', `/api/${c}/off/ops/disable`, {})).status).toBe(200)
    const off = await s.api('POST', `/api/${c}/off/ops/measure`, {})
    expect(off.status).toBe(409)
    expect(off.body.error.code).toBe('ELEMENT_DISABLED')
  })

  describe('python.* events', () => {
    it('publishes invoked and completed per run, cold_start only for a cold worker, failed with its code', async () => {
      const el = await create(
        'observed',
        'def handler(event):\n    if event.get("fail"):\n        raise RuntimeError("no")\n    return 1\n',
      )
      const first = await s.api('POST', `/api/${c}/observed/ops/measure`, {})
      const second = await s.api('POST', `/api/${c}/observed/ops/measure`, {})
      expect([first.status, second.status]).toEqual([200, 200])
      expect(ofElement(el.id, 'python.invoked').map((e) => e.data['run_id'])).toEqual([
        first.headers.get('x-run-id'),
        second.headers.get('x-run-id'),
      ])
      expect(ofElement(el.id, 'python.completed')).toHaveLength(2)
      const cold = ofElement(el.id, 'python.cold_start')
      expect(cold).toHaveLength(1)
      expect(cold[0]!.data).toMatchObject({
        run_id: first.headers.get('x-run-id'),
        cold_start_ms: expect.any(Number),
      })
      const failed = await s.api('POST', `/api/${c}/observed/ops/measure`, { fail: true })
      expect(failed.status).toBe(500)
      expect(ofElement(el.id, 'python.failed')[0]!.data).toMatchObject({
        run_id: failed.body.error.details.run_id,
        code: 'PYTHON_RUNTIME_ERROR',
        trigger: 'measure',
      })
      // The generic run events go out beside them.
      expect(events.filter((e) => e.element_id === el.id && e.type === 'run.succeeded')).toHaveLength(2)
    })

    it('records failures and cold starts in the element’s activity, not every warm run', async () => {
      const el = await create('quiet', 'def handler(event):\n    return 1\n')
      for (let i = 0; i < 5; i++)
        expect((await s.api('POST', `/api/${c}/quiet/ops/apply`, {})).status).toBe(200)
      const act = await s.api('GET', `/api/${c}/quiet/ops/activity`)
      const actions = act.body.events.map((e: { action: string }) => e.action)
      expect(actions.filter((a: string) => a === 'python.cold_start')).toHaveLength(1)
      expect(actions.filter((a: string) => a.startsWith('python.') && a !== 'python.cold_start')).toEqual([])
      expect(ofElement(el.id, 'python.completed')).toHaveLength(5)
    })

    it('publishes python.build.* for builds: started then succeeded or failed, a cache hit a lone succeeded', async () => {
      const code = 'import pkgev\n\ndef handler(event):\n    return pkgev.VALUE\n'
      // The first measure builds the layer on its way to a worker.
      const el = await create('deps', code, {
        source: { type: 'inline', code, requirements: 'pkgev==1.0\n' },
      })
      const r = await s.api('POST', `/api/${c}/deps/ops/measure`, {})
      expect(r.status).toBe(200)
      expect(r.body).toBe('ev')
      const actions = async (slug: string) =>
        (await s.api('GET', `/api/${c}/${slug}/ops/activity`)).body.events.map(
          (e: { action: string }) => e.action,
        )
      expect(await actions('deps')).toEqual(
        expect.arrayContaining(['python.build.started', 'python.build.succeeded']),
      )
      const cached = await s.api('POST', `/api/${c}/deps/ops/build`, {})
      expect(cached.body).toMatchObject({ status: 'succeeded', cached: true })
      expect(ofElement(el.id, 'python.build.started')).toHaveLength(1)
      expect(ofElement(el.id, 'python.build.succeeded').map((e) => e.data['cached'])).toEqual([false, true])

      const bad = await create('baddeps', code, {
        source: { type: 'inline', code, requirements: ['nosuchpkg==9.9'] },
      })
      const b = await s.api('POST', `/api/${c}/baddeps/ops/build`, { wait_for_completion: 120 })
      expect(b.body.status).toBe('failed')
      // The failed event follows the record's end on the same promise; the activity read waits for it.
      for (let i = 0; i < 50 && !(await actions('baddeps')).includes('python.build.failed'); i++)
        await new Promise((res) => setTimeout(res, 20))
      expect(await actions('baddeps')).toEqual(
        expect.arrayContaining(['python.build.started', 'python.build.failed']),
      )
      expect(ofElement(bad.id, 'python.build.failed')[0]!.data).toMatchObject({
        build_id: b.body.build_id,
        slug: 'baddeps',
      })
    })
  })
})
