// The reference: a plain `ws` server with POST /broadcast (body written to every client), the
// same shape of work as the platform's broadcast operation, in its own process.
import { createServer } from 'node:http'
import { WebSocketServer } from 'ws'

const http = createServer((req, res) => {
  const chunks = []
  req.on('data', (c) => chunks.push(c))
  req.on('end', () => {
    const body = JSON.parse(Buffer.concat(chunks).toString())
    const payload = JSON.stringify(body.message)
    let delivered = 0
    for (const c of wss.clients) {
      c.send(payload)
      delivered++
    }
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify({ broadcast: true, delivered_to: delivered }))
  })
})
const wss = new WebSocketServer({ server: http, perMessageDeflate: false })
http.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${http.address().port}` })}\n`)
})
