// Runs survive the death of the process running them: a node killed with -9 leaves no run
// queued or running forever. On one SQLite node a restart takes its runs over; on two nodes
// sharing PostgreSQL and Redis the surviving node takes them over and runs the rest of the
// queue. Every run ends succeeded or failed with a code, and none runs twice unless its retry
// policy asked for it (side effects counted in engine state).
import { randomBytes } from 'node:crypto'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  callNode,
  killServeProcess,
  type ServeProcess,
  startServeProcess,
  stopServeProcess,
} from '../../test/serve-process.ts'
import { redisAnswers, TEST_REDIS_URL } from '../../test/test-redis.ts'
import { testDatabaseUrl } from '../../test/test-server.ts'

const ADMIN = `admin-${randomBytes(12).toString('hex')}`
const TERMINAL = ['succeeded', 'failed', 'cancelled']

/** Counts its run in engine state first (the side effect), then sleeps on its first attempt only. */
const EFFECT = [
  'import time',
  'from periodic import state',
  'def handler(input):',
  '    n = state.update("effects", str(input["i"]), [{"type": "increment", "path": "n", "by": 1}])["new_value"]["n"]',
  '    if n == 1 and input.get("sleep"):',
  '        time.sleep(input["sleep"])',
  '    return {"i": input["i"], "n": n}',
  '',
].join('\n')

/** The side effects counted so far in a SQLite node's engine state: input i -> n. */
function effectsOf(dir: string): Map<string, number> {
  const db = new Database(join(dir, 'periodic.db'), { readonly: true })
  try {
    const rows = db
      .prepare("select item_key, value from engine_items where kind = 'state' and scope = 'effects'")
      .all() as Array<{ item_key: string; value: string }>
    return new Map(rows.map((e) => [e.item_key, JSON.parse(e.value).n as number]))
  } finally {
    db.close()
  }
}

