// Automations on two nodes sharing one database (one SQLite data dir, or one PostgreSQL schema)
// and one manual clock: both nodes see every cron tick, and each tick starts exactly one run.
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { afterAll, describe, expect, it } from 'vitest'
import { storageKinds, testDatabaseUrl } from '../../../test/test-server.ts'
import { parseConfig } from '../../config.ts'
import { ManualClock } from '../../engine/engine-test-kit.ts'
import { type Platform, startPlatform } from '../../main.ts'
import { createPostgresStorage, dropPostgresSchema } from '../../storage/postgres.ts'
import type { WorkflowRuntime } from './workflow-runtime.ts'

const T0 = Math.ceil(Date.now() / 3_600_000) * 3_600_000
const MINUTE = 60_000
const CRON = `document: { dsl: '1.0.0', namespace: acme, name: nightly, version: '1.0.0' }
schedule:
  cron: '* * * * *'
do:
  - mark: { set: { ok: true } }
`

describe.each(storageKinds())('automations on two nodes (%s)', (kind) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'periodic-auto-nodes-'))
  const schema = `t_auto_${randomBytes(5).toString('hex')}`
  const nodes: Platform[] = []
  const clock = new ManualClock(T0)

  const startNode = async () => {
    const config = parseConfig(['--port', '0', '--data-dir', dataDir], {
      PERIODIC_PYTHON_WARM_SANDBOXES: '0',
    })
    const url = testDatabaseUrl()
    const storage =
      kind === 'postgres' && url ? await createPostgresStorage({ url, schema, maxConnections: 4 }) : undefined
    const node = await startPlatform(config, {
      logger: pino({ level: 'silent' }),
      engineClock: clock,
      ...(storage ? { storage } : {}),
    })
    nodes.push(node)
    return node
  }
  const api = async (node: Platform, method: string, path: string, body?: unknown) => {
    const res = await fetch(node.url + path, {
      method,
      headers: {
        authorization: `Bearer ${node.adminKey}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    return { status: res.status, body: await res.json() }
  }
  const scheduler = (node: Platform) =>
    (node.elements.registry.runtimeOf('workflow') as WorkflowRuntime).automations.scheduler

  afterAll(async () => {
    for (const n of nodes.reverse()) await n.close()
    const url = testDatabaseUrl()
    if (kind === 'postgres' && url) await dropPostgresSchema(url, schema)
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('starts one run per cron tick though both nodes hold the schedule', async () => {
    // One after the other: the first start runs the migrations.
    const a = await startNode()
    const b = await startNode()
    expect((await api(a, 'POST', '/api', { element_type: 'circle', slug: 'acme' })).status).toBe(201)
    const created = await api(a, 'POST', '/api/acme', {
      element_type: 'workflow',
      slug: 'nightly',
      spec: { definition: CRON },
    })
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    // A sync on each node arms its timer now (else B would on its next reload).
    for (const n of [a, b]) {
      const s = await api(n, 'POST', '/api/v1/automations/acme%2Fnightly/sync')
      expect(s.status, JSON.stringify(s.body)).toBe(200)
      expect(s.body.automation).toMatchObject({ kind: 'cron', state: 'active' })
    }
    const before = [a, b].map((n) => ({ ...scheduler(n).stats }))
    for (let i = 0; i < 3; i++) {
      clock.advance(MINUTE)
      await Promise.all([a, b].map((n) => scheduler(n).idle()))
    }
    const seen = [a, b].map((n, i) => scheduler(n).stats.attempts - before[i]!.attempts)
    const started = [a, b].map((n, i) => scheduler(n).stats.started - before[i]!.started)
    expect(seen).toEqual([3, 3])
    expect(started[0]! + started[1]!).toBe(3)
    const runs = await api(b, 'GET', '/api/v1/runs?target=acme/nightly&trigger=automation')
    expect(runs.body.runs).toHaveLength(3)
    const ticks = new Set<string>()
    for (const r of runs.body.runs) {
      const run = await api(a, 'GET', `/api/v1/runs/${r.id}?expand=debug&wait=30`)
      expect(run.body.status).toBe('succeeded')
      ticks.add(run.body.debug.trigger_info.tick)
    }
    expect([...ticks].sort()).toEqual([1, 2, 3].map((i) => new Date(T0 + i * MINUTE).toISOString()))
  }, 120_000)
})
