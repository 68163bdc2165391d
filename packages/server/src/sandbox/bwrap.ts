// The bubblewrap executor: new pid, ipc, uts, cgroup and network namespaces, no
// capabilities, uid 65534, a read-only system, a private /tmp and --die-with-parent. Egress
// goes through slirp4netns with the host's loopback disabled, so user code reaches the
// internet but not the platform's own ports or databases on 127.0.0.1.
//
// Who the code is on the host depends on who the server is. Run as a normal user, bwrap adds
// a user namespace and the sandbox's uid 65534 is the server's uid outside. Run as root, a
// user namespace would map the sandbox to host root (files it writes, setuid bits and all,
// would be root's), so bwrap runs without one and setpriv drops the code to an unprivileged
// host uid (PERIODIC_SANDBOX_UID, default 65534) with no capabilities and no_new_privs; the
// writable mounts are handed to that uid. That is also what makes egress work under root:
// slirp4netns joins /proc/<pid>/ns/user, which with a user namespace is bwrap's nested one,
// not the one owning the network namespace (setns EPERM). A non-root server still meets that,
// and health() reports the missing egress instead of claiming it.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { chownSync, existsSync, readFileSync } from 'node:fs'
import type { Readable, Writable } from 'node:stream'
import type { CgroupManager } from './cgroup.ts'
import { applyEgressFirewall, egressRuleset } from './egress-firewall.ts'
import type { Executor, ExecutorGuarantees, SandboxProcess, SpawnOptions } from './executor.ts'
import { launch } from './launch.ts'

const SYSTEM_RO = ['/usr', '/etc/ssl', '/etc/ca-certificates', '/etc/alternatives']

/** The unprivileged host identity sandboxes run as when the server is root. */
export interface SandboxUser {
  uid: number
  gid: number
}
export const DEFAULT_SANDBOX_USER: SandboxUser = { uid: 65534, gid: 65534 }

const EGRESS =
  'own network namespace with egress through slirp4netns; the host loopback (platform ports, local databases) is unreachable'
const FILTERED =
  '; private, link-local (cloud metadata), CGNAT and other non-public ranges are refused by an nftables filter in the namespace (PERIODIC_OUTBOUND_ALLOW addresses excepted)'
const UNFILTERED = '; private and link-local ranges ARE reachable (install nftables to filter them)'
const NO_EGRESS =
  'own network namespace, but slirp4netns did not attach: NO egress; the host loopback is unreachable'

/** What a root server needs to drop the code to `user`. */
interface Drop {
  user: SandboxUser
  setpriv: string
}
const ETC_FILES = ['/etc/resolv.conf', '/etc/hosts', '/etc/nsswitch.conf', '/etc/localtime']

/** `/a/b/c` -> [`/a`, `/a/b`]. */
function ancestors(path: string): string[] {
  const parts = path.split('/').filter(Boolean)
  return parts.slice(0, -1).map((_, i) => `/${parts.slice(0, i + 1).join('/')}`)
}

function which(bin: string): string | null {
  try {
    return execFileSync('which', [bin], { encoding: 'utf8' }).trim() || null
  } catch {
    return null
  }
}

export class BwrapExecutor implements Executor {
  readonly name = 'bwrap' as const
  readonly countsChildWrites = true
  readonly guarantees: ExecutorGuarantees
  private egress = false
  private egressCheckedAt = 0

  constructor(
    private readonly bwrap: string,
    private readonly slirp: string | null,
    private readonly cgroups: CgroupManager | null,
    private readonly drop: Drop | null = null,
    /** The namespace's egress filter (nsenter + nft, run as host root), and its ruleset. */
    private readonly firewall: { nsenter: string; nft: string; ruleset: string } | null = null,
  ) {
    const who = drop
      ? `runs as unprivileged host uid ${drop.user.uid}, no capabilities, no_new_privs`
      : process.getuid?.() === 0
        ? 'runs as HOST ROOT inside a user namespace (setpriv missing: install util-linux)'
        : 'runs as the server user inside a user namespace, no capabilities'
    this.guarantees = {
      filesystem: `read-only /usr and mounted code; private /tmp; host files, data dir and keys are not mounted; ${who}`,
      network: slirp
        ? this.egressText()
        : 'no slirp4netns: egress shares the host network, so host loopback services ARE reachable',
      memory: cgroups
        ? `cgroup v${cgroups.version} memory limit (kernel OOM kill)`
        : 'address-space rlimit (MemoryError)',
      processes: cgroups ? 'cgroup pids limit' : 'none beyond the pid namespace',
    }
  }

