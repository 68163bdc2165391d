// Benchmark of the python element against the anchors: warm invoke over HTTP (p50,
// p99, invocations/s with 16 clients), cold start, the Windmill "lightweight" fibo(10) run,
// and a cached layer build. Run: npm run bench:python. Prints figures; asserts nothing.
import { execFileSync } from 'node:child_process'
import { chmodSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { PythonWorker } from '../src/python/python-worker.ts'
import { BwrapExecutor } from '../src/sandbox/bwrap.ts'
import { CgroupManager } from '../src/sandbox/cgroup.ts'
import { type LoadStats, startBenchPlatform } from './bench-platform.ts'
import { makeWheel } from './make-wheel.ts'
import { pipeRoundTripMs } from './pipe-floor.ts'

const wheels = mkdtempSync(join(tmpdir(), 'periodic-wheels-'))
// Readable by the sandbox's unprivileged uid (mkdtemp makes it 0700).
chmodSync(wheels, 0o755)
makeWheel(wheels, 'periodic_benchpkg', '1.0', 'VALUE = 1\n')
const bench = await startBenchPlatform('pybench', {
  PERIODIC_PIP_FIND_LINKS: wheels,
})
const { dataDir, config, api } = bench
const inline = (code: string, extra: object = {}) => ({ source: { type: 'inline', code }, ...extra })
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

await api('POST', '/api', { element_type: 'circle', slug: 'bench' })
await api('POST', '/api/bench', {
  element_type: 'python',
  slug: 'echo',
  spec: inline('def handler(i):\n    return i', { concurrency: { max: 2, reserved: 2 } }),
})
await api('POST', '/api/bench', {
  element_type: 'python',
  slug: 'fibo',
  spec: inline(
    'def fibo(n):\n    return n if n < 2 else fibo(n-1) + fibo(n-2)\ndef handler(i):\n    return {"result": fibo(10)}',
  ),
})

// Warm invoke: warm up, then clients in a separate process (so they do not share the
// server's event loop): 16 concurrent for throughput, 1 for what a single caller sees.
for (let i = 0; i < 200; i++) await api('POST', '/api/bench/echo/ops/invoke?wait_for_completion=30', { n: i })
const loadRun = (total: number, concurrency: number, path = invokePath): Promise<LoadStats> =>
  path === invokePath ? bench.load(path, total, concurrency, '{"n":1}') : bench.load(path, total, concurrency)
const invokePath = '/api/bench/echo/ops/invoke?wait_for_completion=30'
/** Load with the server's main-thread time per request (event-loop utilisation). */
const withMain = async (total: number, concurrency: number, path = invokePath) => {
  const e0 = performance.eventLoopUtilization()
  const stats = await loadRun(total, concurrency, path)
  return { ...stats, mainUs: (performance.eventLoopUtilization(e0).active * 1000) / total }
}
await loadRun(3000, 16) // the JIT warms up on the path itself
const load = await withMain(5000, 16)
const single = await withMain(1000, 1)
// The same client against GET /healthz: the HTTP ceiling of this server on this machine.
const ceiling = await withMain(5000, 16, '/healthz')

const pipeMs = await pipeRoundTripMs(config.python.interpreter)

// Cold start: a new worker (bwrap, no dependencies) from spawn to ready; and what a cold element
// waits for when a pre-started sandbox (warm-sandboxes.ts) is ready: loading its code.
const cg = CgroupManager.detect()
const ex = BwrapExecutor.detect(cg)
const codeDir = join(dataDir, 'code')
const cold: number[] = []
const warmCold: number[] = []
if (ex) {
  const el = (await api('GET', '/api/bench/echo')) as { id: string }
  const dir = execFileSync('sh', ['-c', `ls -d ${codeDir}/${el.id}/* | head -1`])
    .toString()
    .trim()
  for (let i = 0; i < 20; i++) {
    const w = await PythonWorker.start({
      executor: ex,
      python: config.python.interpreter,
      codeDir: dir,
      entry: 'main.py',
      env: {},
      handler: '',
      slug: 'echo',
      memoryMb: 128,
      maxPids: 64,
      logCapBytes: 1 << 20,
    })
    cold.push(w.coldStartMs)
    w.kill()
  }
  const workers = join(dataDir, 'workers-bench')
  for (let i = 0; i < 20; i++) {
    const cfg = {
      executor: ex,
      python: config.python.interpreter,
      codeDir: dir,
      entry: 'main.py',
      env: {},
      handler: '',
      slug: 'echo',
      memoryMb: 128,
      maxPids: 64,
      logCapBytes: 1 << 20,
      filesRoot: workers,
    }
    const generic = await PythonWorker.startGeneric(cfg)
    const w = await generic.load(cfg)
    warmCold.push(w.coldStartMs)
    w.kill()
  }
}

// Windmill "lightweight": 500 sequential fibo(10) invocations, from the load client (one
// at a time, in its own process like every other figure here).
const fiboPath = '/api/bench/fibo/ops/invoke?wait_for_completion=30'
await bench.load(fiboPath, 50, 1, '{}')
const fibo = await bench.load(fiboPath, 500, 1, '{}')
const fiboS = 500 / fibo.rps

// Layers: first build, then the cached second build.
await api('POST', '/api/bench', {
  element_type: 'python',
  slug: 'dep',
  spec: inline('import periodic_benchpkg\ndef handler(i):\n    return periodic_benchpkg.VALUE', {
    source: {
      type: 'inline',
      code: 'import periodic_benchpkg\ndef handler(i):\n    return periodic_benchpkg.VALUE',
      requirements: ['periodic_benchpkg==1.0'],
    },
  }),
})
const b1 = performance.now()
const first = await api('POST', '/api/bench/dep/ops/build', { wait_for_completion: 120 })
const firstMs = performance.now() - b1
const second: number[] = []
for (let i = 0; i < 20; i++) {
  const t = performance.now()
  await api('POST', '/api/bench/dep/ops/build', {})
  second.push(performance.now() - t)
}

// Cold start with a cached dependency layer: a fresh sandbox with the layer mounted, and one
// pre-started with it (warm-sandbox-sets.ts) that only loads the code.
const layerCold: number[] = []
const layerWarm: number[] = []
if (ex && first['status'] === 'succeeded') {
  // Its first run puts its code in place.
  await api('POST', '/api/bench/dep/ops/invoke?wait_for_completion=60', {})
  const dep = (await api('GET', '/api/bench/dep')) as { id: string }
  const dir = execFileSync('sh', ['-c', `ls -d ${codeDir}/${dep.id}/* | head -1`])
    .toString()
    .trim()
  const cfg = {
    executor: ex,
    python: config.python.interpreter,
    codeDir: dir,
    entry: 'main.py',
    layerDir: join(dataDir, 'layers', String(first['layer_key'])),
    env: {},
    handler: '',
    slug: 'dep',
    memoryMb: 128,
    maxPids: 64,
    logCapBytes: 1 << 20,
    filesRoot: join(dataDir, 'workers-bench'),
  }
  for (let i = 0; i < 20; i++) {
    const w = await PythonWorker.start(cfg)
    layerCold.push(w.coldStartMs)
    w.kill()
    const generic = await PythonWorker.startGeneric(cfg)
    const loaded = await generic.load(cfg)
    layerWarm.push(loaded.coldStartMs)
    loaded.kill()
  }
}

await bench.close()
cg?.close()
rmSync(wheels, { recursive: true, force: true })

const f = (n: number) => n.toFixed(2)
const pct = ((100 * load.rps) / ceiling.rps).toFixed(0)
console.log(`
python element benchmark (2 cores; executor ${ex ? 'bwrap' : 'none'})
  HTTP floor, GET /healthz       ${ceiling.rps.toFixed(0)} requests/s with the same 16 clients (main thread ${ceiling.mainUs.toFixed(0)} µs per request)
  pipe floor, Node <-> Python    p50 ${f(pipeMs)} ms per JSON line round trip
  warm invoke, 16 clients        ${load.rps.toFixed(0)} invocations/s (${pct} % of /healthz), p50 ${f(load.p50)} ms, p99 ${f(load.p99)} ms, ${load.failed} failed, main thread ${load.mainUs.toFixed(0)} µs per invocation   (goal: > 3000/s)
  warm invoke, 1 client          p50 ${f(single.p50)} ms, p99 ${f(single.p99)} ms, main thread ${single.mainUs.toFixed(0)} µs per invocation   (goal: p50 < 0.5 ms)
  cold start, fresh sandbox      p50 ${cold.length ? f(median(cold)) : 'n/a'} ms over ${cold.length} starts (bwrap, no deps)
  cold start, warm sandbox       p50 ${warmCold.length ? f(median(warmCold)) : 'n/a'} ms over ${warmCold.length} loads   (goal: < 15 ms)
  cold start, dependency layer   p50 ${layerCold.length ? f(median(layerCold)) : 'n/a'} ms fresh, p50 ${layerWarm.length ? f(median(layerWarm)) : 'n/a'} ms in a sandbox pre-started with the layer   (goal: < 25 ms)
  500 x fibo(10), sequential     ${f(fiboS)} s   (goal: < 0.3 s; Lambda 36.6 s, Windmill 55.4 s, dedicated 26.8 s)
  layer build, first             ${f(firstMs)} ms (status ${String(first['status'])})
  layer build, cached second     p50 ${f(median(second))} ms   (anchor: < 50 ms)
`)
