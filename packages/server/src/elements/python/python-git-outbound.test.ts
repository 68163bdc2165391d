// Git sources and the outbound-address policy: a repository on loopback, a private range or a
// name resolving to one is refused with OUTBOUND_ADDRESS_BLOCKED when the spec is written (the
// same generic answer whether the port is open or closed), again when the clone would happen
// (DNS may have changed), ssh is off unless configured, and a clone that fails tells the caller
// nothing a port scan could use — git's own words go to the server log.

import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../../../test/test-server.ts'
import type { PlatformError } from '../../errors.ts'
import { OutboundPolicy } from '../../net/outbound-policy.ts'
import type { ElementRow } from '../../storage/storage.ts'
import { SourceMaterializer } from './source-materializer.ts'

const C = 'gitout'
const GENERIC = 'the destination address is not allowed'

describe('git sources and the outbound policy', () => {
  let s: TestServer
  let web: Server
  let openPort = 0
  let closedPort = 0
  let tmp: string
  let n = 0
  const hosts: string[] = []

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'periodic-git-outbound-'))
    // An open port that speaks HTTP but is no git server.
    web = createServer((req, res) => {
      hosts.push(req.headers.host ?? '')
      res.writeHead(404).end('not here')
    })
    await new Promise<void>((r) => web.listen(0, '127.0.0.1', r))
    openPort = (web.address() as AddressInfo).port
    const closed = createServer()
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r))
    closedPort = (closed.address() as AddressInfo).port
    await new Promise<void>((r) => closed.close(() => r()))
    s = await startTestServer()
    await s.createCircle(C)
  })
  afterAll(async () => {
    await s?.close()
    await new Promise<void>((r) => web.close(() => r()))
    rmSync(tmp, { recursive: true, force: true })
  })

  const create = (repository: string) =>
    s.api('POST', `/api/${C}`, {
      element_type: 'python',
      slug: `g-${++n}`,
      spec: { source: { type: 'git', repository, ref: 'main' } },
    })

  it('refuses a loopback repository at write time with the same answer for an open and a closed port', async () => {
    const open = await create(`http://127.0.0.1:${openPort}/repo.git`)
    const closed = await create(`http://127.0.0.1:${closedPort}/repo.git`)
    for (const r of [open, closed]) {
      expect(r.status).toBe(403)
      expect(r.body.error).toMatchObject({ code: 'OUTBOUND_ADDRESS_BLOCKED', message: GENERIC, details: {} })
    }
  })

  it('refuses names resolving to loopback, metadata and IPv6 forms embedding them, on create and update', async () => {
    for (const repository of [
      `http://localhost:${openPort}/r.git`,
      'http://169.254.169.254/latest/',
      'https://[::ffff:127.0.0.1]/r.git',
      'git://[64:ff9b::a9fe:a9fe]/r.git',
      'http://2130706433/r.git',
    ]) {
      const r = await create(repository)
      expect(r.status, repository).toBe(403)
      expect(r.body.error.code, repository).toBe('OUTBOUND_ADDRESS_BLOCKED')
    }
    // A name that does not resolve yet is accepted (checked again at clone time) ...
    const ok = await create('https://git.example.invalid/r.git')
    expect(ok.status).toBe(201)
    // ... and updating it to a private address is refused.
    const up = await s.api('PATCH', `/api/${C}/${ok.body.slug}/ops/update`, {
      spec: { source: { repository: 'https://10.0.0.5/r.git' } },
    })
    expect(up.status).toBe(403)
    expect(up.body.error.code).toBe('OUTBOUND_ADDRESS_BLOCKED')
  })

  const row = (repository: string) =>
    ({
      id: `row-${++n}`,
      element_type: 'python',
      version: 1,
      spec: { source: { type: 'git', repository, ref: 'main' } },
    }) as unknown as ElementRow

  it('checks again when it clones: a name that now resolves to loopback is refused', async () => {
    const rebinding = new OutboundPolicy([], undefined, async () => [{ address: '127.0.0.1', family: 4 }])
    const m = new SourceMaterializer(tmp, {}, rebinding)
    await expect(m.materialize(row('https://git.example.test/r.git'), C)).rejects.toMatchObject({
      code: 'OUTBOUND_ADDRESS_BLOCKED',
      message: GENERIC,
    })
  })

  it('keeps ssh off unless PERIODIC_GIT_ALLOW_SSH is set (scp-like and ssh:// alike)', async () => {
    const m = new SourceMaterializer(tmp)
    for (const repository of [
      'git@github.com:acme/repo.git',
      'ssh://git@github.com/acme/repo.git',
      'github.com:acme/r',
    ])
      await expect(m.materialize(row(repository), C), repository).rejects.toMatchObject({
        code: 'PYTHON_SOURCE_UNAVAILABLE',
        message: expect.stringMatching(/ssh remotes are off/),
      })
  })

  it('pins git to the address the policy checked (curl resolve list): no second lookup', async () => {
    // Only the policy's resolver knows this name; git reaches the server only through the pin.
    const named = new OutboundPolicy(['127.0.0.1'], undefined, async () => [
      { address: '127.0.0.1', family: 4 },
    ])
    const m = new SourceMaterializer(tmp, {}, named)
    hosts.length = 0
    await expect(m.materialize(row(`http://git.pinned.test:${openPort}/repo.git`), C)).rejects.toMatchObject({
      code: 'PYTHON_SOURCE_UNAVAILABLE',
    })
    expect(hosts).toContain(`git.pinned.test:${openPort}`)
  })

  it('tells an allow-listed open port and a closed one apart only in the server log', async () => {
    const logged: Array<{ stderr?: string }> = []
    const log = { warn: (o: object) => logged.push(o as { stderr?: string }) }
    const m = new SourceMaterializer(tmp, {}, new OutboundPolicy(['127.0.0.1']), log)
    const errs: PlatformError[] = []
    for (const port of [openPort, closedPort])
      errs.push(await m.materialize(row(`http://127.0.0.1:${port}/repo.git`), C).catch((e) => e))
    const [open, closed] = errs.map((e) => JSON.stringify(e.toJSON()))
    expect(open).toBe(closed)
    expect(errs[0]?.message).toBe(
      'git source failed: the repository could not be cloned (the server log has the detail)',
    )
    expect(logged.map((l) => l.stderr ?? '').join('\n')).toMatch(/404|not found/i)
    expect(logged.map((l) => l.stderr ?? '').join('\n')).toMatch(/refused|connect/i)
  })
})
