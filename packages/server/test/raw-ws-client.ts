// A WebSocket client over a bare TCP socket that never answers a close frame: it shows what a
// server does with a client that keeps talking after being told to go (ws clients always answer).
import { randomBytes } from 'node:crypto'
import { createConnection, type Socket } from 'node:net'

export interface RawFrame {
  opcode: number
  payload: Buffer
}

export interface RawWsClient {
  socket: Socket
  /** The next frame the server sent (waits up to `timeoutMs`). */
  next(timeoutMs?: number): Promise<RawFrame>
  /** Sends one masked text frame, as a client must. */
  sendText(text: string): void
  /** Resolves when the TCP connection is gone. */
  ended: Promise<void>
}

/** Opens `ws://host:port{path}` with `headers`; rejects with the status line of a refused upgrade. */
export function rawConnect(url: string, headers: Record<string, string>): Promise<RawWsClient> {
  const u = new URL(url)
  const socket = createConnection({ host: u.hostname, port: Number(u.port) })
  const frames: RawFrame[] = []
  const waiters: Array<(f: RawFrame) => void> = []
  let buf = Buffer.alloc(0)
  let upgraded = false
  const ended = new Promise<void>((r) => socket.once('close', () => r()))
  socket.on('error', () => {})
  return new Promise((resolve, reject) => {
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d])
      if (!upgraded) {
        const end = buf.indexOf('\r\n\r\n')
        if (end < 0) return
        const head = buf.subarray(0, end).toString()
        buf = buf.subarray(end + 4)
        if (!head.startsWith('HTTP/1.1 101')) {
          socket.destroy()
          reject(new Error(head.split('\r\n')[0]))
          return
        }
        upgraded = true
        resolve(client)
      }
      for (let f = parse(); f; f = parse()) {
        const w = waiters.shift()
        if (w) w(f)
        else frames.push(f)
      }
    })
    const parse = (): RawFrame | undefined => {
      if (buf.length < 2) return undefined
      let len = buf[1]! & 0x7f
      let at = 2
      if (len === 126) {
        if (buf.length < 4) return undefined
        len = buf.readUInt16BE(2)
        at = 4
      } else if (len === 127) {
        if (buf.length < 10) return undefined
        len = Number(buf.readBigUInt64BE(2))
        at = 10
      }
      if (buf.length < at + len) return undefined
      const frame = { opcode: buf[0]! & 0x0f, payload: buf.subarray(at, at + len) }
      buf = buf.subarray(at + len)
      return frame
    }
    const client: RawWsClient = {
      socket,
      ended,
      next(timeoutMs = 10_000) {
        const f = frames.shift()
        if (f) return Promise.resolve(f)
        return new Promise((res, rej) => {
          const timer = setTimeout(() => rej(new Error(`no frame within ${timeoutMs} ms`)), timeoutMs)
          waiters.push((x) => {
            clearTimeout(timer)
            res(x)
          })
        })
      },
      sendText(text) {
        const payload = Buffer.from(text)
        const mask = randomBytes(4)
        const len =
          payload.length < 126
            ? Buffer.from([0x80 | payload.length])
            : Buffer.from([0x80 | 126, payload.length >> 8, payload.length & 0xff])
        const masked = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!))
        socket.write(Buffer.concat([Buffer.from([0x81]), len, mask, masked]))
      },
    }
    const lines = [
      `GET ${u.pathname}${u.search} HTTP/1.1`,
      `Host: ${u.host}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
      'Sec-WebSocket-Version: 13',
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    ]
    socket.write(`${lines.join('\r\n')}\r\n\r\n`)
  })
}

/** The code and reason of a close frame. */
export function closeOf(f: RawFrame): { code: number; reason: string } {
  return { code: f.payload.readUInt16BE(0), reason: f.payload.subarray(2).toString() }
}
