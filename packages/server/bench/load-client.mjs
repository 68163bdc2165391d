// A load generator in its own process (so it does not share the server's event loop):
// node load-client.mjs '{"url","method","headers","body","total","concurrency"}' -> JSON stats.
import { request } from 'node:http'

const o = JSON.parse(process.argv[2])
const agent = new (await import('node:http')).Agent({ keepAlive: true, maxSockets: o.concurrency })
const target = new URL(o.url)
const lat = []
let next = 0
let failed = 0

function once() {
  return new Promise((resolve) => {
    const t = performance.now()
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        method: o.method,
        headers: o.headers,
        agent,
      },
      (res) => {
        res.resume()
        res.on('end', () => {
          if (res.statusCode >= 300) failed++
          lat.push(performance.now() - t)
          resolve()
        })
      },
    )
    req.on('error', () => {
      failed++
      resolve()
    })
    req.end(o.body)
  })
}

const t0 = performance.now()
await Promise.all(
  Array.from({ length: o.concurrency }, async () => {
    while (next++ < o.total) await once()
  }),
)
const secs = (performance.now() - t0) / 1000
lat.sort((a, b) => a - b)
const q = (p) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))]
const mean = lat.reduce((a, b) => a + b, 0) / Math.max(1, lat.length)
console.log(
  JSON.stringify({
    rps: o.total / secs,
    p50: q(0.5),
    p90: q(0.9),
    p99: q(0.99),
    max: lat.at(-1) ?? 0,
    mean,
    failed,
    total: o.total,
  }),
)
agent.destroy()
