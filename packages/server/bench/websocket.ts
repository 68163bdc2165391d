// WebSocket benchmark, the platform against a plain `ws` server in the same run: broadcast
// fan-out of a 100-byte message to 1 000 clients (deliveries/s flat out; p50/p99 from the moment
// the operation is called, paced at 20 000 deliveries/s), and 10 000 connections held by one
// process (memory per connection). Servers and clients each run in their own processes.
// Run: npx tsx packages/server/bench/websocket.ts [clients=1000] [held=10000]. Asserts nothing.
import { type ChildProcess, fork, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const FANOUT_CLIENTS = Number(process.argv[2] ?? 1000)
const HELD = Number(process.argv[3] ?? 10_000)
const CLIENT_PROCS = 4
const ADMIN = 'bench-admin-key-0123456789abcdef'
const now = () => performance.timeOrigin + performance.now()

interface Target {
  name: string
  pid: number
  ws: string
  broadcast(message: object): Promise<void>
  stop(): void
}

function waitLine(child: ChildProcess, re: RegExp): Promise<RegExpExecArray> {
  let out = ''
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString()
      const m = re.exec(out)
      if (m) resolve(m)
    })
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)))
  })
}

async function startPeriodic(): Promise<Target> {
  const dir = mkdtempSync(join(tmpdir(), 'periodic-wsbench-'))
  const bin = join(import.meta.dirname, '../bin/periodic.mjs')
  const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--data-dir', dir], {
    env: {
      ...process.env,
      PERIODIC_ADMIN_KEY: ADMIN,
      PERIODIC_LOG_LEVEL: 'info',
      DATABASE_URL: '',
      REDIS_URL: '',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const url = (await waitLine(child, /"url":"(http:\/\/[^"]+)".*"periodic is serving"/))[1]!
  child.stdout!.resume()
  const h = { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }
  const post = (path: string, body: object) =>
    fetch(url + path, { method: 'POST', headers: h, body: JSON.stringify(body) })
  await post('/api', { element_type: 'circle', slug: 'bench' })
  const r = await post('/api/bench', {
    element_type: 'websocket',
    slug: 'fanout',
    spec: { path: '/fanout', max_connections: 50_000, connection: { welcome: false } },
  })
  if (r.status !== 201) throw new Error(`create: ${r.status} ${await r.text()}`)
  return {
    name: 'periodic',
    pid: child.pid!,
    ws: `${url.replace('http', 'ws')}/ws/bench/fanout`,
    async broadcast(message) {
      const res = await post('/api/bench/fanout/ops/broadcast', { message })
      await res.arrayBuffer()
    },
    stop() {
      child.kill('SIGTERM')
      setTimeout(() => rmSync(dir, { recursive: true, force: true }), 2000).unref()
    },
  }
}

async function startPlain(): Promise<Target> {
  const child = spawn(process.execPath, [join(import.meta.dirname, 'ws-plain-server.mjs')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const url = (await waitLine(child, /"url":"(http:\/\/[^"]+)"/))[1]!
  return {
    name: 'plain ws',
    pid: child.pid!,
    ws: url.replace('http', 'ws'),
    async broadcast(message) {
      const res = await fetch(`${url}/broadcast`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ message }),
      })
      await res.arrayBuffer()
    },
    stop: () => child.kill('SIGTERM'),
  }
}

interface Report {
  received: number
  last: number
  latencies: number[]
}

class Fleet {
  private constructor(private readonly procs: ChildProcess[]) {}

  static async open(url: string, total: number): Promise<Fleet> {
    const per = Math.ceil(total / CLIENT_PROCS)
    const procs = Array.from({ length: CLIENT_PROCS }, (_, i) =>
      fork(join(import.meta.dirname, 'ws-bench-clients.mjs'), [
        JSON.stringify({ url, count: Math.max(0, Math.min(per, total - i * per)) }),
      ]),
    )
    await Promise.all(procs.map((p) => new Promise((resolve) => p.once('message', resolve))))
    return new Fleet(procs)
  }

  async report(latencies = false): Promise<Report> {
    const parts = await Promise.all(
      this.procs.map(
        (p) =>
          new Promise<Report>((resolve) => {
            p.once('message', (m) => resolve(m as Report))
            p.send({ cmd: 'report', latencies })
          }),
      ),
    )
    return {
      received: parts.reduce((n, r) => n + r.received, 0),
      last: Math.max(...parts.map((r) => r.last)),
      latencies: ([] as number[]).concat(...parts.map((r) => r.latencies)),
    }
  }

  close(): void {
    for (const p of this.procs) p.send({ cmd: 'close' })
  }
}

let seq = 0
/** A 100-byte JSON message carrying when the broadcast was called. */
function message(): object {
  const m = { seq: seq++, t: now(), p: '' }
  m.p = 'x'.repeat(Math.max(0, 100 - JSON.stringify(m).length))
  return m
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))]! : Number.NaN
}

/** Drains what clients received so far (waits until `expected` arrived or 10 s passed). */
async function collect(fleet: Fleet, expected: number, latencies = false): Promise<Report> {
  const all: Report = { received: 0, last: 0, latencies: [] }
  const deadline = Date.now() + 10_000
  while (all.received < expected && Date.now() < deadline) {
    const r = await fleet.report(latencies)
    all.received += r.received
    all.last = Math.max(all.last, r.last)
    for (const x of r.latencies) all.latencies.push(x)
    if (all.received < expected) await new Promise((res) => setTimeout(res, 100))
  }
  return all
}

