// Cold start of a Python worker alone (bwrap, no dependencies), spawn to ready: a plain
// handler, and one that imports the handler SDK (`from periodic import …`). Cheap enough to run
// on a busy machine: `npx tsx packages/server/bench/python-cold-start.ts [starts]`.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PythonWorker } from '../src/python/python-worker.ts'
import { BwrapExecutor } from '../src/sandbox/bwrap.ts'
import { CgroupManager } from '../src/sandbox/cgroup.ts'

const starts = Number(process.argv[2] ?? 30)
const ex = BwrapExecutor.detect(CgroupManager.detect())
if (!ex) {
  console.log('bwrap is not available: no cold start to measure')
  process.exit(0)
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

async function measure(code: string): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'periodic-cold-'))
  // Readable by the sandbox's unprivileged uid (under root the code no longer runs as root).
  chmodSync(dir, 0o755)
  writeFileSync(join(dir, 'main.py'), code)
  const ms: number[] = []
  try {
    for (let i = 0; i < starts; i++) {
      const w = await PythonWorker.start({
        executor: ex!,
        python: '/usr/bin/python3',
        codeDir: dir,
        entry: 'main.py',
        env: {},
        handler: '',
        slug: 'cold',
        memoryMb: 128,
        maxPids: 64,
        logCapBytes: 1 << 20,
      })
      ms.push(w.coldStartMs)
      w.kill()
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  return median(ms)
}

const plain = await measure('def handler(input):\n    return input\n')
console.log(
  `cold start, plain handler          p50 ${plain.toFixed(1)} ms over ${starts} starts   (anchor: < 80 ms)`,
)
if (process.env['COLD_START_PLAIN_ONLY'] !== '1') {
  const sdk = await measure(
    'from periodic import state, stream, trigger, Logger\nlog = Logger("x")\ndef handler(input):\n    return input\n',
  )
  console.log(
    `cold start, handler importing SDK  p50 ${sdk.toFixed(1)} ms over ${starts} starts   (anchor: < 80 ms)`,
  )
}
