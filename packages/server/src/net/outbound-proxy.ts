// A forward proxy on 127.0.0.1 that applies the outbound policy to every connection a client
// makes through it. Chromium is pointed at it, so every request of a browser session — the page,
// each redirect hop, sub-resources, WebSockets, prefetches — is checked, and the proxy connects to
// the very address it checked (Chromium never resolves names itself, so DNS rebinding cannot slip
// an unchecked address in). It asks for a per-proxy credential so other local processes cannot
// use it. Refusals and upstream failures answer alike (403 / an empty reply), without detail.
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http'
import { type AddressInfo, connect, type Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { PlatformError } from '../errors.ts'
import type { OutboundPolicy } from './outbound-policy.ts'

export interface ProxyCredentials {
  server: string
  username: string
  password: string
}

const HOP_BY_HOP = /^(proxy-authorization|proxy-connection|connection|keep-alive|te|trailer|upgrade)$/i

export class OutboundProxy {
  private readonly server: Server
  private readonly username = 'periodic'
  private readonly password = randomBytes(24).toString('base64url')
  private readonly sockets = new Set<Duplex>()

  private constructor(private readonly policy: OutboundPolicy) {
    this.server = createServer((req, res) => void this.forward(req, res))
    this.server.on('connect', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      void this.tunnel(req, socket, head)
    })
    this.server.on('connection', (s: Socket) => {
      this.sockets.add(s)
      s.on('close', () => this.sockets.delete(s))
    })
  }

  static async start(policy: OutboundPolicy): Promise<OutboundProxy> {
    const p = new OutboundProxy(policy)
    await new Promise<void>((resolve) => p.server.listen(0, '127.0.0.1', resolve))
    return p
  }

  credentials(): ProxyCredentials {
    const { port } = this.server.address() as AddressInfo
    return { server: `http://127.0.0.1:${port}`, username: this.username, password: this.password }
  }

  private authorized(req: IncomingMessage): boolean {
    const header = req.headers['proxy-authorization'] ?? ''
    const want = Buffer.from(`Basic ${Buffer.from(`${this.username}:${this.password}`).toString('base64')}`)
    const got = Buffer.from(header)
    return got.length === want.length && timingSafeEqual(got, want)
  }

  /** Checks and resolves host:port; null (after logging through the policy) when refused. */
  private async target(host: string, port: number): Promise<string | null> {
    try {
      const t = await this.policy.resolveAndCheck(host, port)
      return t.addresses[0]?.address ?? null
    } catch (err) {
      if (!(err instanceof PlatformError)) return null
      return null
    }
  }

  /** CONNECT host:port — https and WebSockets. */
  private async tunnel(req: IncomingMessage, client: Duplex, head: Buffer): Promise<void> {
    client.on('error', () => client.destroy())
    if (!this.authorized(req)) {
      client.end(
        'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="periodic"\r\nContent-Length: 0\r\n\r\n',
      )
      return
    }
    const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(req.url ?? '')
    const host = m?.[1]?.replace(/^\[|\]$/g, '') ?? ''
    const port = Number(m?.[2] ?? 0)
    const address = m && port > 0 && port < 65536 ? await this.target(host, port) : null
    if (!address) {
      client.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n')
      return
    }
    const upstream = connect({ host: address, port })
    upstream.on('error', () => {
      client.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n')
    })
    upstream.on('connect', () => {
      upstream.removeAllListeners('error')
      upstream.on('error', () => client.destroy())
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      if (head.length) upstream.write(head)
      upstream.pipe(client)
      client.pipe(upstream)
    })
    client.on('close', () => upstream.destroy())
  }

  /** A plain-http request in absolute form. */
  private async forward(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!this.authorized(req)) {
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="periodic"', 'content-length': '0' }).end()
      return
    }
    let url: URL
    try {
      url = new URL(req.url ?? '')
      if (url.protocol !== 'http:') throw new Error('not http')
    } catch {
      res.writeHead(400, { 'content-length': '0' }).end()
      return
    }
    const port = url.port ? Number(url.port) : 80
    const address = await this.target(url.hostname.replace(/^\[|\]$/g, ''), port)
    if (!address) {
      res.writeHead(403, { 'content-type': 'text/plain' }).end('the destination address is not allowed')
      return
    }
    const headers: Record<string, string | string[]> = {}
    for (const [k, v] of Object.entries(req.headers))
      if (v !== undefined && !HOP_BY_HOP.test(k)) headers[k] = v
    const upstream = request(
      {
        host: address,
        port,
        method: req.method,
        path: `${url.pathname}${url.search}`,
        headers,
        setHost: false,
        agent: false,
      },
      (up) => {
        const out: Record<string, string | string[]> = {}
        for (const [k, v] of Object.entries(up.headers))
          if (v !== undefined && !HOP_BY_HOP.test(k)) out[k] = v
        res.writeHead(up.statusCode ?? 502, up.statusMessage, out)
        up.pipe(res)
      },
    )
    // Refused, reset or not HTTP: one answer for all (no port scanning through error texts).
    upstream.on('error', () => res.destroy())
    req.pipe(upstream)
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }
}
