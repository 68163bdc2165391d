// The `test` operation's engine: pytest over the test files stored beside the source, in the
// same sandbox and dependency layer as invocations. A test run is a run (operation `test`)
// whose output holds the counts and whose logs hold pytest's output.
import { RUNTIME_DIR } from '../../python/python-worker.ts'
import type { RunService } from '../../runs/run-service.ts'
import { drainOutput } from '../../sandbox/drain-output.ts'
import type { Executor } from '../../sandbox/executor.ts'
import type { ElementRow, RunRow } from '../../storage/storage.ts'
import type { PlatformContext, RunSource } from '../element.ts'
import type { Layer, LayerBuilder } from './layer-builder.ts'
import type { LayerMounts } from './layer-mounts.ts'
import { asRunError } from './run-error-of.ts'
import type { MaterializedSource, SourceMaterializer } from './source-materializer.ts'
import { pythonSpecOf } from './spec.ts'

const OUTPUT_CAP = 512 * 1024

/** Counts from pytest's summary line, e.g. "3 passed, 1 failed, 2 skipped in 0.12s". */
export function parsePytestSummary(output: string) {
  const counts = { passed: 0, failed: 0, errors: 0, skipped: 0 }
  const lines = output.trim().split('\n')
  const summary =
    [...lines].reverse().find((l) => /\b(passed|failed|error|errors|skipped|no tests ran)\b/.test(l)) ?? ''
  for (const m of summary.matchAll(/(\d+) (passed|failed|errors?|skipped)/g)) {
    const key = m[2]!.startsWith('error') ? 'errors' : (m[2] as 'passed' | 'failed' | 'skipped')
    counts[key] = Number(m[1])
  }
  return counts
}

export async function runTests(o: {
  executor: Executor
  runs: RunService
  python: string
  element: ElementRow
  run: RunRow
  code: MaterializedSource
  layer: Layer | undefined
  /** The python-layers' directories, after the dependency layer on sys.path (layer-mounts.ts). */
  layerPaths?: string[]
  filter?: string
}): Promise<void> {
  const spec = pythonSpecOf(o.element)
  const t0 = performance.now()
  o.runs.markRunning(o.run.id, 1)
  // -rA: the short summary names every test with its outcome (PASSED too), so clients can list them.
  const args = [
    '-m',
    'pytest',
    '-q',
    '-rA',
    '-p',
    'no:cacheprovider',
    '--color=no',
    '--rootdir',
    '/periodic/code',
  ]
  if (o.filter) args.push('-k', o.filter)
  args.push('/periodic/code')
  // The runtime's directory makes `import periodic` work in tests as in runs (its engine calls
  // raise EngineError("no_invocation") there: a test has no run to call for).
  const mounts = [
    { source: o.code.dir, target: '/periodic/code' },
    { source: RUNTIME_DIR, target: '/periodic/runtime' },
  ]
  if (o.layer) mounts.push({ source: o.layer.dir, target: o.layer.dir })
  for (const dir of o.layerPaths ?? []) mounts.push({ source: dir, target: dir })
  const sysPath = [
    ...(o.layer ? [`${o.layer.dir}/site-packages`] : []),
    ...(o.layerPaths ?? []),
    '/periodic/runtime',
  ]
  const proc = o.executor.spawn({
    argv: [o.python, ...args],
    env: {
      ...spec.environment,
      HOME: '/tmp',
      PATH: '/usr/bin:/bin',
      PYTHONDONTWRITEBYTECODE: '1',
      PYTHONPATH: sysPath.join(':'),
    },
    mounts,
    cwd: '/periodic/code',
    memoryMb: spec.memory_mb,
    maxPids: 256,
    network: 'egress',
  })
  let output = ''
  const take = (d: Buffer) => {
    if (output.length < OUTPUT_CAP) output += d.toString('utf8')
  }
  proc.stdout.on('data', take)
  proc.stderr.on('data', take)
  proc.stdin.end()
  o.runs.onCancel(o.run.id, () => proc.kill())
  const limit = Math.max(60_000, spec.timeout_ms * 10)
  const timer = setTimeout(() => proc.kill(), limit)
  const exit = await proc.exited
  clearTimeout(timer)
  await drainOutput(proc)
  const counts = parsePytestSummary(output)
  // pytest exits 0 when all passed, 1 when some failed, 5 when it collected nothing.
  const ok = exit.code === 0 || exit.code === 5
  await o.runs.finish(o.run, {
    status: ok ? 'succeeded' : 'failed',
    output: {
      ...counts,
      exit_code: exit.code,
      total: counts.passed + counts.failed + counts.errors + counts.skipped,
    },
    error: ok
      ? null
      : {
          code: exit.oomKilled ? 'PYTHON_OOM' : 'PYTHON_TEST_FAILED',
          message:
            exit.code === null ? 'the test run was stopped' : `pytest reported failures (exit ${exit.code})`,
        },
    duration_ms: performance.now() - t0,
    cold_start: true,
    memory_used_mb: proc.peakMemoryMb(),
    logs: [{ stream: 'stdout', data: output }],
    logs_truncated: output.length >= OUTPUT_CAP,
  })
}

/** Creates a `test` run of `element` and runs pytest over its stored tests; returns the run. */
export async function startTestRun(
  p: PlatformContext,
  rt: { source: SourceMaterializer; layers: LayerBuilder; layerMounts: LayerMounts },
  element: ElementRow,
  filter: string | undefined,
  source?: RunSource,
): Promise<RunRow> {
  const run = await p.runs.create({
    circle_id: element.circle_id,
    element_id: element.id,
    element_version: element.version,
    operation: 'test',
    trigger: 'api',
    input: { test_filter: filter ?? null },
    ...source,
  })
  const spec = pythonSpecOf(element)
  const go = async () => {
    const circle = await p.elements.circleSlug(element.circle_id)
    const [code, layer, mounted] = await Promise.all([
      rt.source.materialize(element, circle),
      rt.layers.ensure(rt.layers.requirementsOf(spec)),
      rt.layerMounts.mount(element, circle),
    ])
    await runTests({
      executor: p.executor!,
      runs: p.runs,
      python: p.config.python.interpreter,
      element,
      run,
      code,
      layer,
      layerPaths: mounted.paths,
      filter,
    })
  }
  void go().catch((err: unknown) =>
    p.runs.finish(run, {
      status: 'failed',
      error: asRunError(err),
      duration_ms: 0,
      cold_start: false,
      memory_used_mb: null,
      logs: [],
      logs_truncated: false,
    }),
  )
  return run
}
