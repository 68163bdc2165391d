// Python workers under the circle's quotas, over real HTTP with real sandboxed workers: runs
// beyond the memory quota wait `queued` instead of failing, runs beyond the runs-in-flight quota
// wait in the durable run queue or, when the caller waits for them here, are refused with 429, another circle is not held up, idle workers give their quota to waiting
// work, and the usage shows in the circle's stats and in /metrics.
import type { IIIClient } from 'iii-sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type EngineKit, eventually, startEngineKit } from '../../engine/engine-test-kit.ts'

const py = (...lines: string[]) => `${lines.join('\n')}\n`

// Each run counts itself in, waits for the test to open the gate, and counts itself out; it
// returns how many runs were running (itself included) when it started.
const GATED = py(
  'import time',
  'from periodic import state',
  'def handler(input):',
  '    n = state.update("q", "running", [{"type": "increment", "path": "n", "by": 1}])["new_value"]["n"]',
  '    while state.get("q", "gate") is None:',
  '        time.sleep(0.02)',
  '    state.update("q", "running", [{"type": "increment", "path": "n", "by": -1}])',
  '    return {"running_with_me": n}',
)

let kit: EngineKit
let iii: IIIClient

async function create(circle: string, slug: string, spec: object) {
  const r = await kit.server.api('POST', `/api/${circle}`, { element_type: 'python', slug, spec })
  if (r.status !== 201) throw new Error(`create ${slug}: ${r.status} ${JSON.stringify(r.body)}`)
}

const invoke = (path: string, wait = 0) =>
  kit.server.api('POST', `/api/${path}/ops/invoke${wait ? `?wait_for_completion=${wait}` : ''}`, {})

async function runsOf(path: string): Promise<Array<{ id: string; status: string; output: any; error: any }>> {
  const r = await kit.server.api('GET', `/api/${path}/ops/runs?limit=50`)
  return r.body.runs
}

const count = (runs: Array<{ status: string }>, status: string) =>
  runs.filter((r) => r.status === status).length

beforeAll(async () => {
  kit = await startEngineKit({
    env: {
      PERIODIC_QUOTA_CIRCLE_MEMORY_MB: '128',
      PERIODIC_QUOTA_CIRCLE_RUNS_IN_FLIGHT: '8',
    },
  })
  iii = kit.worker()
  await kit.server.createCircle('other')
  const spec = (code: string, extra: object = {}) => ({
    source: { type: 'inline', code },
    memory_mb: 64,
    concurrency: { max: 8 },
    ...extra,
  })
  await create('acme', 'gated', spec(GATED))
  await create('acme', 'quick', spec(py('def handler(input):', '    return {"ok": True}')))
  await create('acme', 'big', spec(py('def handler(input):', '    return 1'), { memory_mb: 256 }))
  await create('other', 'quick', spec(py('def handler(input):', '    return {"ok": True}')))
  // Answers, then its process dies while idle.
  const dies = py(
    'import os, threading',
    'def handler(input):',
    '    threading.Timer(0.1, lambda: os._exit(1)).start()',
    '    return {"ok": True}',
  )
  await create('other', 'dies', spec(dies))
}, 60_000)
afterAll(async () => kit?.close())

