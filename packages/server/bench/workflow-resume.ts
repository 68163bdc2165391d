// Resume after a restart, for the workflow benchmark: a real `periodic serve` process starts N
// runs of a workflow that waits an hour (and a few that wait WAKE_S seconds), is killed with -9
// once every run waits (its `wait` step recorded with its wake time), and a new server starts on
// the same data dir — in this process, so the clock starts at startPlatform() and the runs are
// watched without HTTP lag (the machine's process start is left out; it is printed apart).
// "Resumed": the run is `running` again on the new node in attempt 2 (taken over, its steps
// replayed, waiting on its timer again), as the runs API shows it. The short waits check the
// other direction: they end at the wake time recorded before the kill.
import { randomBytes } from 'node:crypto'
import { rmSync } from 'node:fs'
import { pino } from 'pino'
import { parseConfig } from '../src/config.ts'
import { type Platform, startPlatform } from '../src/main.ts'
import { callNode, killServeProcess, type ServeProcess, startServeProcess } from '../test/serve-process.ts'

const ADMIN = `admin-${randomBytes(12).toString('hex')}`
const WAKE_S = 20
const SHORT_RUNS = 20
const HEAD = `document: { dsl: '1.0.0', namespace: bench, name: NAME, version: '1.0.0' }\n`
const WAITER = `${HEAD.replace('NAME', 'waiter')}do:
  - mark: { set: { marked: true } }
  - nap: { wait: { hours: 1 } }
`
const SHORT = `${HEAD.replace('NAME', 'short')}do:
  - mark: { set: { marked: true } }
  - nap: { wait: { seconds: ${WAKE_S} } }
`

type Run = { id: string; status: string; attempts: number; completed_at: string | null }

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 300_000): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const v = await fn()
    if (v !== undefined) return v
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** Every run of `slug` the runs API lists as `status` (pages of 200). */
async function listRuns(n: ServeProcess, slug: string, status: string): Promise<Run[]> {
  const out: Run[] = []
  for (let cursor = ''; ; ) {
    const r = await callNode(
      n,
      ADMIN,
      'GET',
      `/api/v1/runs?target=bench/${slug}&status=${status}&limit=200${cursor ? `&cursor=${cursor}` : ''}`,
    )
    if (r.status !== 200) throw new Error(`list runs: ${r.status} ${JSON.stringify(r.body)}`)
    out.push(...(r.body.runs as Run[]))
    if (!r.body.next_cursor) return out
    cursor = r.body.next_cursor
  }
}

async function startRuns(n: ServeProcess, slug: string, count: number, concurrency = 16): Promise<string[]> {
  const ids: string[] = []
  let next = 0
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next++
        const r = await callNode(n, ADMIN, 'POST', `/api/bench/${slug}/ops/invoke`, {})
        if (r.status !== 201) throw new Error(`invoke ${slug}: ${r.status} ${JSON.stringify(r.body)}`)
        ids.push(r.body.id)
      }
    }),
  )
  return ids
}

/** The wake time a run's `nap` step recorded, once it has. */
async function wakeAt(n: ServeProcess, slug: string, id: string): Promise<string | undefined> {
  const r = await callNode(n, ADMIN, 'GET', `/api/bench/${slug}/ops/runs/${id}/steps`)
  const nap = (r.body.steps ?? []).find((s: { name: string }) => s.name === 'nap')
  return nap?.wake_at ?? undefined
}

export async function benchResume(total: number, env: Record<string, string> = {}): Promise<string> {
  const nodeEnv = { PERIODIC_ADMIN_KEY: ADMIN, PERIODIC_SANDBOX: 'process', PERIODIC_RATE_LIMIT: '0', ...env }
  const ta = performance.now()
  const a = await startServeProcess(nodeEnv)
  const firstStartMs = performance.now() - ta
  let b: Platform | undefined
  try {
    await callNode(a, ADMIN, 'POST', '/api', { element_type: 'circle', slug: 'bench' })
    for (const [slug, definition] of [
      ['waiter', WAITER],
      ['short', SHORT],
    ] as const) {
      const r = await callNode(a, ADMIN, 'POST', '/api/bench', {
        element_type: 'workflow',
        slug,
        spec: { definition },
      })
      if (r.status !== 201) throw new Error(`create ${slug}: ${JSON.stringify(r.body)}`)
    }
    const ts = performance.now()
    const ids = await startRuns(a, 'waiter', total)
    const shortIds = await startRuns(a, 'short', SHORT_RUNS, 4)
    const startMs = performance.now() - ts
    // Every run waiting, its wait step (with the wake time) stored.
    await until('all runs waiting', async () =>
      (await listRuns(a, 'waiter', 'running')).length === total ? true : undefined,
    )
    const sample = [...ids.slice(-20).map((id) => ['waiter', id]), ...shortIds.map((id) => ['short', id])]
    for (const [slug, id] of sample) await until(`the wait step of ${id}`, () => wakeAt(a, slug!, id!))
    const waitingMs = performance.now() - ts
    const wakes = new Map<string, string>()
    for (const id of shortIds) wakes.set(id, (await wakeAt(a, 'short', id))!)

    await killServeProcess(a)
    // The same data dir, in this process: from startPlatform() to every run resumed.
    const config = parseConfig(['--port', '0', '--data-dir', a.dir], nodeEnv)
    const c0 = process.cpuUsage()
    const t0 = performance.now()
    b = await startPlatform(config, { logger: pino({ level: 'silent' }) })
    const servingMs = performance.now() - t0
    const node = { url: b.url } as ServeProcess
    await until('all runs resumed', async () => {
      const resumed = (await listRuns(node, 'waiter', 'running')).filter((r) => r.attempts >= 2).length
      return resumed === total ? true : undefined
    })
    const resumedMs = performance.now() - t0
    const cpu = process.cpuUsage(c0)
    // The short waits end at the wake time recorded before the kill, not WAKE_S after the restart.
    const late: number[] = []
    for (const id of shortIds) {
      const run = await until(`short run ${id} ends`, async () => {
        const r = await callNode(node, ADMIN, 'GET', `/api/v1/runs/${id}`)
        return r.body.status === 'succeeded' || r.body.status === 'failed' ? (r.body as Run) : undefined
      })
      if (run.status !== 'succeeded') throw new Error(`short run ${id} ${run.status}`)
      late.push(Date.parse(run.completed_at!) - Date.parse(wakes.get(id)!))
    }
    late.sort((x, y) => x - y)
    const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`
    return `  resume after kill -9, ${total} waiting runs (SQLite; killed: a serve process; restarted: in this process)
    ${total} runs started over HTTP in ${sec(startMs)}, all waiting after ${sec(waitingMs)}
    process start, empty data dir       ${sec(firstStartMs)} (the machine's floor, not counted below)
    restart -> serving                  ${sec(servingMs)} (startPlatform: takeover of the ${total + SHORT_RUNS} runs included)
    restart -> all ${total} resumed        ${sec(resumedMs)}, ${sec((cpu.user + cpu.system) / 1000)} CPU
    ${SHORT_RUNS} ${WAKE_S} s waits across the restart ended ${late[0]} .. ${late[late.length - 1]} ms after their recorded wake time`
  } finally {
    await killServeProcess(a)
    await b?.close()
    rmSync(a.dir, { recursive: true, force: true })
  }
}
