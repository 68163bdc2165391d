// A python handler's network egress, end to end: a real `periodic serve` on bwrap, run as root
// (the code drops to the unprivileged sandbox uid) and as an unprivileged user (the code runs in
// bwrap's user namespace), fetches from an HTTP server in a network namespace this test creates,
// on a private 10.213.x address that exists only on a veth pair: nothing leaves the machine.
// The outbound policy blocks private addresses unless allow-listed; the allow-list names one
// address and one port, and the handler reaches exactly that. Until now a server run as a normal
// user gave sandboxes egress only when slirp4netns won a race with bwrap, while diagnostics,
// probing once, could say either.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  callNode,
  type ServeOptions,
  type ServeProcess,
  startServeProcess,
  stopServeProcess,
} from '../../../test/serve-process.ts'
import { type NetnsHttpServer, netnsUnavailable, startNetnsHttpServer } from '../../../test/test-netns.ts'

const ADMIN = 'egress-admin-key-0123456789'
const C = 'egress'

const FETCH = [
  'import errno, urllib.request',
  'def handler(input):',
  '    try:',
  '        with urllib.request.urlopen(input["url"], timeout=10) as r:',
  '            return {"status": r.status, "body": r.read().decode()}',
  '    except OSError as e:',
  '        reason = getattr(e, "reason", e)',
  '        code = getattr(reason, "errno", None)',
  '        return {"error": errno.errorcode.get(code, str(reason))}',
  '',
].join('\n')

const tools = ['/usr/bin/bwrap', '/usr/bin/slirp4netns'].filter((t) => !existsSync(t))
const unavailable = netnsUnavailable() ?? (tools.length ? `${tools.join(' and ')} not installed` : null)
if (unavailable && process.env['CI'])
  throw new Error(
    `the egress test must run in CI (.ci/run installs iproute2, bubblewrap, slirp4netns): ${unavailable}`,
  )

const SERVERS: Array<{ who: string; user?: ServeOptions['user'] }> = [
  { who: 'a root server' },
  { who: 'a server run as an unprivileged user', user: { uid: 65534, gid: 65534 } },
]

describe.skipIf(unavailable)(
  `python handler egress to a private network namespace${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    let net: NetnsHttpServer
    let etc: string
    beforeAll(async () => {
      net = await startNetnsHttpServer()
      // The servers' (and so slirp4netns') name server: the namespace's DNS server, on the
      // address the allow-list does not name.
      etc = mkdtempSync(join(tmpdir(), 'periodic-egress-etc-'))
      writeFileSync(join(etc, 'resolv.conf'), `nameserver ${net.addresses[1]}\n`, { mode: 0o644 })
    })
    afterAll(() => {
      net?.close()
      if (etc) rmSync(etc, { recursive: true, force: true })
    })

    for (const { who, user } of SERVERS) {
      describe(`on ${who}`, () => {
        let node: ServeProcess
        let allowed: string
        let other: string
        let port: number
        let otherPort: number
        const api = (method: string, path: string, body?: unknown) =>
          callNode(node, ADMIN, method, path, body)
        const fetchFrom = async (url: string) => {
          const r = await api('POST', `/api/${C}/fetch/ops/invoke?wait_for_completion=60`, { url })
          expect(r.body.status, JSON.stringify(r.body)).toBe('succeeded')
          return r.body.output as { status?: number; body?: string; error?: string }
        }

        beforeAll(async () => {
          ;[allowed, other] = net.addresses
          ;[port, otherPort] = net.ports
          node = await startServeProcess(
            {
              PERIODIC_ADMIN_KEY: ADMIN,
              PERIODIC_SANDBOX: 'bwrap',
              PERIODIC_OUTBOUND_ALLOW: `${allowed}:${port}`,
            },
            undefined,
            { user, resolvConf: join(etc, 'resolv.conf') },
          )
          expect((await api('POST', '/api', { element_type: 'circle', slug: C })).status).toBe(201)
          const created = await api('POST', `/api/${C}`, {
            element_type: 'python',
            slug: 'fetch',
            spec: { source: { type: 'inline', code: FETCH } },
          })
          expect(created.status, JSON.stringify(created.body)).toBe(201)
        }, 60_000)
        afterAll(async () => {
          if (node) await stopServeProcess(node)
        })

        it('diagnostics say what the handler gets: egress through slirp4netns, filtered by nftables', async () => {
          const d = await api('GET', `/api/${C}/fetch/ops/diagnostics`)
          expect(d.body.health, JSON.stringify(d.body)).toMatchObject({ ok: true })
          expect(d.body.health.detail).toContain('egress through slirp4netns, filtered by nftables')
          expect(d.body.guarantees.network).toContain('refused by an nftables filter')
          // Which of the two ways the code was isolated: the server is who this test says.
          expect(d.body.guarantees.filesystem).toContain(
            user ? 'runs as the server user inside a user namespace' : 'runs as unprivileged host uid 65534',
          )
        })

        it('fetches from the allow-listed private address and port', async () => {
          const out = await fetchFrom(`http://${allowed}:${port}/from-${user ? 'user' : 'root'}`)
          expect(out).toEqual({ status: 200, body: `hello from ${allowed}:${port}` })
          expect(await net.hits()).toContain(`${allowed}:${port} /from-${user ? 'user' : 'root'}`)
        })

        it("resolves a name through slirp's DNS forwarder, then fetches from what it resolved to", async () => {
          // The host's name server (here the namespace's, on a private address) is not
          // allow-listed: the sandbox must ask slirp (10.0.2.3), which asks it from the host.
          const out = await fetchFrom(`http://mirror.egress.test:${port}/by-name`)
          expect(out).toEqual({ status: 200, body: `hello from ${allowed}:${port}` })
          const hits = await net.hits()
          expect(hits).toContain('dns mirror.egress.test 1')
          expect(hits).toContain(`${allowed}:${port} /by-name`)
        })

        it('is refused a private address the allow-list does not name, and nothing reaches it', async () => {
          const out = await fetchFrom(`http://${other}:${port}/not-allowed`)
          // The namespace's own filter answers at once; slirp never opens a connection.
          expect(out).toEqual({ error: 'EHOSTUNREACH' })
          expect((await net.hits()).filter((h) => h.includes('/not-allowed'))).toEqual([])
        })

        it('is refused another port of the allow-listed address', async () => {
          const out = await fetchFrom(`http://${allowed}:${otherPort}/other-port`)
          expect(out).toEqual({ error: 'EHOSTUNREACH' })
          expect((await net.hits()).filter((h) => h.includes('/other-port'))).toEqual([])
        })
      })
    }
  },
)