describe('python quotas', () => {
  it('runs 8 concurrent invocations two at a time under a 128 MB circle quota (64 MB each), queueing the rest; all succeed', async () => {
    const started = await Promise.all(Array.from({ length: 8 }, () => invoke('acme/gated')))
    expect(started.map((r) => r.status)).toEqual(Array(8).fill(202))

    // Two runs hold the circle's 128 MB; the six others wait `queued`, not failed.
    await eventually(async () => {
      const runs = await runsOf('acme/gated')
      expect([count(runs, 'running'), count(runs, 'queued')]).toEqual([2, 6])
      expect(
        await iii.trigger({ function_id: 'state::get', payload: { scope: 'q', key: 'running' } }),
      ).toEqual({
        n: 2,
      })
    }, 30_000)

    const stats = await kit.server.api('GET', '/api/acme/ops/stats')
    expect(stats.status).toBe(200)
    expect(stats.body.quotas.circle).toMatchObject({
      workers: { in_use: 2 },
      memory_mb: { in_use: 128, limit: 128 },
      runs_in_flight: { in_use: 8, limit: 8 },
    })
    expect(stats.body.quotas.circle.waiting).toBeGreaterThan(0)
    // The admin key sees the server-wide budget too; a circle key only its circle.
    expect(stats.body.quotas.server.memory_mb.in_use).toBe(128)
    const circleKeyStats = await kit.server.api('GET', '/api/acme/ops/stats', undefined, { key: kit.key })
    expect(circleKeyStats.body.quotas.circle.memory_mb.in_use).toBe(128)
    expect(circleKeyStats.body.quotas.server).toBeUndefined()

    const metrics = (await kit.server.api('GET', '/metrics')).body as string
    expect(metrics).toMatch(/^periodic_quota_memory_mb_in_use 128$/m)
    expect(metrics).toMatch(/^periodic_quota_workers_in_use 2$/m)
    expect(metrics).toMatch(/^periodic_quota_runs_in_flight_in_use 8$/m)
    expect(metrics).toMatch(/^periodic_quota_memory_mb_limit \d+$/m)
    expect(metrics).toMatch(/^periodic_quota_waiting [1-9]\d*$/m)

    // The circle has 8 runs in flight: a ninth that waits for its answer here cannot queue,
    // and is refused; one that does not wait waits in the durable run queue.
    const refused = await invoke('acme/quick', 30)
    expect(refused.status).toBe(429)
    expect(refused.body.error).toMatchObject({
      code: 'QUOTA_EXCEEDED',
      retryable: true,
      details: { resource: 'runs_in_flight', scope: 'circle', limit: 8, in_use: 8 },
    })
    const later = await invoke('acme/quick')
    expect(later.status).toBe(202)
    expect(later.body.status).toBe('queued')
    // Another circle is not held up by this one.
    const elsewhere = await invoke('other/quick', 60)
    expect(elsewhere.body).toMatchObject({ status: 'succeeded', output: { ok: true } })

    await iii.trigger({ function_id: 'state::set', payload: { scope: 'q', key: 'gate', value: 'open' } })
    const done = await eventually(async () => {
      const runs = await runsOf('acme/gated')
      expect(count(runs, 'succeeded')).toBe(8)
      return runs
    }, 60_000)
    await eventually(async () => {
      const r = await kit.server.api('GET', `/api/acme/quick/ops/runs/${later.body.id}`)
      expect(r.body.status).toBe('succeeded')
    }, 60_000)
    // Never more than two ran at once, by the handlers' own count.
    const most = Math.max(...done.map((r) => r.output.running_with_me))
    expect(most).toBeLessThanOrEqual(2)
    const metricsAfter = (await kit.server.api('GET', '/metrics')).body as string
    expect(metricsAfter).toMatch(/^periodic_quota_runs_in_flight_in_use 0$/m)
    expect(metricsAfter).toMatch(/^periodic_quota_exceeded_total 1$/m)
  }, 120_000)

  it('stops an idle warm worker of another element to make room, rather than leaving a run queued', async () => {
    // The two warm workers of `gated` hold the circle's 128 MB while idle.
    const before = await kit.server.api('GET', '/api/acme/ops/stats')
    expect(before.body.quotas.circle.memory_mb.in_use).toBe(128)
    const r = await invoke('acme/quick', 30)
    expect(r.body).toMatchObject({ status: 'succeeded', output: { ok: true } })
  }, 60_000)

  it('fails a run at once with QUOTA_EXCEEDED when its memory_mb exceeds the circle quota outright', async () => {
    const r = await invoke('acme/big', 60)
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({
      status: 'failed',
      error: { code: 'QUOTA_EXCEEDED', resource: 'memory_mb', scope: 'circle', limit: 128, need: 256 },
    })
  }, 60_000)

  it('gives back the quota of a worker that died while idle at once, not at its idle timeout', async () => {
    const held = async () => (await kit.server.api('GET', '/api/other/ops/stats')).body.quotas.circle
    const before = await held()
    const r = await invoke('other/dies', 30)
    expect(r.body).toMatchObject({ status: 'succeeded', output: { ok: true } })
    // Its worker is gone: the circle holds what it held before the run.
    await eventually(async () => {
      const now = await held()
      expect([now.workers.in_use, now.memory_mb.in_use]).toEqual([
        before.workers.in_use,
        before.memory_mb.in_use,
      ])
    }, 20_000)
  }, 60_000)
})
