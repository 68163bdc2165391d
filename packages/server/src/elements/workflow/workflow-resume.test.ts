// A workflow run survives `kill -9`: the restarted node takes the run over, replays its step
// records, and continues from the last completed task — a completed call is never made again
// (side effects counted in engine state) and a `wait` ends when it was due, not later.
// Cancelling a run stops it and the run it is waiting on.
import { randomBytes } from 'node:crypto'
import { rmSync } from 'node:fs'
import { afterAll, describe, expect, it } from 'vitest'
import {
  callNode,
  killServeProcess,
  type ServeProcess,
  startServeProcess,
  stopServeProcess,
} from '../../../test/serve-process.ts'

const ADMIN = `admin-${randomBytes(12).toString('hex')}`

/** Counts each call per `i` in engine state (the side effect) and answers the count. */
const COUNT = [
  'import time',
  'from periodic import state',
  'def handler(input):',
  '    n = state.update("effects", str(input["i"]), [{"type": "increment", "path": "n", "by": 1}])["new_value"]["n"]',
  '    if input.get("sleep"):',
  '        time.sleep(input["sleep"])',
  '    return {"i": input["i"], "n": n}',
  '',
].join('\n')

const RESUMABLE = `document: { dsl: '1.0.0', namespace: acme, name: resumable, version: '1.0.0' }
do:
  - first: { call: periodic, with: { target: count, input: { i: 1 } } }
  - nap: { wait: { seconds: 4 } }
  - again: { call: periodic, with: { target: count, input: { i: 1 } } }
`

const nodes: ServeProcess[] = []
async function start(dir?: string) {
  const n = await startServeProcess({ PERIODIC_ADMIN_KEY: ADMIN, PERIODIC_SANDBOX: 'process' }, dir)
  nodes.push(n)
  return n
}
const call = (n: ServeProcess, method: string, path: string, body?: unknown) =>
  callNode(n, ADMIN, method, path, body)

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const v = await fn()
    if (v !== undefined) return v
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

async function steps(n: ServeProcess, slug: string, run: string) {
  const r = await call(n, 'GET', `/api/acme/${slug}/ops/runs/${run}/steps`)
  expect(r.status).toBe(200)
  return r.body.steps as Array<{ name: string; status: string; wake_at: string | null }>
}

afterAll(async () => {
  for (const n of nodes) await killServeProcess(n)
  for (const n of nodes) rmSync(n.dir, { recursive: true, force: true })
}, 30_000)

describe('a workflow run and kill -9', () => {
  it('resumes after a restart from the last completed task, never repeating a completed call', async () => {
    const a = await start()
    expect((await call(a, 'POST', '/api', { element_type: 'circle', slug: 'acme' })).status).toBe(201)
    const py = await call(a, 'POST', '/api/acme', {
      element_type: 'python',
      slug: 'count',
      spec: { source: { type: 'inline', code: COUNT } },
    })
    expect(py.status).toBe(201)
    const wf = await call(a, 'POST', '/api/acme', {
      element_type: 'workflow',
      slug: 'resumable',
      spec: { definition: RESUMABLE },
    })
    expect(wf.status).toBe(201)
    const started = await call(a, 'POST', '/api/v1/runs', { target: 'acme/resumable', input: {} })
    expect(started.status).toBe(201)
    const id = started.body.id as string
    const napping = await until('the run waiting in nap', async () => {
      const s = await steps(a, 'resumable', id)
      const nap = s.find((x) => x.name === 'nap')
      return nap?.status === 'running' && nap.wake_at ? nap : undefined
    })
    await killServeProcess(a)
    const b = await start(a.dir)
    const done = await until('the run to end on the restarted node', async () => {
      const r = await call(b, 'GET', `/api/v1/runs/${id}`)
      return ['succeeded', 'failed', 'cancelled'].includes(r.body.status) ? r.body : undefined
    })
    expect(done.status, JSON.stringify(done.error)).toBe('succeeded')
    // `first` ran once before the kill; `again` is the second effect, not the third.
    expect(done.output.first).toEqual({ i: 1, n: 1 })
    expect(done.output.again).toEqual({ i: 1, n: 2 })
    expect(Date.parse(done.completed_at)).toBeGreaterThanOrEqual(Date.parse(napping.wake_at!))
    const after = await steps(b, 'resumable', id)
    expect(after.map((x) => [x.name, x.status])).toEqual([
      ['first', 'succeeded'],
      ['nap', 'succeeded'],
      ['again', 'succeeded'],
    ])
    await stopServeProcess(b, { keepDir: true })
  }, 120_000)

  it('cancel stops the run and the child run it waits on', async () => {
    const n = await start()
    expect((await call(n, 'POST', '/api', { element_type: 'circle', slug: 'acme' })).status).toBe(201)
    await call(n, 'POST', '/api/acme', {
      element_type: 'python',
      slug: 'count',
      spec: { source: { type: 'inline', code: COUNT } },
    })
    const def = `document: { dsl: '1.0.0', namespace: acme, name: long, version: '1.0.0' }
do:
  - slow: { call: periodic, with: { target: count, input: { i: 7, sleep: 60 } } }
`
    expect(
      (
        await call(n, 'POST', '/api/acme', {
          element_type: 'workflow',
          slug: 'long',
          spec: { definition: def },
        })
      ).status,
    ).toBe(201)
    const id = (await call(n, 'POST', '/api/v1/runs', { target: 'acme/long', input: {} })).body.id as string
    const child = await until('the child run to start', async () => {
      const s = (await call(n, 'GET', `/api/acme/long/ops/runs/${id}/steps`)).body.steps as Array<{
        child_run_id?: string
      }>
      return s[0]?.child_run_id ?? undefined
    })
    expect((await call(n, 'POST', `/api/v1/runs/${id}/cancel`)).status).toBeLessThan(300)
    const ended = await until(
      'both to end',
      async () => {
        const [p, c] = await Promise.all([
          call(n, 'GET', `/api/v1/runs/${id}`),
          call(n, 'GET', `/api/v1/runs/${child}`),
        ])
        return p.body.status === 'cancelled' && c.body.status === 'cancelled' ? true : undefined
      },
      30_000,
    )
    expect(ended).toBe(true)
  }, 120_000)
})
