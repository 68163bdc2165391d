// Benchmark of the engine: iii.trigger round trips through the engine to a worker function in
// another process (p50/p99, calls/s with 16 in flight), state::update operations per second on
// SQLite and in memory (iii's kv in_memory), and a raw loopback WebSocket round trip as the floor.
// Run: npx tsx packages/server/bench/engine.ts. Prints figures beside their anchors.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { registerWorker } from 'iii-sdk'
import { pino } from 'pino'
import { WebSocket, WebSocketServer } from 'ws'
import { parseConfig } from '../src/config.ts'
import { startPlatform } from '../src/main.ts'

const IN_FLIGHT = 16

async function load(total: number, fn: (i: number) => Promise<unknown>) {
  const latencies: number[] = []
  let next = 0
  const t0 = performance.now()
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < total) {
        const i = next++
        const s = performance.now()
        await fn(i)
        latencies.push(performance.now() - s)
      }
    }),
  )
  const perSec = total / ((performance.now() - t0) / 1000)
  latencies.sort((a, b) => a - b)
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!
  return { perSec, p50: q(0.5), p99: q(0.99) }
}

const fmt = (r: { perSec: number; p50: number; p99: number }) =>
  `${r.perSec.toFixed(0).padStart(6)}/s  p50 ${r.p50.toFixed(3)} ms  p99 ${r.p99.toFixed(3)} ms`

/** The floor: one WebSocket round trip on loopback (echo server in the same process). */
async function loopbackFloor() {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' })
  wss.on('connection', (ws) => ws.on('message', (d) => ws.send(d)))
  await new Promise((r) => wss.once('listening', r))
  const port = (wss.address() as { port: number }).port
  const ws = new WebSocket(`ws://127.0.0.1:${port}`)
  await new Promise((r) => ws.once('open', r))
  const waiting = new Map<number, () => void>()
  ws.on('message', (d) => {
    const id = JSON.parse(d.toString()).id as number
    waiting.get(id)?.()
    waiting.delete(id)
  })
  const rt = (i: number) =>
    new Promise<void>((r) => {
      waiting.set(i, r)
      ws.send(JSON.stringify({ id: i, function_id: 'bench::echo', data: { i } }))
    })
  await load(5000, rt)
  const r = await load(50_000, (i) => rt(i + 100_000))
  ws.close()
  wss.close()
  return r
}

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'periodic-bench-engine-'))
  const config = parseConfig(['--port', '0', '--data-dir', dataDir], {
    PERIODIC_RATE_LIMIT: '0',
    // Measures the engine itself; the per-key engine limit (2,000/s by default) would cap it.
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

  // The worker runs in its own process, as a real worker would.
  const sdk = resolve(import.meta.dirname, '../../../node_modules/iii-sdk/dist/index.mjs')
  const script = join(dataDir, 'worker.mjs')
  writeFileSync(
    script,
    `import { registerWorker } from ${JSON.stringify(sdk)}
process.env.III_DISABLE_TRACE_PAYLOADS = '1'
const iii = registerWorker(process.env.URL, { headers: { authorization: 'Bearer ' + process.env.KEY }, otel: { enabled: false }, enableMetricsReporting: false })
iii.registerFunction('bench::echo', async (input) => input)
`,
  )
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, URL: p.engineUrl, KEY: key },
    stdio: 'ignore',
  })
  process.env['III_DISABLE_TRACE_PAYLOADS'] = '1'
  const iii = registerWorker(p.engineUrl, {
    headers: { authorization: `Bearer ${key}` },
    otel: { enabled: false },
    enableMetricsReporting: false,
  })
  for (;;) {
    try {
      await iii.trigger({ function_id: 'bench::echo', payload: {}, timeoutMs: 1000 })
      break
    } catch {
      await new Promise((r) => setTimeout(r, 50))
    }
  }

  const floor = await loopbackFloor()
  await load(5000, (i) => iii.trigger({ function_id: 'bench::echo', payload: { i } }))
  const trigger = await load(50_000, (i) => iii.trigger({ function_id: 'bench::echo', payload: { i } }))

  const caller = {
    circleId: '',
    circleSlug: 'bench',
    keyId: 'bench',
    canRead: true,
    canWrite: true,
    canExecute: true,
  }
  caller.circleId = (await p.storage.findCircle('bench'))!.id
  const ops = [{ type: 'increment', path: 'n', by: 1 }]
  const direct = await load(30_000, (i) =>
    p.engine.engine.invoke(caller, 'state::update', { scope: 'bench', key: `k${i % 1000}`, ops }),
  )
  const viaWs = await load(20_000, (i) =>
    iii.trigger({ function_id: 'state::update', payload: { scope: 'bench-ws', key: `k${i % 1000}`, ops } }),
  )
  // An iii config's kv adapter with store_method: in_memory keeps the circle's state in memory.
  p.engine.store.useMemory(caller.circleId, 'state')
  const memory = await load(30_000, (i) =>
    p.engine.engine.invoke(caller, 'state::update', { scope: 'bench', key: `k${i % 1000}`, ops }),
  )

  console.log(`engine benchmark (SQLite, ${IN_FLIGHT} in flight, Node ${process.version})`)
  console.log(`  loopback WebSocket round trip (floor)   ${fmt(floor)}`)
  console.log(`  iii.trigger -> engine -> worker process ${fmt(trigger)}   anchor > 10000/s`)
  console.log(`  state::update in-process (SQLite)       ${fmt(direct)}   anchor > 20000/s`)
  console.log(`  state::update via iii.trigger           ${fmt(viaWs)}`)
  console.log(`  state::update in-process (kv in_memory) ${fmt(memory)}`)

  child.kill()
  await iii.shutdown()
  await p.close()
  rmSync(dataDir, { recursive: true, force: true })
}

await main()
