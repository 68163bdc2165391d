// The statements a node runs again and again — every run-queue tick, every run of the hot path,
// the run list's indexed filters — must find their rows through an index: `runs` and `run_logs` grow with every run ever kept,
// and a scan of them on the main thread is paid on each tick, whatever the load. SQLite's own
// planner says which plan it chose (EXPLAIN QUERY PLAN); a plain `SCAN runs` fails the test.
// (The cancel poll once compared `status in (?, ?)`: bound parameters cannot satisfy a partial
// index's condition, so it scanned every run each tick.)
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, expect, it, vi } from 'vitest'
import { circle, element, run } from './contract-fixtures.ts'
import { createSqliteStorage } from './sqlite.ts'

const dir = mkdtempSync(join(tmpdir(), 'periodic-plans-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const GROWING = ['runs', 'run_logs']

it('the run queue, the run hot path and the run list never scan the runs or their logs', async () => {
  const file = join(dir, 'periodic.db')
  const prepared = new Set<string>()
  const prepare = Database.prototype.prepare
  const spy = vi.spyOn(Database.prototype, 'prepare').mockImplementation(function (
    this: Database.Database,
    source,
  ) {
    prepared.add(source)
    return prepare.call(this, source)
  })
  const storage = createSqliteStorage(file)
  await storage.migrate()
  const c = circle('plans')
  const el = element({ circle_id: c.id, element_type: 'python' })
  await storage.insertElement(c)
  await storage.insertElement(el)
  prepared.clear()

  // What the queue's tick and the hot path run (run-queue.ts, run-writer.ts, run-service.ts).
  const node = { id: 'node-a', machine: 'm', pid: 1 }
  const queued = run(el, { node_id: null })
  const mine = run(el)
  await storage.insertRun(queued)
  await storage.insertRun(mine)
  await storage.heartbeatNode(node, new Date().toISOString())
  await storage.listCancelRequests(node.id)
  await storage.listLostRuns(node.id, new Date().toISOString(), 50)
  await storage.listQueuedElements(10)
  await storage.claimQueuedRuns(node.id, el.id, 10)
  await storage.moveRunClaim(mine.id, node.id, { node_id: 'node-b' })
  await storage.requestRunCancel(mine.id, new Date().toISOString())
  await storage.updateRun(mine.id, { status: 'succeeded' }, 'node-b')
  await storage.getRun(mine.id)
  await storage.listRunLogs(mine.id)
  await storage.countActiveRuns(el.id)
  // The run list's filters on an index of their own (batch and example ids: partial indexes).
  for (const q of [{ elementId: el.id }, { circleId: c.id }, { batchId: 'b1' }, { exampleId: 'x1' }])
    await storage.listRuns({ ...q, limit: 10 })
  const waited = run(el, { status: 'succeeded' })
  storage.writeRunsNow?.([{ id: waited.id, insert: waited, logs: [] }])
  spy.mockRestore()
  await storage.close()

  const db = new Database(file, { readonly: true })
  const scans: string[] = []
  for (const source of prepared) {
    if (!/^\s*(select|update|delete|insert|with)/i.test(source)) continue
    const params = (source.match(/\?/g) ?? []).map(() => null)
    const plan = db.prepare(`explain query plan ${source}`).all(...params) as Array<{ detail: string }>
    for (const { detail } of plan)
      if (GROWING.some((t) => new RegExp(`^SCAN ${t}$`).test(detail))) scans.push(`${detail}: ${source}`)
  }
  db.close()
  expect(prepared.size).toBeGreaterThan(8)
  expect(scans).toEqual([])
})
