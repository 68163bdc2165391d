// Benchmark of Source against the issue's anchors: an API update with its draft commit vs the
// same update without Git (measured in the same run, with the commit replaced by a no-op),
// `source/promote`, a stock `git clone` over HTTP of an element with 1,000 versions, and the
// export of a circle of 1,000 elements.
// Run: npm run bench:source. Prints figures; asserts nothing.
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { startBenchPlatform } from './bench-platform.ts'

const run = promisify(execFile)
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const bench = await startBenchPlatform('sourcebench')
const { api, p } = bench

await api('POST', '/api', { element_type: 'circle', slug: 'bench' })
await api('POST', '/api/bench', { element_type: 'variable', slug: 'v', spec: { value: 0 } })
await api('POST', '/api/bench', {
  element_type: 'python',
  slug: 'fn',
  spec: { source: { type: 'inline', code: 'def handler(i):\n    return i\n' } },
})

async function updates(slug: string, n: number, start: number): Promise<number> {
  const times: number[] = []
  for (let i = 0; i < n; i++) {
    const t = performance.now()
    await api('PATCH', `/api/bench/${slug}`, { spec: { value: start + i } })
    times.push(performance.now() - t)
  }
  return median(times)
}

const N = 300
await updates('v', 50, 0) // warm-up
const withGit = await updates('v', N, 100)
const source = p.elements.source
const commit = source.commit.bind(source)
source.commit = async () => 'no-git'
const withoutGit = await updates('v', N, 1000)
source.commit = commit

const promotes: number[] = []
for (let i = 0; i < 100; i++) {
  await api('PATCH', '/api/bench/fn', { spec: { timeout_ms: 10_000 + i } })
  const t = performance.now()
  await api('POST', '/api/bench/fn/ops/source/promote', { to: 'demo' })
  promotes.push(performance.now() - t)
}

// An element with 1,000 versions, cloned by stock git over smart HTTP.
await api('POST', '/api/bench', { element_type: 'variable', slug: 'long', spec: { value: 0 } })
await updates('long', 999, 1)
const dir = mkdtempSync(join(tmpdir(), 'periodic-clone-bench-'))
const url = `${p.url.replace('://', `://bench:${p.adminKey}@`)}/git/bench/long.git`
const clones: number[] = []
for (let i = 0; i < 5; i++) {
  const t = performance.now()
  await run('git', ['clone', '-q', '--branch', 'draft', url, join(dir, `c${i}`)])
  clones.push(performance.now() - t)
}
const { stdout: count } = await run('git', ['-C', join(dir, 'c0'), 'rev-list', '--count', 'draft'])
rmSync(dir, { recursive: true, force: true })

// A circle of 1,000 elements exported as one envelope of bundles.
await api('POST', '/api', { element_type: 'circle', slug: 'many' })
for (let i = 0; i < 1000; i++)
  await api('POST', '/api/many', { element_type: 'variable', slug: `e${i}`, spec: { value: i } })
const exports: number[] = []
let exported = 0
for (let i = 0; i < 3; i++) {
  const t = performance.now()
  const r = await api('GET', '/api/many/ops/export/bundle')
  exports.push(performance.now() - t)
  exported = (r as { bundles: unknown[] }).bundles.length
}

const f = (ms: number) => `${ms.toFixed(2)} ms`
console.log(`source benchmark (SQLite, Node ${process.version})`)
console.log(`  API update, with its draft commit    p50 ${f(withGit)}`)
console.log(`  API update, without Git              p50 ${f(withoutGit)}`)
console.log(`  the commit's share                   p50 ${f(withGit - withoutGit)}   (anchor: < 5 ms)`)
console.log(`  source/promote                       p50 ${f(median(promotes))}   (anchor: < 20 ms)`)
console.log(`  git clone over HTTP, ${count.trim()} commits     p50 ${f(median(clones))}   (anchor: < 1 s)`)
console.log(`  export/bundle of a circle, ${exported} elements p50 ${f(median(exports))}   (anchor: < 10 s)`)
await bench.close()
