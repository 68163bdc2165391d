// Focused benchmark of the python element's warm invoke only (the hot path), for quick
// before/after comparisons and profiling:
//   npx tsx packages/server/bench/python-warm.ts [rounds]
//   node --import tsx --cpu-prof --cpu-prof-dir=/tmp/prof packages/server/bench/python-warm.ts
// Prints invocations/s with 16 clients and the 1-client p50 for each round; asserts nothing.
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { pino } from 'pino'
import { parseConfig } from '../src/config.ts'
import { startPlatform } from '../src/main.ts'

const rounds = Number(process.argv[2] ?? 3)
const dataDir = mkdtempSync(join(tmpdir(), 'periodic-pywarm-'))
const config = parseConfig(['--port', '0', '--data-dir', dataDir], {})
const p = await startPlatform(config, { logger: pino({ level: 'silent' }) })
const h = { authorization: `Bearer ${p.adminKey}`, 'content-type': 'application/json' }
const api = async (method: string, path: string, body?: unknown) => {
  const r = await fetch(p.url + path, {
    method,
    headers: h,
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  return r.json() as Promise<Record<string, unknown>>
}
await api('POST', '/api', { element_type: 'circle', slug: 'bench' })
await api('POST', '/api/bench', {
  element_type: 'python',
  slug: 'echo',
  spec: {
    source: { type: 'inline', code: 'def handler(i):\n    return i' },
    concurrency: { max: 2, reserved: 2 },
  },
})
const path = '/api/bench/echo/ops/invoke?wait_for_completion=30'
for (let i = 0; i < 200; i++) await api('POST', path, { n: i })

const client = join(import.meta.dirname, 'load-client.mjs')
const loadRun = async (total: number, concurrency: number) => {
  const { stdout } = await promisify(execFile)(process.execPath, [
    client,
    JSON.stringify({ url: p.url + path, method: 'POST', headers: h, body: '{"n":1}', total, concurrency }),
  ])
  return JSON.parse(stdout) as { rps: number; p50: number; p99: number; failed: number }
}
for (let r = 0; r < rounds; r++) {
  const many = await loadRun(4000, 16)
  const one = await loadRun(600, 1)
  console.log(
    `round ${r + 1}: 16 clients ${many.rps.toFixed(0)}/s (p50 ${many.p50.toFixed(2)} ms, ${many.failed} failed); 1 client p50 ${one.p50.toFixed(2)} ms`,
  )
}
await p.close()
rmSync(dataDir, { recursive: true, force: true })
