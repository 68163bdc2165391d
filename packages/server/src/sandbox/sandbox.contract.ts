// The sandbox contract: what every executor must do with untrusted code. sandbox.test.ts runs it
// against every executor installed on the machine. Isolation cases apply to executors that
// claim isolation; the process executor claims none and only has to run, limit and kill.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Executor, ExitInfo, SpawnOptions } from './executor.ts'

const PYTHON = '/usr/bin/python3'

interface Outcome {
  exit: ExitInfo
  stdout: string
  stderr: string
  control: string
}

function collect(stream: Readable): Promise<string> {
  return new Promise((resolve) => {
    let s = ''
    stream.on('data', (d: Buffer) => {
      if (s.length < 1_000_000) s += d.toString()
    })
    stream.on('error', () => resolve(s))
    stream.on('close', () => resolve(s))
  })
}

export function describeSandboxContract(executor: Executor): void {
  const isolated = executor.name !== 'process'

  describe(`sandbox contract: ${executor.name}`, () => {
    let secrets: string
    let code: string
    let server: Server
    let port: number
    beforeAll(async () => {
      // Stands in for the data dir: a database file and the master key beside it.
      secrets = mkdtempSync(join(tmpdir(), 'periodic-secrets-'))
      writeFileSync(join(secrets, 'master.key'), 'TOP-SECRET-KEY', { mode: 0o600 })
      code = mkdtempSync(join(tmpdir(), 'periodic-code-'))
      server = createServer((s) => s.end('PLATFORM'))
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
      port = (server.address() as { port: number }).port
    })
    afterAll(async () => {
      await new Promise((r) => server.close(r))
      rmSync(secrets, { recursive: true, force: true })
      rmSync(code, { recursive: true, force: true })
    })

    async function python(
      source: string,
      opts: Partial<SpawnOptions> & { killAfterMs?: number; stdin?: string } = {},
    ): Promise<Outcome> {
      const p = executor.spawn({
        argv: [PYTHON, '-c', source],
        env: { HOME: '/tmp', SECRETS: secrets, PORT: String(port) },
        mounts: [{ source: code, target: '/code' }],
        cwd: '/tmp',
        memoryMb: 128,
        maxPids: 32,
        network: 'egress',
        ...opts,
      })
      p.stdin.on('error', () => {})
      p.stdin.end(opts.stdin ?? '')
      const timer = opts.killAfterMs ? setTimeout(() => p.kill(), opts.killAfterMs) : undefined
      const [stdout, stderr, control, exit] = await Promise.all([
        collect(p.stdout),
        collect(p.stderr),
        collect(p.control),
        p.exited,
      ])
      clearTimeout(timer)
      return { exit, stdout, stderr, control }
    }

    it('reports healthy', async () => {
      expect((await executor.health()).ok).toBe(true)
    })

    it('runs code with stdin, stdout, stderr and the fd 3 control channel kept apart', async () => {
      const r = await python(
        'import sys, os\nline = sys.stdin.readline()\nprint("out", line.strip())\nprint("err", file=sys.stderr)\nos.write(3, b"ctl\\n")',
        { stdin: 'hello\n' },
      )
      expect(r.exit).toMatchObject({ code: 0, oomKilled: false })
      expect(r.stdout).toBe('out hello\n')
      expect(r.stderr).toBe('err\n')
      expect(r.control).toBe('ctl\n')
    })

    it('passes the environment it is given and reports the exit code', async () => {
      const r = await python('import os, sys\nprint(os.environ["PORT"])\nsys.exit(7)')
      expect(r.stdout.trim()).toBe(String(port))
      expect(r.exit.code).toBe(7)
    })

    it('passes values exactly, whatever characters they hold, and nothing else', async () => {
      const tricky = `it's "quoted"\nline two $(touch /tmp/x) \`id\` \\ $HOME \${PATH} \t end`
      const r = await python('import json, os\nprint(json.dumps(dict(os.environ)))', {
        env: { TRICKY: tricky, EMPTY: '', _under: 'x' },
      })
      const env = JSON.parse(r.stdout) as Record<string, string>
      expect(env).toMatchObject({ TRICKY: tricky, EMPTY: '', _under: 'x' })
      // bwrap's helpers run with a PATH of their own: it must not reach the code. (LC_CTYPE is
      // Python's own, PEP 538.)
      if (executor.name === 'bwrap')
        expect(Object.keys(env).sort()).toEqual(['EMPTY', 'LC_CTYPE', 'TRICKY', '_under'])
    })

    it('kills a runaway process (what a timeout does)', async () => {
      const started = Date.now()
      const r = await python('while True: pass', { killAfterMs: 300 })
      expect(r.exit.signal ?? r.exit.code).toBeTruthy()
      expect(r.exit.code).not.toBe(0)
      expect(Date.now() - started).toBeLessThan(20_000)
    })

    it('kills the children with the process', async () => {
      const marker = join(code, `child-${Date.now()}`)
      // The child would write the marker after the parent was killed.
      const r = await python(
        `import os, time, subprocess, sys\nsubprocess.Popen([sys.executable, "-c", "import time; time.sleep(1.5); open('/code/${marker.slice(code.length + 1)}', 'w').write('x')"])\ntime.sleep(30)`,
        { killAfterMs: 400, mounts: [{ source: code, target: '/code', writable: true }] },
      )
      expect(r.exit.code).not.toBe(0)
      await new Promise((res) => setTimeout(res, 2000))
      expect(readdirSync(code).filter((f) => f.startsWith('child-'))).toEqual([])
    })

    it('enforces the memory ceiling', async () => {
      const r = await python(
        'x = bytearray(400 * 1024 * 1024)\nfor i in range(0, len(x), 4096): x[i] = 1\nprint("survived")',
        {
          memoryMb: 64,
        },
      )
      expect(r.stdout).not.toContain('survived')
      expect(r.exit.code).not.toBe(0)
      // Either the kernel killed it (cgroup) or the allocation failed (address-space limit).
      expect(r.exit.oomKilled || r.stderr.includes('MemoryError') || r.exit.signal !== null).toBe(true)
    })

    it('caps the number of processes (a fork bomb stops)', async () => {
      const r = await python(
        'import os, time\nn = 0\ntry:\n    for _ in range(200):\n        if os.fork() == 0:\n            time.sleep(1); os._exit(0)\n        n += 1\nexcept OSError:\n    pass\nprint(n)\nos._exit(0)',
        { maxPids: 16 },
      )
      const forked = Number(r.stdout.trim())
      expect(forked).toBeGreaterThanOrEqual(0)
      expect(forked).toBeLessThan(200)
    })

    it.skipIf(!isolated)('cannot write outside /tmp, and /tmp is private', async () => {
      const r = await python(
        'import os\nres = []\nfor p in ["/usr/evil", "/etc/evil", "/code/evil", "/evil", os.environ["SECRETS"] + "/evil"]:\n    try:\n        open(p, "w").write("x"); res.append("wrote " + p)\n    except OSError:\n        res.append("no")\nopen("/tmp/ok", "w").write("ok")\nprint(",".join(res), open("/tmp/ok").read(), len(os.listdir("/tmp")))',
      )
      expect(r.exit.code).toBe(0)
      expect(r.stdout.trim()).toBe('no,no,no,no,no ok 1')
      expect(readdirSync(code)).not.toContain('evil')
      expect(readdirSync(secrets)).toEqual(['master.key'])
    })

    it.skipIf(!isolated)('cannot read the data dir or the master key', async () => {
      const r = await python(
        'import os\ntry:\n    print(open(os.environ["SECRETS"] + "/master.key").read())\nexcept OSError as e:\n    print("denied", type(e).__name__)',
      )
      expect(r.stdout).not.toContain('TOP-SECRET-KEY')
      expect(r.stdout).toContain('denied')
    })

    it.skipIf(!isolated)('cannot see or kill the server', async () => {
      const r = await python(
        `import os, signal\ntry:\n    os.kill(${process.pid}, signal.SIGKILL); print("killed")\nexcept OSError as e:\n    print("refused", type(e).__name__)\nprint(sorted(int(p) for p in os.listdir("/proc") if p.isdigit())[:1], os.getuid())`,
      )
      expect(r.stdout).toContain('refused')
      // its own pid namespace: the first process it sees is its own tree, and it is not root
      expect(r.stdout).toMatch(/\[1\] 65534/)
      expect(process.kill(process.pid, 0)).toBe(true)
    })

    it.skipIf(!isolated)(
      'writes as an unprivileged host uid: no root-owned setuid file, no device',
      async () => {
        const out = mkdtempSync(join(tmpdir(), 'periodic-out-'))
        try {
          const r = await python(
            [
              'import os, stat',
              'open("/out/tool", "w").write("#!/bin/sh")',
              'os.chmod("/out/tool", 0o4755)',
              'try:',
              '    os.mknod("/out/null", 0o666 | stat.S_IFCHR, os.makedev(1, 3)); print("mknod")',
              'except OSError:',
              '    print("no mknod")',
              'uid = int(next(l for l in open("/proc/self/status") if l.startswith("Uid:")).split()[2])',
              'host = next((int(o) + uid - int(i) for i, o, n in (l.split() for l in open("/proc/self/uid_map")) if int(i) <= uid < int(i) + int(n)), -1)',
              'print("uid", uid, "host", host)',
            ].join('\n'),
            { mounts: [{ source: out, target: '/out', writable: true }] },
          )
          expect(r.stderr).toBe('')
          expect(r.stdout).toContain('no mknod')
          expect(existsSync(join(out, 'null'))).toBe(false)
          const tool = statSync(join(out, 'tool'))
          // The file the code wrote belongs to an unprivileged host uid (a setuid bit on it
          // grants nothing), and the code's own view of its uid maps to that same host uid.
          expect(tool.uid).not.toBe(0)
          const m = /uid (\d+) host (-?\d+)/.exec(r.stdout)
          expect(Number(m?.[1])).toBe(65534)
          if (executor.name === 'bwrap') expect(Number(m?.[2])).toBe(tool.uid)
        } finally {
          rmSync(out, { recursive: true, force: true })
        }
      },
    )

    it.skipIf(!isolated || !executor.guarantees.network.includes('unreachable'))(
      "cannot reach the platform's ports on the host loopback",
      async () => {
        const r = await python(
          'import os, socket\ntry:\n    s = socket.create_connection(("127.0.0.1", int(os.environ["PORT"])), timeout=2)\n    print("reached", s.recv(16))\nexcept OSError as e:\n    print("unreachable", type(e).__name__)',
        )
        expect(r.stdout).toContain('unreachable')
        expect(r.stdout).not.toContain('PLATFORM')
      },
    )

    it.skipIf(!executor.guarantees.network.includes('egress through slirp4netns'))(
      'has the egress it claims: a default route on a non-loopback link, the host loopback not behind it',
      async () => {
        // No packet leaves the machine: the route is read, and the only address tried is the
        // slirp gateway, which would lead to the host's loopback without --disable-host-loopback.
        const r = await python(
          'import os, socket\nroutes = [l.split() for l in open("/proc/net/route").read().splitlines()[1:]]\nprint(sorted({r[0] for r in routes if r[1] == "00000000"}))\ntry:\n    socket.create_connection(("10.0.2.2", int(os.environ["PORT"])), timeout=2); print("reached")\nexcept OSError:\n    print("unreachable")',
        )
        expect(r.stdout.split('\n')[0]).toBe("['tap0']")
        expect(r.stdout).toContain('unreachable')
      },
    )

    it.skipIf(!executor.guarantees.network.includes('egress through slirp4netns'))(
      "resolves names through slirp's DNS forwarder, not the host's server (out of its reach)",
      async () => {
        const r = await python('print(open("/etc/resolv.conf").read())')
        const servers = r.stdout.split('\n').filter((l) => l.startsWith('nameserver'))
        expect(servers).toEqual(['nameserver 10.0.2.3'])
      },
    )

    // Wherever a sandbox has egress, root or not, the filter must be there (nftables is a
    // dependency, installed by .ci/run).
    it.skipIf(!executor.guarantees.network.includes('egress through slirp4netns') || !process.env['CI'])(
      'claims the nftables filter',
      () => {
        expect(executor.guarantees.network).toContain('refused by an nftables filter')
      },
    )

    it.skipIf(!executor.guarantees.network.includes('refused by an nftables filter'))(
      'refuses non-public addresses from inside the sandbox, before anything leaves it',
      async () => {
        // The slirp gateway (10.0.2.2) is private: the namespace's own filter answers "no route
        // to host" (EHOSTUNREACH) at once, where slirp itself would answer "refused". Nothing
        // reaches any other address: the only one tried stays inside the namespace.
        const r = await python(
          'import errno, os, socket\ntry:\n    socket.create_connection(("10.0.2.2", int(os.environ["PORT"])), timeout=2); print("reached")\nexcept OSError as e:\n    print(errno.errorcode.get(e.errno, e.errno))',
        )
        expect(r.stdout.trim()).toBe('EHOSTUNREACH')
      },
    )

    it.skipIf(!isolated)(
      "runs the code with no capability left (the filter's CAP_NET_ADMIN included)",
      async () => {
        const r = await python(
          'import json\nprint(json.dumps(dict(l.split()[:2] for l in open("/proc/self/status") if l.startswith("Cap"))))',
        )
        const caps = JSON.parse(r.stdout) as Record<string, string>
        expect(Object.keys(caps)).toEqual(expect.arrayContaining(['CapEff:', 'CapPrm:', 'CapBnd:']))
        for (const [name, mask] of Object.entries(caps)) expect(mask, name).toMatch(/^0+$/)
      },
    )

    it.skipIf(!isolated)(
      "gives the environment to the code alone: no privileged helper loads a tenant's LD_PRELOAD, no host command line shows a value",
      async () => {
        const value = `env-value-${process.pid}-${Date.now()}`
        const p = executor.spawn({
          argv: [
            PYTHON,
            '-c',
            'import os, sys\nprint(os.environ["SECRET_VALUE"], flush=True)\nsys.stdin.read()',
          ],
          env: { LD_PRELOAD: '/periodic-no-such-library.so', SECRET_VALUE: value },
          mounts: [],
          cwd: '/tmp',
          memoryMb: 128,
          maxPids: 32,
          network: 'egress',
        })
        p.control.resume()
        const stderr = collect(p.stderr)
        // While the code runs: no process on the host has the value in its command line.
        const printed = await new Promise<string>((resolve) =>
          p.stdout.once('data', (d: Buffer) => resolve(d.toString())),
        )
        const shown = readdirSync('/proc')
          .filter((d) => /^\d+$/.test(d))
          .filter((pid) => {
            try {
              return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(value)
            } catch {
              return false
            }
          })
        p.stdin.end()
        await p.exited
        expect(printed.trim()).toBe(value)
        expect(shown).toEqual([])
        // The loader complains once per program that starts with the variable: under bwrap, the
        // code only (its helpers hold capabilities). gVisor's one helper, a shell opening fd 3,
        // already runs as the code's unprivileged user.
        const loaded = (await stderr).match(/cannot be preloaded/g) ?? []
        if (executor.name === 'bwrap') expect(loaded).toHaveLength(1)
      },
    )

    it.skipIf(isolated)('says plainly that it isolates nothing', () => {
      expect(executor.guarantees.filesystem).toMatch(/^NONE/)
      expect(executor.guarantees.network).toMatch(/^NONE/)
    })
  })
}
