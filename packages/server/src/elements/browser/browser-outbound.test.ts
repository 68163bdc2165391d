// Browsers and the outbound-address policy, with a real Chromium: navigate refuses metadata,
// loopback and names resolving to loopback with OUTBOUND_ADDRESS_BLOCKED (one generic answer,
// open port or closed), a start_url is checked when written, redirects and sub-resources of an
// allowed page cannot reach a denied address, the allow-list lets a named host:port through —
// and Chromium runs as an unprivileged user with its own sandbox on when the server is root.
import { readdirSync, readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../../../test/test-server.ts'
import {
  browserRuntime,
  CHROMIUM,
  chromiumPid,
  createBrowser,
  HAVE_CHROMIUM,
  SKIP_REASON,
} from './browser-test-helpers.ts'

const GENERIC = 'the destination address is not allowed'

async function listen(
  handler: Parameters<typeof createServer>[1],
): Promise<{ server: Server; port: number }> {
  const server = createServer(handler)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return { server, port: (server.address() as AddressInfo).port }
}

describe.skipIf(!HAVE_CHROMIUM)(`browser navigation and the outbound policy${SKIP_REASON}`, () => {
  let strict: TestServer
  let allowing: TestServer
  let inside: { server: Server; port: number }
  let site: { server: Server; port: number }
  let closedPort = 0
  let insideHits = 0

  beforeAll(async () => {
    // What must stay unreachable: any hit on it is a failure.
    inside = await listen((_req, res) => {
      insideHits++
      res.end('<title>inside</title>')
    })
    // The one allow-listed site: a page, a redirect inward, and a page pulling an inside image.
    site = await listen((req, res) => {
      if (req.url === '/redirect')
        return res.writeHead(302, { location: `http://127.0.0.1:${inside.port}/` }).end()
      if (req.url === '/pixel')
        return res.end(`<title>pixel</title><img src="http://127.0.0.1:${inside.port}/img.png">`)
      res.end('<title>outside</title>')
    })
    const closed = await listen(() => {})
    closedPort = closed.port
    await new Promise<void>((r) => closed.server.close(() => r()))
    strict = await startTestServer({ env: { PERIODIC_CHROMIUM_PATH: CHROMIUM } })
    allowing = await startTestServer({
      env: { PERIODIC_CHROMIUM_PATH: CHROMIUM, PERIODIC_OUTBOUND_ALLOW: `127.0.0.1:${site.port}` },
    })
    for (const s of [strict, allowing]) await s.createCircle('acme')
  })
  afterAll(async () => {
    await strict?.close()
    await allowing?.close()
    for (const l of [inside, site]) await new Promise<void>((r) => l?.server.close(() => r()))
  })

  const op = (s: TestServer, slug: string, name: string, body: object = {}) =>
    s.api('POST', `/api/acme/${slug}/ops/${name}`, body)

  it('refuses a start_url on loopback or a metadata address when it is written', async () => {
    for (const start_url of [
      `http://127.0.0.1:${inside.port}/`,
      'http://169.254.169.254/latest/meta-data/',
    ]) {
      const r = await strict.api('POST', '/api/acme', {
        element_type: 'browser',
        slug: 'w',
        spec: { start_url },
      })
      expect(r.status, start_url).toBe(403)
      expect(r.body.error).toMatchObject({ code: 'OUTBOUND_ADDRESS_BLOCKED', message: GENERIC })
    }
  })

  it('refuses navigation to metadata, loopback (open or closed port) and a name resolving to loopback', async () => {
    await createBrowser(strict, 'acme', 'nav')
    expect((await op(strict, 'nav', 'start')).status).toBe(200)
    const answers: string[] = []
    for (const url of [
      'http://169.254.169.254/latest/meta-data/',
      `http://127.0.0.1:${inside.port}/`,
      `http://127.0.0.1:${closedPort}/`,
      `http://localhost:${inside.port}/`,
      `http://[::ffff:127.0.0.1]:${inside.port}/`,
      `http://2130706433:${inside.port}/`,
    ]) {
      const r = await op(strict, 'nav', 'navigate', { url })
      expect(r.status, url).toBe(403)
      expect(r.body.error.code, url).toBe('OUTBOUND_ADDRESS_BLOCKED')
      answers.push(JSON.stringify(r.body.error))
    }
    expect(new Set(answers).size).toBe(1)
    expect(insideHits).toBe(0)
    await op(strict, 'nav', 'stop')
  })

  it('lets the allow-listed host:port through, but not its redirect inward nor an inside sub-resource', async () => {
    await createBrowser(allowing, 'acme', 'ok', { start_url: `http://127.0.0.1:${site.port}/` })
    const started = await op(allowing, 'ok', 'start')
    expect(started.body).toMatchObject({ state: 'running', page: { status: 200, title: 'outside' } })
    const pixel = await op(allowing, 'ok', 'navigate', { url: `http://127.0.0.1:${site.port}/pixel` })
    expect(pixel.body).toMatchObject({ status: 200, title: 'pixel' })
    const redirected = await op(allowing, 'ok', 'navigate', { url: `http://127.0.0.1:${site.port}/redirect` })
    // The proxy answers the inward hop itself: Chromium shows its refusal, the inside saw nothing.
    expect(redirected.body).toMatchObject({ status: 403, url: `http://127.0.0.1:${inside.port}/` })
    const other = await op(allowing, 'ok', 'navigate', { url: `http://127.0.0.1:${inside.port}/` })
    expect(other.body.error.code).toBe('OUTBOUND_ADDRESS_BLOCKED')
    expect(insideHits).toBe(0)
    await op(allowing, 'ok', 'stop')
  })

  it.skipIf(process.getuid?.() !== 0)(
    'runs Chromium as an unprivileged user without --no-sandbox when the server is root',
    async () => {
      const b = await createBrowser(allowing, 'acme', 'iso')
      await op(allowing, 'iso', 'start')
      const dir = browserRuntime(allowing).session(b.id)!.userDataDir
      const pid = chromiumPid(dir)!
      const uidOf = (p: number | string) =>
        Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? -1)
      expect(uidOf(pid)).toBeGreaterThan(0)
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')
      expect(cmdline).not.toContain('--no-sandbox')
      expect(cmdline.some((a) => a.startsWith('--proxy-server=http://127.0.0.1:'))).toBe(true)
      // The renderers are sandboxed: seccomp-bpf filter on, in their own PID namespace.
      const renderers = readdirSync('/proc').filter((p) => {
        if (!/^\d+$/.test(p)) return false
        try {
          const args = readFileSync(`/proc/${p}/cmdline`, 'utf8')
          return args.includes('--type=renderer') && args.includes(dir)
        } catch {
          return false
        }
      })
      expect(renderers.length).toBeGreaterThan(0)
      for (const r of renderers) {
        const status = readFileSync(`/proc/${r}/status`, 'utf8')
        expect(uidOf(r)).toBe(uidOf(pid))
        expect(/^Seccomp:\s+2$/m.test(status)).toBe(true)
      }
      const st = (await allowing.api('GET', '/api/acme/iso/ops/status')).body
      expect(st.server.isolation).toMatchObject({
        runs_as: 'periodic-browser',
        uid: uidOf(pid),
        chromium_sandbox: true,
      })
      await op(allowing, 'iso', 'stop')
    },
  )
})