const nodes: ServeProcess[] = []
async function start(env: Record<string, string>, dir?: string) {
  const n = await startServeProcess({ PERIODIC_ADMIN_KEY: ADMIN, PERIODIC_SANDBOX: 'process', ...env }, dir)
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

async function python(n: ServeProcess, slug: string, spec: object) {
  const r = await call(n, 'POST', '/api/acme', {
    element_type: 'python',
    slug,
    spec: { source: { type: 'inline', code: EFFECT }, ...spec },
  })
  expect(r.status).toBe(201)
}

async function submit(n: ServeProcess, target: string, input: object): Promise<string> {
  const r = await call(n, 'POST', '/api/v1/runs', { target, input })
  expect(r.status).toBe(201)
  return r.body.id
}

afterAll(async () => {
  await Promise.all(nodes.map((n) => stopServeProcess(n)))
}, 30_000)

describe('one node on SQLite, killed with -9 and restarted', () => {
  it('fails the runs it was executing (RUN_NODE_LOST), retries those whose policy allows, and runs the queue', async () => {
    const a = await start({})
    expect((await call(a, 'POST', '/api', { element_type: 'circle', slug: 'acme' })).status).toBe(201)
    const once = { concurrency: { max: 2 }, retry: { max_attempts: 1, backoff_ms: 0 } }
    await python(a, 'once', once)
    await python(a, 'twice', { ...once, retry: { max_attempts: 2, backoff_ms: 0 } })
    // Two runs take both workers and sleep; four wait in the queue behind them.
    const ids: string[] = []
    for (let i = 0; i < 6; i++) ids.push(await submit(a, 'acme/once', { i, sleep: i < 2 ? 60 : 0 }))
    const retried = await submit(a, 'acme/twice', { i: 100, sleep: 60 })
    await until('two runs of once and the run of twice executing', async () => {
      const all = await Promise.all([...ids, retried].map((id) => call(a, 'GET', `/api/v1/runs/${id}`)))
      const running = all.filter((r) => r.body.status === 'running').length
      return running === 3 ? true : undefined
    })
    // A run is running once a worker takes it, before its handler has counted its side effect:
    // the kill must come after the three sleepers counted (else a retry counts 1 and sleeps).
    const { dir } = a
    await until('the three sleepers to count their side effect', async () =>
      effectsOf(dir).size === 3 ? true : undefined,
    )
    await killServeProcess(a)

    const again = await start({}, dir)
    const final = await Promise.all(
      [...ids, retried].map((id) =>
        until(`run ${id} to end`, async () => {
          const r = await call(again, 'GET', `/api/v1/runs/${id}`)
          return TERMINAL.includes(r.body.status) ? r.body : undefined
        }),
      ),
    )
    for (const r of final.slice(0, 2)) {
      expect(r.status).toBe('failed')
      expect(r.error).toMatchObject({ code: 'RUN_NODE_LOST' })
      expect(r.attempts).toBe(1)
    }
    for (const r of final.slice(2, 6)) expect(r).toMatchObject({ status: 'succeeded', attempts: 1 })
    // The lost attempt counts: the retry is attempt 2, and the side effect ran twice by design.
    // (The whole run in the message: a failed retry says why.)
    expect(final[6], JSON.stringify(final[6])).toMatchObject({
      status: 'succeeded',
      attempts: 2,
      output: { i: 100, n: 2 },
    })
    const runsLeft = await call(again, 'GET', '/api/v1/runs?status=queued,running')
    expect(runsLeft.body.runs).toEqual([])
    // No run of `once` ran twice.
    const count = effectsOf(dir)
    for (let i = 0; i < 6; i++) expect(count.get(String(i))).toBe(1)
    // Nothing is stranded: the elements can be deleted.
    const del = await call(again, 'DELETE', '/api/acme/once/ops/delete', { confirm: true })
    expect(del.status).toBe(200)
    await stopServeProcess(again)
  }, 120_000)
})

const DB = testDatabaseUrl()
const HAVE_REDIS = await redisAnswers('run recovery on several nodes')

describe.skipIf(!DB || !HAVE_REDIS)('two nodes on PostgreSQL and Redis, one killed with -9 half-way', () => {
  const schema = `t_runs_${randomBytes(5).toString('hex')}`
  const admin = () => new pg.Client({ connectionString: DB })

  afterAll(async () => {
    await Promise.all(nodes.splice(0).map((n) => stopServeProcess(n)))
    await c?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
    await c?.end()
  }, 30_000)

  let a: ServeProcess
  let b: ServeProcess
  let c: pg.Client

  beforeAll(async () => {
    c = admin()
    await c.connect()
    await c.query(`CREATE SCHEMA ${schema}`)
    const env = {
      DATABASE_URL: `${DB}${DB!.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`,
      REDIS_URL: TEST_REDIS_URL,
      PERIODIC_REDIS_PREFIX: `test:${schema}:`,
      PERIODIC_RUN_LEASE_MS: '2000',
    }
    // One after the other: the first start runs the migrations on the fresh schema.
    a = await start(env)
    b = await start(env)
    expect((await call(a, 'POST', '/api', { element_type: 'circle', slug: 'acme' })).status).toBe(201)
  }, 90_000)

  it('cancels, through either node, a run the other node is executing', async () => {
    await python(a, 'hold', { concurrency: { max: 1 }, retry: { max_attempts: 1, backoff_ms: 0 } })
    // A synchronous invoke runs on the node that took the request.
    const held = call(a, 'POST', '/api/acme/hold/ops/invoke?wait_for_completion=60', { i: 'held', sleep: 60 })
    const id = await until('the run to start on node A', async () => {
      const r = await call(b, 'GET', '/api/v1/runs?target=acme/hold')
      return r.body.runs[0]?.id as string | undefined
    })
    await until('the run to be executing', async () => {
      const r = await call(a, 'GET', `/api/v1/runs/${id}`)
      return r.body.status === 'running' || undefined
    })
    const cancelled = await call(b, 'POST', `/api/v1/runs/${id}/cancel`)
    expect(cancelled.status).toBe(200)
    expect(cancelled.body.status).toBe('cancelled')
    expect((await held).body.status).toBe('cancelled')
  }, 60_000)

  it('follows, as events through either node, a run the other node is executing', async () => {
    const started = await call(a, 'POST', '/api/acme/hold/ops/invoke', { i: 'followed', sleep: 1 })
    expect(started.status).toBe(202)
    const read = async (path: string) => {
      const res = await fetch(b.url + path, { headers: { authorization: `Bearer ${ADMIN}` } })
      expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/)
      return res.text() // the stream ends when the run does
    }
    const [element, api] = await Promise.all([
      read(`/api/acme/hold/ops/runs/${started.body.id}/stream`),
      read(`/api/v1/runs/${started.body.id}/events`),
    ])
    expect(element).toMatch(/event: end\ndata: \{[^\n]*"status":"succeeded"/)
    expect(api).toMatch(/event: status\ndata: \{"status":"succeeded"/)
  }, 60_000)

  it('ends all 200 runs submitted to a node killed half-way, none twice, the survivor running the rest', async () => {
    await python(a, 'work', { concurrency: { max: 4 }, retry: { max_attempts: 1, backoff_ms: 0 } })
    const work = (await call(a, 'GET', '/api/acme/work')).body.id as string
    const ids: string[] = []
    for (let i = 0; i < 200; i++) ids.push(await submit(a, 'acme/work', { i, sleep: 0.1 }))
    const counts = async () => {
      const r = await c.query<{ status: string; n: string }>(
        `select status, count(*) as n from ${schema}.runs where element_id = $1 group by status`,
        [work],
      )
      return Object.fromEntries(r.rows.map((x) => [x.status, Number(x.n)])) as Record<string, number>
    }
    await until(
      'half of the runs to end',
      async () => ((await counts())['succeeded'] ?? 0) >= 100 || undefined,
    )
    await killServeProcess(a)
    const ended = await until('every run to end', async () => {
      const n = await counts()
      return (n['queued'] ?? 0) + (n['running'] ?? 0) === 0 ? n : undefined
    })
    expect((ended['succeeded'] ?? 0) + (ended['failed'] ?? 0)).toBe(200)
    const failed = await c.query<{ error: string }>(
      `select error from ${schema}.runs where status = 'failed'`,
    )
    for (const f of failed.rows) expect(JSON.parse(f.error)).toMatchObject({ code: 'RUN_NODE_LOST' })
    // At most the runs in flight on the killed node were lost (4 workers).
    expect(failed.rows.length).toBeLessThanOrEqual(4)
    const effects = await c.query<{ item_key: string; value: string }>(
      `select item_key, value from ${schema}.engine_items where kind = 'state' and scope = 'effects' and item_key <> 'held'`,
    )
    const count = new Map(effects.rows.map((e) => [e.item_key, JSON.parse(e.value).n as number]))
    const succeeded = await c.query<{ input: string; node_id: string }>(
      `select input, node_id from ${schema}.runs where status = 'succeeded' and element_id = $1`,
      [work],
    )
    for (const r of succeeded.rows) expect(count.get(String(JSON.parse(r.input).i))).toBe(1)
    for (const n of count.values()) expect(n).toBe(1)
    // The survivor ran part of what was submitted to the killed node.
    const byNode = new Set(succeeded.rows.map((r) => r.node_id))
    expect(byNode.size).toBe(2)
    // And it still answers what was asked of either node.
    const last = await call(b, 'GET', `/api/v1/runs/${ids[199]}`)
    expect(TERMINAL).toContain(last.body.status)
  }, 180_000)
})

// Keep temp dirs of killed nodes from piling up when a test fails before stopping them.
afterAll(() => {
  for (const n of nodes) rmSync(n.dir, { recursive: true, force: true })
})
