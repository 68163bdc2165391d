// A forward proxy on 127.0.0.1 that applies the outbound policy to every connection a client
// makes through it. Chromium is pointed at it, so every request of a browser session — the page,
// each redirect hop, sub-resources, WebSockets, prefetches — is checked, and the proxy connects to
// the very address it checked (Chromium never resolves names itself, so DNS rebinding cannot slip
// an unchecked address in). It serves only the uid Chromium runs as, so other local users cannot
// use it. Refusals and upstream failures answer alike (403 / an empty reply), without detail.
import { readFileSync } from 'node:fs'
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http'
import { type AddressInfo, connect, type Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import type { OutboundPolicy } from './outbound-policy.ts'

export interface ProxyCredentials {
  server: string
}

const HOP_BY_HOP = /^(proxy-authorization|proxy-connection|connection|keep-alive|te|trailer|upgrade)$/i

export class OutboundProxy {
  private readonly server: Server
  private readonly sockets = new Set<Duplex>()

  private constructor(
    private readonly policy: OutboundPolicy,
    /** The uid whose connections are served (the user Chromium runs as). */
    private readonly uid: number,
  ) {
    this.server = createServer((req, res) => void this.forward(req, res))
    this.server.on('connect', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      void this.tunnel(req, socket, head)
    })
    this.server.on('connection', (s: Socket) => {
      this.sockets.add(s)
      s.on('close', () => this.sockets.delete(s))
    })
  }

  static async start(policy: OutboundPolicy, uid: number): Promise<OutboundProxy> {
    const p = new OutboundProxy(policy, uid)
    await new Promise<void>((resolve) => p.server.listen(0, '127.0.0.1', resolve))
    return p
  }

  /** Chromium's proxy setting. */
  credentials(): ProxyCredentials {
    const { port } = this.server.address() as AddressInfo
    return { server: `http://127.0.0.1:${port}` }
  }

  /**
   * Only the user Chromium runs as may use the proxy. Not a proxy password: Playwright answers
   * proxy challenges by intercepting requests, which breaks navigations that interrupt a pending
   * one. The kernel's socket table says which uid owns the client end of the connection.
   */
  private authorized(req: IncomingMessage): boolean {
    const s = req.socket
    return s.remotePort !== undefined && peerUid(s.remotePort, s.localPort ?? 0) === this.uid
  }

  /** Checks and resolves host:port; null (after logging through the policy) when refused. */
  private async target(host: string, port: number): Promise<string | null> {
    try {
      const t = await this.policy.resolveAndCheck(host, port)
      return t.addresses[0]?.address ?? null
    } catch {
      // Refused (the policy logged why) or not resolvable: one answer for both.
      return null
    }
  }

  /** CONNECT host:port — https and WebSockets. */
  private async tunnel(req: IncomingMessage, client: Duplex, head: Buffer): Promise<void> {
    client.on('error', () => client.destroy())
    if (!this.authorized(req)) {
      client.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n')
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
      res.writeHead(403, { 'content-length': '0' }).end()
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
    // Chromium gave up (a new navigation, a stop): so does the upstream request.
    res.on('close', () => upstream.destroy())
    req.pipe(upstream)
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }
}

/** The uid owning the TCP socket 127.0.0.1/::1 `clientPort` -> `serverPort` (Linux /proc/net). */
export function peerUid(clientPort: number, serverPort: number): number | undefined {
  const hex = (n: number) => n.toString(16).toUpperCase().padStart(4, '0')
  const local = `:${hex(clientPort)}`
  const remote = `:${hex(serverPort)}`
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string
    try {
      text = readFileSync(table, 'utf8')
    } catch {
      continue
    }
    for (const line of text.split('\n')) {
      const f = line.trim().split(/\s+/)
      if (f[1]?.endsWith(local) && f[2]?.endsWith(remote)) return Number(f[7])
    }
  }
  return undefined
}
