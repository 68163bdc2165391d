// Benchmark of the workflow element against the issue's anchors, on SQLite: orchestration
// overhead per task (a 100-task sequence of `set`, through HTTP and in-process), a `for` over
// 10,000 items, 20 `call: periodic` steps to a warm Python element against 20 direct invokes,
// and resume after `kill -9` with 1,000 waiting runs (workflow-resume.ts, a real process).
// Run: npm run bench:workflows [-- --postgres --skip-resume --resume-runs N]. Prints figures; asserts nothing.
import { loadavg } from 'node:os'
import { createPostgresStorage, dropPostgresSchema } from '../src/storage/postgres.ts'
import { parseDefinition } from '../src/workflows/definition.ts'
import { WorkflowInterpreter } from '../src/workflows/interpreter.ts'
import { startBenchPlatform } from './bench-platform.ts'
import { MemoryHost } from './workflow-memory-host.ts'
import { benchResume } from './workflow-resume.ts'

const HEAD = `document: { dsl: '1.0.0', namespace: bench, name: NAME, version: '1.0.0' }\n`
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const f = (n: number, d = 2) => n.toFixed(d)
const arg = (name: string) => {
  const i = process.argv.indexOf(name)
  return i < 0 ? undefined : process.argv[i + 1]
}

/** `n` set tasks, each evaluating one expression on the previous task's output. */
function setSequence(n: number): string {
  const tasks = Array.from({ length: n }, (_, i) => `  - s${i}: { set: { n: '\${ (.n // 0) + 1 }' } }`)
  return `${HEAD.replace('NAME', `seq${n}`)}do:\n${tasks.join('\n')}\n`
}

const FOR_10K = `${HEAD.replace('NAME', 'loop')}do:
  - each:
      for: { each: x, in: '\${ .items }' }
      do:
        - add: { set: { sum: '\${ (.sum // 0) + $x }' } }
`

function calls(n: number): string {
  const tasks = Array.from(
    { length: n },
    (_, i) => `  - c${i}: { call: periodic, with: { target: bench/echo, input: { n: ${i} } } }`,
  )
  return `${HEAD.replace('NAME', 'calls')}do:\n${tasks.join('\n')}\n`
}

async function interpreterAlone(text: string, input: object, repeat: number): Promise<number[]> {
  const doc = parseDefinition(text)
  const ms: number[] = []
  for (let i = 0; i < repeat; i++) {
    const t = performance.now()
    await new WorkflowInterpreter(doc, new MemoryHost()).run(input as never)
    ms.push(performance.now() - t)
  }
  return ms
}

