// Focused benchmark of the python element's warm invoke only (the hot path), for quick
// before/after comparisons and profiling:
//   npx tsx packages/server/bench/python-warm.ts [rounds]
//   npx tsx packages/server/bench/python-warm.ts 2 --profile /tmp/warm.cpuprofile
//   npx tsx packages/server/bench/python-warm.ts 2 --heap-profile /tmp/warm.heapprofile
// (--profile records the server's steady state only, after start-up and warm-up; --heap-profile
// samples what it allocates, for the garbage each invocation leaves to the collector.)
// Per round: invocations/s with 16 clients and the 1-client p50, each with the server's main
// thread time per invocation (event-loop utilisation: on one thread, what bounds throughput and
// most of a lone caller's latency) and the process's CPU per invocation. Asserts nothing.
// WORKERS=n sets the element's concurrency (default 2, one per core).
import { writeFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'
import { performance } from 'node:perf_hooks'
import { startBenchPlatform } from './bench-platform.ts'

const rounds = Number(process.argv[2] ?? 3)
const profileAt = process.argv.indexOf('--profile')
const profileFile = profileAt > 0 ? process.argv[profileAt + 1] : undefined
const heapAt = process.argv.indexOf('--heap-profile')
const heapFile = heapAt > 0 ? process.argv[heapAt + 1] : undefined
const workers = Number(process.env['WORKERS'] ?? 2)
const { api, load, close } = await startBenchPlatform('pywarm')
await api('POST', '/api', { element_type: 'circle', slug: 'bench' })
await api('POST', '/api/bench', {
  element_type: 'python',
  slug: 'echo',
  spec: {
    source: { type: 'inline', code: 'def handler(i):\n    return i' },
    concurrency: { max: workers, reserved: workers },
  },
})
const path = '/api/bench/echo/ops/invoke?wait_for_completion=30'
for (let i = 0; i < 200; i++) await api('POST', path, { n: i })
// Warm the JIT on the path itself before anything is counted.
await load(path, 3000, 16, '{"n":1}')

/** `n` invocations from `clients` clients, with the server's time per invocation. */
const measure = async (n: number, clients: number) => {
  const elu0 = performance.eventLoopUtilization()
  const c0 = process.cpuUsage()
  const stats = await load(path, n, clients, '{"n":1}')
  const c = process.cpuUsage(c0)
  const elu = performance.eventLoopUtilization(elu0)
  return { stats, mainUs: (elu.active * 1000) / n, cpuUs: (c.user + c.system) / n }
}
const session = profileFile || heapFile ? new Session() : undefined
if (session) session.connect()
if (session && profileFile) {
  await session.post('Profiler.enable')
  await session.post('Profiler.start')
}
if (session && heapFile) {
  await session.post('HeapProfiler.enable')
  // Every ~8 KB allocated, unreclaimed or not: what the invocations allocate, not what they keep.
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 8192,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  })
}
for (let r = 0; r < rounds; r++) {
  const many = await measure(4000, 16)
  const one = await measure(1000, 1)
  const f = (x: number) => x.toFixed(0)
  console.log(
    `round ${r + 1}: 16 clients ${f(many.stats.rps)}/s (p50 ${many.stats.p50.toFixed(2)} ms, ${many.stats.failed} failed; main thread ${f(many.mainUs)} µs, CPU ${f(many.cpuUs)} µs per invocation); ` +
      `1 client p50 ${one.stats.p50.toFixed(2)} ms, p90 ${one.stats.p90.toFixed(2)}, p99 ${one.stats.p99.toFixed(2)}, max ${one.stats.max.toFixed(1)}, mean ${one.stats.mean.toFixed(2)} ms (main thread ${f(one.mainUs)} µs, CPU ${f(one.cpuUs)} µs)`,
  )
}
if (session && profileFile) {
  const { profile } = await session.post('Profiler.stop')
  writeFileSync(profileFile, JSON.stringify(profile))
  console.log(`profile written to ${profileFile}`)
}
if (session && heapFile) {
  const { profile } = await session.post('HeapProfiler.stopSampling')
  writeFileSync(heapFile, JSON.stringify(profile))
  console.log(`allocation profile written to ${heapFile}`)
}
await close()
