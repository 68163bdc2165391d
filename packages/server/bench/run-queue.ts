// The durable run queue on one SQLite node: async runs submitted faster than the element's
// concurrency can take them wait in the database and are claimed as workers free up. Prints
// submissions/s, runs ended/s through the queue, and the same runs when the element has room
// for all of them (nothing queued). Asserts nothing.
//   npx tsx packages/server/bench/run-queue.ts [runs]
import { startBenchPlatform } from './bench-platform.ts'

const total = Number(process.argv[2] ?? 2000)
const bench = await startBenchPlatform('runqueue')
await bench.api('POST', '/api', { element_type: 'circle', slug: 'bench' })
for (const [slug, max] of [
  ['narrow', 2],
  ['wide', 64],
] as const)
  await bench.api('POST', '/api/bench', {
    element_type: 'python',
    slug,
    spec: {
      source: { type: 'inline', code: 'def handler(i):\n    return i' },
      concurrency: { max, reserved: 2 },
    },
  })
for (let i = 0; i < 100; i++)
  await bench.api('POST', '/api/bench/narrow/ops/invoke?wait_for_completion=30', {})

async function drain(slug: string): Promise<{ submitMs: number; endMs: number }> {
  const t0 = performance.now()
  const submit = await bench.load(
    '/api/v1/runs',
    total,
    16,
    JSON.stringify({ target: `bench/${slug}`, input: {} }),
  )
  if (submit.failed) throw new Error(`${submit.failed} submissions failed`)
  const submitMs = performance.now() - t0
  const storage = bench.p.storage
  const element = await storage.findElementInCircle('bench', slug)
  for (;;) {
    const active = await storage.listRuns({
      elementId: element!.id,
      statuses: ['queued', 'running'],
      limit: 1,
    })
    if (active.length === 0) break
    await new Promise((r) => setTimeout(r, 5))
  }
  return { submitMs, endMs: performance.now() - t0 }
}

for (const slug of ['narrow', 'wide', 'narrow', 'wide']) {
  const r = await drain(slug)
  console.log(
    `${slug.padEnd(6)} ${total} async runs: submitted at ${((total / r.submitMs) * 1000).toFixed(0)}/s, all ended after ${r.endMs.toFixed(0)} ms (${((total / r.endMs) * 1000).toFixed(0)} runs/s)`,
  )
}
await bench.close()