  static detect(
    cgroups: CgroupManager | null,
    user = DEFAULT_SANDBOX_USER,
    outboundAllow: readonly string[] = [],
  ): BwrapExecutor | null {
    const bwrap = which('bwrap')
    if (!bwrap) return null
    const root = process.getuid?.() === 0
    const setpriv = root ? which('setpriv') : null
    const nft = root ? (which('nft') ?? (existsSync('/usr/sbin/nft') ? '/usr/sbin/nft' : null)) : null
    const nsenter = root ? which('nsenter') : null
    const firewall = nft && nsenter ? { nft, nsenter, ruleset: egressRuleset(outboundAllow) } : null
    return new BwrapExecutor(
      bwrap,
      which('slirp4netns'),
      cgroups,
      setpriv ? { user, setpriv } : null,
      firewall,
    )
  }

  private egressText(): string {
    return EGRESS + (this.firewall ? FILTERED : UNFILTERED)
  }

  /** The host uid and gid the code's writes get (null: the server's own). */
  get hostUser(): SandboxUser | null {
    return this.drop?.user ?? null
  }

  private namespaces(o: SpawnOptions, useSlirp: boolean): string[] {
    const shareNet = o.network === 'egress' && !useSlirp
    if (!this.drop)
      return ['--unshare-all', ...(shareNet ? ['--share-net'] : []), '--uid', '65534', '--gid', '65534']
    // No user namespace: bwrap sets up as root, keeping only what setpriv needs to drop.
    return [
      '--unshare-pid',
      '--unshare-ipc',
      '--unshare-uts',
      '--unshare-cgroup-try',
      ...(shareNet ? [] : ['--unshare-net']),
      '--cap-drop',
      'ALL',
      ...['CAP_SETUID', 'CAP_SETGID', 'CAP_SETPCAP'].flatMap((c) => ['--cap-add', c]),
    ]
  }

  private args(o: SpawnOptions, useSlirp: boolean): string[] {
    const a = [...this.namespaces(o, useSlirp), '--die-with-parent', '--new-session']
    if (!this.drop) a.push('--cap-drop', 'ALL')
    if (useSlirp) a.push('--info-fd', '4', '--block-fd', '5')
    for (const link of ['bin', 'lib', 'lib64', 'sbin'])
      if (existsSync(`/usr/${link}`)) a.push('--symlink', `usr/${link}`, `/${link}`)
    // Without a user namespace the tmpfs would be root's; sticky and world-writable like a host /tmp.
    a.push('--proc', '/proc', '--dev', '/dev', '--perms', '1777', '--tmpfs', '/tmp', '--hostname', 'sandbox')
    const binds: Array<[string, string, string]> = [
      ...SYSTEM_RO.filter((d) => existsSync(d)).map((d): [string, string, string] => ['--ro-bind', d, d]),
      ...ETC_FILES.filter((f) => existsSync(f)).map((f): [string, string, string] => ['--ro-bind', f, f]),
      ...o.mounts.map((m): [string, string, string] => [
        m.writable ? '--bind' : '--ro-bind',
        m.source,
        m.target,
      ]),
    ]
    // bwrap creates missing parents of a mount point (/etc, /periodic) 0700: fine for a
    // sandbox root, unreadable for the unprivileged uid. Create them 0755 first.
    const parents = new Set(binds.flatMap(([, , target]) => ancestors(target)).filter((d) => d !== '/tmp'))
    for (const dir of [...parents].sort()) a.push('--perms', '0755', '--dir', dir)
    for (const bind of binds) a.push(...bind)
    // The root bwrap builds is a writable tmpfs: make it read-only, so only /tmp and writable
    // mounts take writes.
    a.push('--remount-ro', '/')
    a.push('--chdir', o.cwd, '--clearenv')
    for (const [k, v] of Object.entries(o.env)) a.push('--setenv', k, v)
    if (!this.drop) return [...a, '--', ...o.argv]
    const { uid, gid } = this.drop.user
    return [
      ...a,
      '--',
      this.drop.setpriv,
      `--reuid=${uid}`,
      `--regid=${gid}`,
      '--clear-groups',
      '--inh-caps=-all',
      '--bounding-set=-all',
      '--no-new-privs',
      '--',
      ...o.argv,
    ]
  }

  spawn(o: SpawnOptions): SandboxProcess {
    // The code's uid must be able to write where it may write (and nowhere else).
    if (this.drop)
      for (const m of o.mounts) if (m.writable) chownSync(m.source, this.drop.user.uid, this.drop.user.gid)
    const useSlirp = o.network === 'egress' && this.slirp !== null
    let child: ChildProcess | undefined
    const proc = launch({
      command: this.bwrap,
      args: this.args(o, useSlirp),
      env: { PATH: '/usr/bin:/bin' },
      cgroups: this.cgroups,
      spawn: o,
      extraFds: useSlirp ? 2 : 0,
      rlimitAsMb: o.memoryMb + 256,
      onSpawn: (c) => {
        child = c
      },
    })
    if (useSlirp && child) this.attachNetwork(child, proc)
    return proc
  }

