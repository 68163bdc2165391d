// A real `ws` client for tests: waits for frames in order (no sleeps), for the close code and
// reason, or for the HTTP status of a refused upgrade.
import WebSocket, { type ClientOptions } from 'ws'

export interface TestClient {
  ws: WebSocket
  /** The next JSON frame (waits up to `timeoutMs`). */
  next(timeoutMs?: number): Promise<any>
  /** Frames received and not yet taken by next(). */
  pending(): any[]
  closed: Promise<{ code: number; reason: string }>
}

export function wsUrl(httpUrl: string, path: string): string {
  return httpUrl.replace(/^http/, 'ws') + path
}

function client(ws: WebSocket): TestClient {
  const queue: any[] = []
  const waiters: Array<(v: any) => void> = []
  ws.on('message', (data) => {
    let v: unknown
    try {
      v = JSON.parse(data.toString())
    } catch {
      v = data.toString()
    }
    const w = waiters.shift()
    if (w) w(v)
    else queue.push(v)
  })
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  )
  ws.on('error', () => {})
  return {
    ws,
    closed,
    pending: () => queue,
    next(timeoutMs = 10_000) {
      if (queue.length) return Promise.resolve(queue.shift())
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no frame within ${timeoutMs} ms`)), timeoutMs)
        waiters.push((v) => {
          clearTimeout(timer)
          resolve(v)
        })
      })
    },
  }
}

/** Opens a connection; resolves once open (rejects with the HTTP status of a refused upgrade). */
export type ConnectOptions = ClientOptions & { protocols?: string[] }

export function connect(url: string, opts: ConnectOptions = {}): Promise<TestClient> {
  const ws = new WebSocket(url, opts.protocols ?? [], opts)
  const c = client(ws)
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(c))
    ws.once('unexpected-response', (req, res) => {
      let body = ''
      res.on('data', (d: Buffer) => {
        body += d.toString()
      })
      res.on('end', () => {
        req.destroy()
        reject(
          Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode, body }),
        )
      })
    })
    ws.once('error', (err) => reject(err))
  })
}

/** Connects and takes the welcome frame; returns the client and its connection id. */
export async function join(
  url: string,
  opts: ConnectOptions = {},
): Promise<TestClient & { id: string; welcome: any }> {
  const c = await connect(url, opts)
  const welcome = await c.next()
  if (welcome?.type !== 'welcome') throw new Error(`expected a welcome frame, got ${JSON.stringify(welcome)}`)
  return Object.assign(c, { id: welcome.connection_id as string, welcome })
}

/** The status and JSON body of a refused upgrade. */
export async function refusal(url: string, opts: ClientOptions = {}): Promise<{ status: number; body: any }> {
  try {
    const c = await connect(url, opts)
    c.ws.terminate()
    throw new Error('the upgrade was accepted')
  } catch (err) {
    const e = err as { status?: number; body?: string }
    if (e.status === undefined) throw err
    return { status: e.status, body: e.body ? JSON.parse(e.body) : undefined }
  }
}
