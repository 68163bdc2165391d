// WebSocket bench clients in their own process: opens `count` connections to `url`, records the
// latency of every {"seq","t"} frame (t = when the broadcast was called, epoch ms) and answers
// the coordinator's IPC requests: {cmd:"report",latencies} -> stats since the last report, {cmd:"close"}.
import WebSocket from 'ws'

const o = JSON.parse(process.argv[2])
const sockets = []
let latencies = []
let received = 0
let last = 0
const now = () => performance.timeOrigin + performance.now()

function open() {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(o.url, { perMessageDeflate: false })
    ws.on('open', () => resolve(ws))
    ws.on('error', reject)
    ws.on('message', (data) => {
      const text = data.toString()
      if (text.charCodeAt(2) !== 115) return // not {"seq"...: a welcome frame
      const t = now()
      const m = JSON.parse(text)
      received++
      last = t
      latencies.push(t - m.t)
    })
  })
}

// Opening in batches keeps the server's accept queue from overflowing.
for (let i = 0; i < o.count; i += 100) {
  const batch = await Promise.all(Array.from({ length: Math.min(100, o.count - i) }, open))
  sockets.push(...batch)
}
process.send({ ready: sockets.length })
process.on('message', (m) => {
  if (m.cmd === 'report') {
    process.send({ received, last, latencies: m.latencies ? latencies : [] })
    received = 0
    latencies = []
  } else if (m.cmd === 'close') {
    for (const s of sockets) s.terminate()
    process.exit(0)
  }
})
