// Focused benchmark of the python element's warm invoke only (the hot path), for quick
// before/after comparisons and profiling:
//   npx tsx packages/server/bench/python-warm.ts [rounds]
//   node --import tsx --cpu-prof --cpu-prof-dir=/tmp/prof packages/server/bench/python-warm.ts
// Prints invocations/s with 16 clients and the 1-client p50 for each round; asserts nothing.
import { startBenchPlatform } from './bench-platform.ts'

const rounds = Number(process.argv[2] ?? 3)
const { api, load, close } = await startBenchPlatform('pywarm')
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

const loadRun = (total: number, concurrency: number) => load(path, total, concurrency, '{"n":1}')
// The server's own CPU per invocation (the load client and the workers are other processes):
// steadier than throughput on a machine shared with other work.
const cpuUs = async (n: number, clients: number) => {
  const c0 = process.cpuUsage()
  const stats = await loadRun(n, clients)
  const c = process.cpuUsage(c0)
  return { stats, perRun: (c.user + c.system) / n }
}
for (let r = 0; r < rounds; r++) {
  const many = await cpuUs(4000, 16)
  const one = await loadRun(600, 1)
  console.log(
    `round ${r + 1}: 16 clients ${many.stats.rps.toFixed(0)}/s (p50 ${many.stats.p50.toFixed(2)} ms, ${many.stats.failed} failed, server CPU ${many.perRun.toFixed(0)} µs/invocation); 1 client p50 ${one.p50.toFixed(2)} ms`,
  )
}
await close()
