// Benchmark of the engine's http triggers: requests/s and p50/p99 for a small GET and a small JSON
// POST answered with a value by a worker in another process (16 in flight), and the throughput of a
// 50 MB body the worker streams down through its `response` channel and one streamed up through
// `request_body`. Run: npx tsx packages/server/bench/http-trigger.ts
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pino } from 'pino'
import { parseConfig } from '../src/config.ts'
import { startPlatform } from '../src/main.ts'

const IN_FLIGHT = 16
const MB = 1024 * 1024

async function load(total: number, fn: () => Promise<unknown>) {
  const latencies: number[] = []
  let next = 0
  const t0 = performance.now()
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next++ < total) {
        const s = performance.now()
        await fn()
        latencies.push(performance.now() - s)
      }
    }),
  )
  const perSec = total / ((performance.now() - t0) / 1000)
  latencies.sort((a, b) => a - b)
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!
  return `${perSec.toFixed(0).padStart(6)}/s  p50 ${q(0.5).toFixed(3)} ms  p99 ${q(0.99).toFixed(3)} ms`
}

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'periodic-bench-http-'))
  const config = parseConfig(['--port', '0', '--data-dir', dataDir], {
    PERIODIC_RATE_LIMIT: '0',
    PERIODIC_ENGINE_RATE_LIMIT: '0',
  })
  const p = await startPlatform(config, { logger: pino({ level: 'silent' }) })
  const h = { authorization: `Bearer ${p.adminKey}`, 'content-type': 'application/json' }
  await fetch(`${p.url}/api`, {
    method: 'POST',
    headers: h,
    body: JSON.stringify({ element_type: 'circle', slug: 'bench' }),
  })
  const keyRes = await fetch(`${p.url}/api/bench/ops/api_keys`, {
    method: 'POST',
    headers: h,
    body: JSON.stringify({ name: 'bench', scopes: ['read', 'write', 'execute'] }),
  })
  const key = ((await keyRes.json()) as { key: string }).key
  const sdk = resolve(import.meta.dirname, '../../../node_modules/iii-sdk/dist/index.mjs')
  const script = join(dataDir, 'worker.mjs')
  writeFileSync(
    script,
    `import { registerWorker } from ${JSON.stringify(sdk)}
import { createHash } from 'node:crypto'
import { once } from 'node:events'
const iii = registerWorker(process.env.URL, { headers: { authorization: 'Bearer ' + process.env.KEY }, otel: { enabled: false }, enableMetricsReporting: false })
const route = (id, api_path, http_method, fn) => { iii.registerFunction(id, fn); iii.registerTrigger({ type: 'http', function_id: id, config: { api_path, http_method } }) }
route('bench::hello', '/hello', 'GET', async () => ({ status_code: 200, body: { ok: true } }))
route('bench::echo', '/echo', 'POST', async (req) => ({ status_code: 200, body: req.body }))
route('bench::down', '/down', 'GET', async ({ response }) => {
  response.sendMessage(JSON.stringify({ type: 'set_headers', headers: { 'content-type': 'application/octet-stream' } }))
  const chunk = Buffer.alloc(${MB}, 7)
  for (let i = 0; i < 50; i++) if (!response.stream.write(chunk)) await once(response.stream, 'drain')
  response.stream.end()
})
route('bench::up', '/up', 'POST', async (req) => {
  const h = createHash('sha256'); let n = 0
  for await (const c of req.request_body.stream) { h.update(c); n += c.length }
  return { status_code: 200, body: { n } }
})
`,
  )
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, URL: p.engineUrl, KEY: key },
    stdio: 'ignore',
  })
  const base = `${p.url}/http/bench`
  for (;;) {
    const r = await fetch(`${base}/hello`)
    await r.arrayBuffer()
    if (r.status === 200) break
    await new Promise((r) => setTimeout(r, 50))
  }
  const get = () => fetch(`${base}/hello`).then((r) => r.arrayBuffer())
  const post = () =>
    fetch(`${base}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"order":42,"items":["a","b"]}',
    }).then((r) => r.arrayBuffer())
  await load(3000, get)
  console.log(`GET  answered with a value   ${await load(20_000, get)}`)
  await load(3000, post)
  console.log(`POST small JSON, echoed       ${await load(20_000, post)}`)
  if (process.env['BENCH_SMALL_ONLY']) return done()
  let t0 = performance.now()
  let n = 0
  for await (const c of (await fetch(`${base}/down`)).body as unknown as AsyncIterable<Uint8Array>)
    n += c.length
  console.log(`50 MB streamed down           ${(n / MB / ((performance.now() - t0) / 1000)).toFixed(0)} MB/s`)
  t0 = performance.now()
  let i = 0
  const body = new ReadableStream({
    pull(c) {
      if (i++ === 50) c.close()
      else c.enqueue(Buffer.alloc(MB, i))
    },
  })
  const up = await fetch(`${base}/up`, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream' },
    body,
    duplex: 'half',
  } as RequestInit)
  const got = ((await up.json()) as { n: number }).n
  console.log(
    `50 MB streamed up             ${(got / MB / ((performance.now() - t0) / 1000)).toFixed(0)} MB/s`,
  )
  await done()
  async function done() {
    child.kill()
    await p.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

await main()
