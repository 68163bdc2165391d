// The policy proxy browsers go through: it serves only its one uid, forwards plain HTTP and
// CONNECT tunnels to allowed destinations, and refuses denied ones with a bare 403.
import { createServer, request, type Server } from 'node:http'
import { type AddressInfo, connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { OutboundPolicy } from './outbound-policy.ts'
import { OutboundProxy } from './outbound-proxy.ts'

const me = process.getuid?.() ?? 0

describe('the outbound-policy proxy', () => {
  let site: Server
  let sitePort = 0
  const proxies: OutboundProxy[] = []
  beforeAll(async () => {
    site = createServer((_req, res) => res.end('site'))
    await new Promise<void>((r) => site.listen(0, '127.0.0.1', r))
    sitePort = (site.address() as AddressInfo).port
  })
  afterAll(async () => {
    for (const p of proxies) await p.close()
    await new Promise<void>((r) => site.close(() => r()))
  })

  const start = async (allow: string[], uid = me) => {
    const p = await OutboundProxy.start(new OutboundPolicy(allow), uid)
    proxies.push(p)
    return new URL(p.credentials().server)
  }

  const viaProxy = (proxy: URL, target: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ host: proxy.hostname, port: proxy.port, path: target, agent: false }, (res) => {
        let body = ''
        res.on('data', (c) => {
          body += c
        })
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      })
      req.on('error', reject)
      req.end()
    })

  const tunnel = (proxy: URL, target: string) =>
    new Promise<string>((resolve, reject) => {
      const s = connect(Number(proxy.port), proxy.hostname, () =>
        s.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`),
      )
      s.once('data', (d) => {
        resolve(d.toString().split('\r\n')[0] ?? '')
        s.destroy()
      })
      s.on('error', reject)
    })

  it('forwards to an allowed destination and refuses a denied one alike for open and closed ports', async () => {
    const proxy = await start([`127.0.0.1:${sitePort}`])
    expect(await viaProxy(proxy, `http://127.0.0.1:${sitePort}/`)).toEqual({ status: 200, body: 'site' })
    const denied = await viaProxy(proxy, 'http://127.0.0.1:1/')
    expect(denied).toEqual({ status: 403, body: 'the destination address is not allowed' })
    expect(await viaProxy(proxy, 'http://169.254.169.254/latest/')).toEqual(denied)
    expect(await tunnel(proxy, `127.0.0.1:${sitePort}`)).toBe('HTTP/1.1 200 Connection Established')
    expect(await tunnel(proxy, '127.0.0.1:22')).toBe('HTTP/1.1 403 Forbidden')
    expect(await tunnel(proxy, 'localhost:80')).toBe('HTTP/1.1 403 Forbidden')
  })

  it('serves only the uid it was started for', async () => {
    const proxy = await start([`127.0.0.1:${sitePort}`], me + 4242)
    expect((await viaProxy(proxy, `http://127.0.0.1:${sitePort}/`)).status).toBe(403)
    expect(await tunnel(proxy, `127.0.0.1:${sitePort}`)).toBe('HTTP/1.1 403 Forbidden')
  })
})