  /** Reads the sandbox's pid from --info-fd, gives its namespace a slirp4netns link, then unblocks it. */
  private attachNetwork(child: ChildProcess, proc: SandboxProcess): void {
    const fds = child.stdio as unknown as Array<Readable | Writable>
    const info = fds[4] as Readable
    const block = fds[5] as Writable
    let buf = ''
    let slirp: ChildProcess | undefined
    let pid: string | undefined
    let exited = false
    const release = () => {
      if (!block.destroyed) block.end('1')
    }
    const startSlirp = (childPid: string) => {
      if (exited) return
      slirp = spawn(
        this.slirp!,
        ['--configure', '--mtu=65520', '--disable-host-loopback', '--ready-fd=3', childPid, 'tap0'],
        {
          stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
        },
      )
      const ready = slirp.stdio[3] as Readable
      const link = slirp
      // The filter goes in before the code runs; if it cannot, the link goes (no egress at all).
      ready.once('data', () => {
        if (!this.firewall) return release()
        const { nsenter, nft, ruleset } = this.firewall
        void applyEgressFirewall(nsenter, nft, childPid, ruleset).then((ok) => {
          if (!ok) link.kill('SIGKILL')
          release()
        })
      })
      slirp.once('exit', release)
      slirp.once('error', release)
    }
    // bwrap's child configures its loopback (add 127.0.0.1, then link up) only after it has
    // reported its pid. slirp4netns --configure also brings lo up; when it wins that race bwrap
    // dies with "loopback: Failed RTM_NEWADDR". So slirp starts once 127.0.0.1 is on lo.
    const whenLoopbackReady = (childPid: string, deadline: number) => {
      if (exited) return
      let ready: boolean
      try {
        ready = readFileSync(`/proc/${childPid}/net/fib_trie`, 'utf8').includes('127.0.0.1')
      } catch {
        ready = true // unreadable (or gone): do not wait
      }
      if (ready || Date.now() > deadline) startSlirp(childPid)
      else setTimeout(() => whenLoopbackReady(childPid, deadline), 2)
    }
    info.on('data', (d: Buffer) => {
      buf += d.toString()
      const m = /"child-pid":\s*(\d+)/.exec(buf)
      if (!m || pid) return
      pid = m[1]!
      whenLoopbackReady(pid, Date.now() + 5000)
    })
    info.on('error', () => {})
    block.on('error', () => {})
    void proc.exited.then(() => {
      exited = true
      slirp?.kill('SIGKILL')
    })
  }

  /** Runs a command in a sandbox and returns its exit code and stdout. */
  private async probe(
    argv: string[],
    network: SpawnOptions['network'],
  ): Promise<{ ok: boolean; out: string; exit: string }> {
    const p = this.spawn({ argv, env: {}, mounts: [], cwd: '/', memoryMb: 64, maxPids: 16, network })
    p.stdin.end()
    p.control.resume()
    p.stderr.resume()
    let out = ''
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString()
    })
    const exit = await p.exited
    return { ok: exit.code === 0, out, exit: String(exit.code ?? exit.signal) }
  }

  async health(): Promise<{ ok: boolean; detail: string }> {
    const started = await this.probe(['/bin/true'], 'none')
    if (!started.ok) return { ok: false, detail: `bwrap exited with ${started.exit}` }
    if (!this.slirp) return { ok: true, detail: 'bwrap starts sandboxes' }
    // Diagnostics must say what is, not what was meant: a namespace whose slirp4netns did not
    // attach has no route out. Probed at most once a minute (diagnostics is a read operation).
    if (Date.now() - this.egressCheckedAt > 60_000) {
      const routes = await this.probe(['/bin/cat', '/proc/net/route'], 'egress')
      this.egress = routes.out.split('\n').some((l) => /^(?!lo\s)\S+\s+00000000\s/.test(l))
      this.egressCheckedAt = Date.now()
    }
    const egress = this.egress
    this.guarantees.network = egress ? this.egressText() : NO_EGRESS
    return {
      ok: true,
      detail: egress
        ? 'bwrap starts sandboxes; egress through slirp4netns'
        : 'bwrap starts sandboxes, but slirp4netns did not attach: sandboxes have NO network egress',
    }
  }
}
