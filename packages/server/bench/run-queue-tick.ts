// What one run-queue tick costs the main thread as runs accumulate: the statements every node
// runs each tick (heartbeat, cancel requests, lost runs, queued elements) on embedded SQLite
// holding `runs` ended runs and a few active ones. A tick's statements must not grow with the
// runs kept (see storage/sqlite-query-plans.test.ts). Asserts nothing.
//   npx tsx packages/server/bench/run-queue-tick.ts [runs kept, default 300000]
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { circle, element, run } from '../src/storage/contract-fixtures.ts'
import { createSqliteStorage } from '../src/storage/sqlite.ts'
import { uuidv7 } from '../src/uuid.ts'

const kept = Number(process.argv[2] ?? 300_000)
const dir = mkdtempSync(join(tmpdir(), 'periodic-tick-'))
const storage = createSqliteStorage(join(dir, 'periodic.db'))
await storage.migrate()
const c = circle('tick')
const el = element({ circle_id: c.id, element_type: 'python' })
await storage.insertElement(c)
await storage.insertElement(el)
const node = { id: 'node-a', machine: 'bench', pid: process.pid }
const ended = { status: 'succeeded' as const, node_id: node.id, output: { n: 1 } }
for (let i = 0; i < kept; i += 1000) {
  const batch = Array.from({ length: Math.min(1000, kept - i) }, () => run(el, { id: uuidv7(), ...ended }))
  storage.writeRunsNow?.(batch.map((r) => ({ id: r.id, insert: r, logs: [] })))
}
for (let i = 0; i < 4; i++)
  await storage.insertRun(run(el, { id: uuidv7(), status: 'running', node_id: node.id }))

const tick = async () => {
  await storage.heartbeatNode(node, new Date().toISOString())
  await storage.listCancelRequests(node.id)
  await storage.listLostRuns(node.id, new Date(Date.now() - 10_000).toISOString(), 50)
  await storage.listQueuedElements(10)
}
for (let i = 0; i < 5; i++) await tick()
const ms: number[] = []
for (let i = 0; i < 50; i++) {
  const t = performance.now()
  await tick()
  ms.push(performance.now() - t)
}
ms.sort((a, b) => a - b)
console.log(
  `run-queue tick with ${kept.toLocaleString('en')} runs kept: p50 ${ms[25]!.toFixed(3)} ms, max ${ms.at(-1)!.toFixed(3)} ms ` +
    '(every node, every tick: leaseMs/4, at most 1 s)',
)
await storage.close()
rmSync(dir, { recursive: true, force: true })