async function main(kind: 'sqlite' | 'postgres') {
  const url = process.env['PERIODIC_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test'
  const schema = `bench_wf_${process.pid}`
  const storage = kind === 'postgres' ? await createPostgresStorage({ url, schema }) : undefined
  const bench = await startBenchPlatform('wfbench', { PERIODIC_RATE_LIMIT: '0' }, { storage })
  const { api } = bench
  const workflow = async (slug: string, definition: string) => {
    const r = await api('POST', '/api/bench', { element_type: 'workflow', slug, spec: { definition } })
    if (!r['id']) throw new Error(`create ${slug}: ${JSON.stringify(r)}`)
  }
  /** Wall time of one run, started through HTTP and waited for. */
  const cpuMs: Record<string, number[]> = {}
  const timed = async (slug: string, input: object = {}) => {
    const t = performance.now()
    const c = process.cpuUsage()
    const r = await api('POST', `/api/bench/${slug}/ops/invoke?wait_for_completion=120`, input)
    const ms = performance.now() - t
    const u = process.cpuUsage(c)
    cpuMs[slug] = [...(cpuMs[slug] ?? []), (u.user + u.system) / 1000]
    if (r['status'] !== 'succeeded') throw new Error(`${slug}: ${JSON.stringify(r).slice(0, 400)}`)
    return ms
  }

  await api('POST', '/api', { element_type: 'circle', slug: 'bench' })
  await workflow('seq1', setSequence(1))
  await workflow('seq100', setSequence(100))
  await workflow('loop', FOR_10K)
  await workflow('calls', calls(20))
  await api('POST', '/api/bench', {
    element_type: 'python',
    slug: 'echo',
    spec: { source: { type: 'inline', code: 'def handler(i):\n    return i' } },
  })

  // 1. A 100-task sequence of set: wall time over HTTP, the same with one task (the per-run
  // floor), and the interpreter alone over an in-memory host.
  for (let i = 0; i < 10; i++) await timed('seq100')
  const seq1: number[] = []
  const seq100: number[] = []
  for (let i = 0; i < 30; i++) {
    seq1.push(await timed('seq1'))
    seq100.push(await timed('seq100'))
  }
  await interpreterAlone(setSequence(100), {}, 20)
  const alone100 = await interpreterAlone(setSequence(100), {}, 50)

  // 2. A for over 10,000 items of set.
  const items = { items: Array.from({ length: 10_000 }, (_, i) => i) }
  const loop: number[] = []
  for (let i = 0; i < 3; i++) loop.push(await timed('loop', items))
  const loopAlone = await interpreterAlone(FOR_10K, items, 3)

  // 3. 20 call: periodic to a warm python element against 20 direct invokes (each over HTTP).
  for (let i = 0; i < 200; i++)
    await api('POST', '/api/bench/echo/ops/invoke?wait_for_completion=30', { n: i })
  for (let i = 0; i < 5; i++) await timed('calls')
  const direct: number[] = []
  const viaWorkflow: number[] = []
  for (let i = 0; i < 20; i++) {
    const t = performance.now()
    for (let k = 0; k < 20; k++) {
      const r = await api('POST', '/api/bench/echo/ops/invoke?wait_for_completion=30', { n: k })
      if (r['status'] !== 'succeeded') throw new Error(`echo: ${JSON.stringify(r)}`)
    }
    direct.push(performance.now() - t)
    viaWorkflow.push(await timed('calls'))
  }
  await bench.close()
  if (kind === 'postgres') await dropPostgresSchema(url, schema)

  const perTask = median(seq100) / 100
  const marginal = (median(seq100) - median(seq1)) / 99
  const overhead = (100 * (median(viaWorkflow) - median(direct))) / median(direct)
  console.log(`
workflow element benchmark (${kind === 'sqlite' ? 'SQLite' : 'PostgreSQL'}, Node ${process.version}, load ${loadAvg()})
  100 x set, run over HTTP          ${f(median(seq100))} ms per run, ${f(perTask, 3)} ms per task (median of ${seq100.length}; ${f(median(cpuMs['seq100']!.slice(-30)))} ms CPU)   anchor < 1 ms/task (Windmill: tens of ms per step)
    per task beyond the first       ${f(marginal, 3)} ms (1-task run: ${f(median(seq1))} ms)
    interpreter alone (memory host) ${f(median(alone100))} ms per run, ${f(median(alone100) / 100, 3)} ms per task
  for over 10,000 items of set      ${f(median(loop) / 1000)} s per run (median of ${loop.length}; ${f(median(cpuMs['loop']!.slice(-3)) / 1000)} s CPU)   anchor < 2 s
    interpreter alone (memory host) ${f(median(loopAlone) / 1000)} s
  20 x call: periodic (warm python) ${f(median(viaWorkflow))} ms per run
    20 direct invokes over HTTP     ${f(median(direct))} ms   overhead ${f(overhead, 1)} %   anchor < 20 %`)
}

function loadAvg(): string {
  return loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')
}

await main('sqlite')
if (process.argv.includes('--postgres')) await main('postgres')
if (!process.argv.includes('--skip-resume'))
  console.log(await benchResume(Number(arg('--resume-runs') ?? 1000)))
// The restarted server's hour-long wait timers outlive its close() (see notes): end here.
process.exit(0)
