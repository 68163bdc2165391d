import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { circle, element, run } from '../src/storage/contract-fixtures.ts'
import { createSqliteStorage } from '../src/storage/sqlite.ts'
import { uuidv7 } from '../src/uuid.ts'

const dir = mkdtempSync(join(tmpdir(), 'periodic-mb-'))
const storage = createSqliteStorage(join(dir, 'periodic.db'))
await storage.migrate()
const c = circle('mb')
const el = element({ circle_id: c.id, element_type: 'python' })
await storage.insertElement(c)
await storage.insertElement(el)
const mk = () => {
  const r = run(el, {
    id: uuidv7(),
    status: 'succeeded',
    node_id: 'n',
    created_at: new Date().toISOString(),
    completed_at: new Date().toISOString(),
    output: { n: 1 },
  })
  return { id: r.id, insert: r, logs: [] }
}
for (let i = 0; i < 20000; i++) storage.writeRunsNow!([mk()])
for (const size of [1, 2, 4, 8, 1, 2, 4, 8]) {
  const n = 4000 / size
  const batches = Array.from({ length: n }, () => Array.from({ length: size }, mk))
  const t = performance.now()
  for (const b of batches) storage.writeRunsNow!(b)
  const us = ((performance.now() - t) * 1000) / n
  console.log(`batch ${size}: ${us.toFixed(0)} µs/commit, ${(us / size).toFixed(0)} µs/run`)
}
await storage.close()
rmSync(dir, { recursive: true, force: true })
