// Benchmark of the core surface over real HTTP: start-up on an existing data dir, element GET
// and versioned update throughput/latency, on SQLite and (when configured) PostgreSQL.
// Run: npm run bench. Prints figures; asserts nothing.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { parseConfig } from '../src/config.ts'
import { startPlatform } from '../src/main.ts'
import { createPostgresStorage, dropPostgresSchema } from '../src/storage/postgres.ts'

const CONCURRENCY = 16

async function load(total: number, fn: (i: number) => Promise<void>) {
  const latencies: number[] = []
  let next = 0
  const t0 = performance.now()
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < total) {
        const i = next++
        const s = performance.now()
        await fn(i)
        latencies.push(performance.now() - s)
      }
    }),
  )
  const secs = (performance.now() - t0) / 1000
  latencies.sort((a, b) => a - b)
  const q = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!.toFixed(2)
  return `${(total / secs).toFixed(0)} req/s, p50 ${q(0.5)} ms, p99 ${q(0.99)} ms (n=${total}, concurrency ${CONCURRENCY})`
}

async function run(kind: 'sqlite' | 'postgres') {
  const dataDir = mkdtempSync(join(tmpdir(), 'periodic-bench-'))
  const url = process.env['PERIODIC_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test'
  const schema = `bench_${process.pid}`
  const config = parseConfig(['--port', '0', '--data-dir', dataDir], {})
  const logger = pino({ level: 'silent' })
  const storage = () =>
    kind === 'postgres' ? createPostgresStorage({ url, schema }) : Promise.resolve(undefined)
  // First start creates the schema; the second measures a start on an existing data dir.
  await (await startPlatform(config, { logger, storage: await storage() })).close()
  const t0 = performance.now()
  const p = await startPlatform(config, { logger, storage: await storage() })
  const startMs = performance.now() - t0
  const h = { authorization: `Bearer ${p.adminKey}`, 'content-type': 'application/json' }
  const post = (path: string, body: unknown) =>
    fetch(p.url + path, { method: 'POST', headers: h, body: JSON.stringify(body) })
  await post('/api', { element_type: 'circle', slug: 'bench' })
  await post('/api/bench', { element_type: 'variable', slug: 'v', spec: { value: 0 } })
  for (let i = 0; i < 200; i++) await fetch(`${p.url}/api/bench/v`, { headers: h }) // warm-up
  const get = await load(3000, async () => {
    const r = await fetch(`${p.url}/api/bench/v`, { headers: h })
    await r.arrayBuffer()
  })
  const update = await load(1000, async (i) => {
    const r = await fetch(`${p.url}/api/bench/v/ops/update`, {
      method: 'PATCH',
      headers: h,
      body: JSON.stringify({ spec: { value: i } }),
    })
    await r.arrayBuffer()
  })
  await p.close()
  if (kind === 'postgres') await dropPostgresSchema(url, schema)
  rmSync(dataDir, { recursive: true, force: true })
  console.log(`\n[${kind}]`)
  console.log(
    `  start on existing data (in-process)  ${startMs.toFixed(0)} ms   (anchor: well under 1000 ms)`,
  )
  console.log(`  GET element                          ${get}`)
  console.log(`  PATCH update (new version each)      ${update}`)
}

await run('sqlite')
if (process.argv.includes('--postgres') || process.env['PERIODIC_TEST_DATABASE_URL']) await run('postgres')