/** Broadcasts flat out (4 calls in flight) for `ms`; deliveries per second until the last arrived. */
async function flatOut(t: Target, fleet: Fleet, clients: number, ms = 5000) {
  await fleet.report()
  const start = now()
  let calls = 0
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (now() - start < ms) {
        calls++
        await t.broadcast(message())
      }
    }),
  )
  const r = await collect(fleet, calls * clients)
  return { rate: r.received / ((r.last - start) / 1000), received: r.received, expected: calls * clients, r }
}

/** `perSecond` broadcasts a second for `ms`, each timed from its call. */
async function paced(t: Target, fleet: Fleet, clients: number, perSecond: number, ms = 5000) {
  await fleet.report()
  const start = now()
  const calls: Promise<void>[] = []
  for (let i = 0; i < (perSecond * ms) / 1000; i++) {
    const at = start + (i * 1000) / perSecond
    const wait = at - now()
    if (wait > 0) await new Promise((res) => setTimeout(res, wait))
    calls.push(t.broadcast(message()))
  }
  await Promise.all(calls)
  const r = await collect(fleet, calls.length * clients, true)
  return {
    p50: pct(r.latencies, 0.5),
    p99: pct(r.latencies, 0.99),
    received: r.received,
    expected: calls.length * clients,
  }
}

function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return Number(m?.[1] ?? 0)
}

async function held(t: Target, n: number) {
  const before = rssKb(t.pid)
  const t0 = now()
  const fleet = await Fleet.open(t.ws, n)
  const openMs = now() - t0
  await new Promise((res) => setTimeout(res, 1000))
  const after = rssKb(t.pid)
  fleet.close()
  return { n, openMs, perConnKb: (after - before) / n, rssMb: after / 1024 }
}

const median = (xs: number[]) => pct(xs, 0.5)

let lost = 0

async function main() {
  const plain = await startPlain()
  const periodic = await startPeriodic()
  const targets = [plain, periodic]
  const results: Record<string, Record<string, number>> = {}
  const rates: Record<string, number[]> = { 'plain ws': [], periodic: [] }
  const p50s: Record<string, number[]> = { 'plain ws': [], periodic: [] }
  const p99s: Record<string, number[]> = { 'plain ws': [], periodic: [] }
  try {
    // Both fleets stay open and the targets alternate, round after round, so a change in the
    // machine's load (it is shared) falls on both alike; medians are reported.
    const fleets = await Promise.all(targets.map((t) => Fleet.open(t.ws, FANOUT_CLIENTS)))
    for (const [i, t] of targets.entries()) await flatOut(t, fleets[i]!, FANOUT_CLIENTS, 1000) // warm-up
    for (let round = 0; round < 3; round++) {
      for (const [i, t] of targets.entries()) {
        const f = await flatOut(t, fleets[i]!, FANOUT_CLIENTS, 3000)
        rates[t.name]!.push(f.rate)
        const p = await paced(t, fleets[i]!, FANOUT_CLIENTS, 20_000 / FANOUT_CLIENTS, 3000)
        p50s[t.name]!.push(p.p50)
        p99s[t.name]!.push(p.p99)
        lost += f.expected - f.received + p.expected - p.received
        console.log(
          `round ${round + 1} ${t.name}: ${f.rate.toFixed(0)} deliveries/s; paced p50 ${p.p50.toFixed(1)} ms p99 ${p.p99.toFixed(1)} ms`,
        )
      }
    }
    for (const f of fleets) f.close()
    await new Promise((res) => setTimeout(res, 1500))
    for (const t of targets) {
      results[t.name] = {
        rate: median(rates[t.name]!),
        p50: median(p50s[t.name]!),
        p99: median(p99s[t.name]!),
        ...(await held(t, HELD)),
      }
      await new Promise((res) => setTimeout(res, 1500))
    }
  } finally {
    plain.stop()
    periodic.stop()
  }
  const a = results['periodic']!
  const b = results['plain ws']!
  const f0 = (x: number) => x.toFixed(0)
  console.log(
    '\nWebSocket benchmark (same machine, same run; clients in 4 processes per server; medians of 3 rounds)',
  )
  console.log(
    `fan-out to ${FANOUT_CLIENTS} clients, 100-byte message, flat out (4 broadcast calls in flight):`,
  )
  console.log(
    `  periodic ${f0(a['rate']!)} deliveries/s, plain ws ${f0(b['rate']!)} deliveries/s -> ${((100 * a['rate']!) / b['rate']!).toFixed(0)}% (anchor: >= 80%)`,
  )
  console.log('paced at 20 000 deliveries/s, latency from the moment the operation is called:')
  console.log(
    `  periodic p50 ${a['p50']!.toFixed(1)} ms, p99 ${a['p99']!.toFixed(1)} ms (anchor: p99 < 50 ms); plain ws p50 ${b['p50']!.toFixed(1)} ms, p99 ${b['p99']!.toFixed(1)} ms`,
  )
  console.log(`connections held by one process (anchor: ${HELD}):`)
  console.log(
    `  periodic ${a['n']} open in ${f0(a['openMs']!)} ms, ${a['perConnKb']!.toFixed(1)} KB/connection (RSS ${f0(a['rssMb']!)} MB); plain ws ${b['perConnKb']!.toFixed(1)} KB/connection (RSS ${f0(b['rssMb']!)} MB)`,
  )
  console.log(`  deliveries lost over all rounds: ${lost}`)
  process.exit(0)
}

await main()
