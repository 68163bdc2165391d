// Who a handler is on the host, and what the host keeps of what it wrote, over real HTTP on
// SQLite on each isolating executor present. Under root (this machine, CI) a handler once ran
// as host root: a file it chmod'ed 4755 in its output directory became a root-owned setuid
// binary in the data dir. Now it runs as an unprivileged host uid, artifacts lose special bits
// and belong to the server, and specials are refused and named. Under gVisor the output
// directory was not writable at all. Under bwrap the sandbox had no egress while diagnostics
// claimed one; diagnostics must now say what a handler sees.
import { existsSync, readFileSync, statSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../../../test/test-server.ts'
import { createPython, pollRun, startRun } from '../../http/runs-api/runs-api-helpers.ts'
import { runDir, runOutputDir } from '../../runs/run-files.ts'

const PLANTER = [
  'import os, stat',
  'def handler(input):',
  '    out = os.environ["PERIODIC_OUTPUT_DIR"]',
  '    tool = os.path.join(out, "tool")',
  '    open(tool, "w").write("#!/bin/sh\\necho pwned\\n")',
  '    os.chmod(tool, 0o4755)',
  '    res = {"mode": os.stat(tool).st_mode & 0o7777}',
  '    try:',
  '        os.mknod(os.path.join(out, "null"), 0o666 | stat.S_IFCHR, os.makedev(1, 3))',
  '        res["mknod"] = "made"',
  '    except OSError:',
  '        res["mknod"] = "denied"',
  '    os.mkfifo(os.path.join(out, "pipe"))',
  '    os.symlink("/etc/passwd", os.path.join(out, "passwd"))',
  '    res["uid"] = int(next(l for l in open("/proc/self/status") if l.startswith("Uid:")).split()[2])',
  '    res["uid_map"] = [l.split() for l in open("/proc/self/uid_map")]',
  '    return res',
  '',
].join('\n')

const NETWORK = [
  'import socket',
  'def reach(host, port):',
  '    try:',
  '        socket.create_connection((host, port), timeout=3).close()',
  '        return "reached"',
  '    except OSError as e:',
  '        return "unreachable"',
  'def handler(input):',
  '    routes = [l.split() for l in open("/proc/net/route").read().splitlines()[1:]]',
  '    return {',
  '        "default_via": sorted({r[0] for r in routes if r[1] == "00000000"}),',
  '        "loopback": reach("127.0.0.1", input["port"]),',
  '        "host_via_gateway": reach("10.0.2.2", input["port"]),',
  '    }',
  '',
].join('\n')

/** The host uid a sandbox uid stands for, from the sandbox's own /proc/self/uid_map. */
function hostUid(uid: number, map: string[][]): number | null {
  for (const [inner, outer, count] of map.map((l) => l.map(Number)))
    if (uid >= inner! && uid < inner! + count!) return outer! + uid - inner!
  return null
}

const EXECUTORS = [
  { name: 'bwrap', present: existsSync('/usr/bin/bwrap') },
  { name: 'gvisor', present: existsSync('/usr/bin/runsc') },
] as const

for (const ex of EXECUTORS) {
  describe.skipIf(!ex.present)(`python handlers on ${ex.name} and the host`, () => {
    let s: TestServer
    let platform: Server
    let port: number

    beforeAll(async () => {
      s = await startTestServer({ env: { PERIODIC_SANDBOX: ex.name } })
      await s.createCircle('acme')
      await createPython(s, 'acme', 'planter', PLANTER)
      await createPython(s, 'acme', 'network', NETWORK)
      platform = createServer((c) => c.end('PLATFORM'))
      await new Promise<void>((r) => platform.listen(0, '127.0.0.1', r))
      port = (platform.address() as { port: number }).port
    })
    afterAll(async () => {
      await new Promise((r) => platform?.close(r))
      await s?.close()
    })

    it('runs as an unprivileged host uid; a planted setuid file is kept without the bit and specials are refused', async () => {
      const id = await startRun(s, 'acme/planter')
      const run = (await pollRun(s, id)) as { status: string; output: Record<string, any> }
      expect(run, JSON.stringify(run)).toMatchObject({ status: 'succeeded' })
      // Inside, the handler did make its file setuid and could not make a device.
      expect(run.output['mode']).toBe(0o4755)
      expect(run.output['mknod']).toBe('denied')
      expect(run.output['uid']).toBe(65534)
      if (ex.name === 'bwrap' && process.getuid?.() === 0)
        expect(hostUid(run.output['uid'], run.output['uid_map'])).toBe(65534)

      const tool = statSync(join(runOutputDir(s.dataDir, id), 'tool'))
      expect(tool.mode & 0o7777).toBe(0o755)
      expect(tool.uid).toBe(process.getuid?.())
      const list = await s.api('GET', `/api/v1/runs/${id}/artifacts`)
      expect(list.body.artifacts.map((a: { path: string }) => a.path)).toEqual(['tool'])
      const summary = JSON.parse(readFileSync(join(runDir(s.dataDir, id), 'artifacts.json'), 'utf8'))
      // gVisor keeps a FIFO inside its own kernel: only bwrap's reaches the host.
      const refused = [
        { path: 'passwd', reason: 'a symlink is not an artifact' },
        ...(ex.name === 'bwrap' ? [{ path: 'pipe', reason: 'a FIFO is not an artifact' }] : []),
      ]
      expect(summary).toMatchObject({ refused_files: refused.length, refused })
    })

    it.skipIf(ex.name !== 'bwrap')(
      'has the egress diagnostics claim, and the host loopback stays out of reach',
      async () => {
        const d = await s.api('GET', '/api/acme/network/ops/diagnostics')
        expect(d.body.health.ok).toBe(true)
        const id = await startRun(s, 'acme/network', { port })
        const run = (await pollRun(s, id)) as { status: string; output: Record<string, any> }
        expect(run.status).toBe('succeeded')
        expect(run.output).toMatchObject({ loopback: 'unreachable', host_via_gateway: 'unreachable' })
        const claimsEgress = /egress through slirp4netns/.test(d.body.guarantees.network)
        expect(claimsEgress).toBe(run.output['default_via'].length > 0)
        // slirp4netns is installed here (and in CI): the sandbox must have its route out.
        if (existsSync('/usr/bin/slirp4netns')) expect(run.output['default_via']).toEqual(['tap0'])
      },
    )
  })
}
