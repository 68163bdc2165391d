// The bubblewrap executor: new pid, ipc, uts, cgroup and network namespaces, no
// capabilities, uid 65534, a read-only system, a private /tmp and --die-with-parent. Egress
// goes through slirp4netns with the host's loopback disabled, so user code reaches the
// internet but not the platform's own ports or databases on 127.0.0.1, and an nftables filter
// in the namespace (egress-firewall.ts) refuses private and metadata addresses.
//
// Who the code is on the host depends on who the server is. Run as a normal user, bwrap adds
// a user namespace and the sandbox's uid 65534 is the server's uid outside. Run as root, a
// user namespace would map the sandbox to host root (files it writes, setuid bits and all,
// would be root's), so bwrap runs without one and setpriv drops the code to an unprivileged
// host uid (PERIODIC_SANDBOX_UID, default 65534) with no capabilities and no_new_privs; the
// writable mounts are handed to that uid.
//
// slirp4netns attaches by joining /proc/<pid>/ns/user, then the network namespace. With a user
// namespace that must be the one owning the network namespace: see sandboxDev for why the
// sandbox gets a /dev without devpts.
import { type ChildProcess, execFileSync } from 'node:child_process'
import { chownSync, existsSync } from 'node:fs'
import type { Writable } from 'node:stream'
import type { CgroupManager } from './cgroup.ts'
import { egressRuleset, FILTER_FAILED_EXIT, loadFilterArgv } from './egress-firewall.ts'
import type { Executor, ExecutorGuarantees, SandboxProcess, SpawnOptions } from './executor.ts'
import { launch } from './launch.ts'
import { applyEnvironmentArgv, ENV_FD, environmentScript, HELPER_ENV } from './sandbox-environment.ts'
import { attachSlirpNetwork, RESOLV_CONF_BIND, SLIRP_BWRAP_ARGS, SLIRP_EXTRA_FDS } from './slirp-network.ts'

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
const UNFILTERED =
  '; private and link-local ranges ARE reachable (install nftables, and setpriv from util-linux, to filter them)'
const NO_EGRESS =
  'own network namespace, but slirp4netns did not attach: NO egress; the host loopback is unreachable'
const FILTER_BROKEN =
  'own network namespace, but the nftables egress filter could not be installed: sandboxes with egress do not start'

/** setpriv, and who a root server drops the code to (null: the server is not root). */
interface Drop {
  setpriv: string
  user: SandboxUser | null
}
/** The egress filter: nft, run inside the sandbox before the code, and the ruleset it loads. */
interface Filter {
  nft: string
  ruleset: string
}
const ETC_FILES = ['/etc/resolv.conf', '/etc/hosts', '/etc/nsswitch.conf', '/etc/localtime']
const DEV_NODES = ['null', 'zero', 'full', 'random', 'urandom', 'tty']

/**
 * /dev for a sandbox. In a user namespace, bwrap's `--dev` mounts a devpts, which needs uid 0 in
 * the namespace: bwrap then maps the server to 0, and switches to 65534 at the end through a
 * second, nested user namespace. slirp4netns joins the nested one, which does not own the network
 * namespace (setns: EPERM) — unless it wins the race with bwrap's unshare, so egress came and
 * went. Bind-mounted device nodes need no devpts and leave one user namespace. As root (no user
 * namespace) bwrap's own /dev is kept.
 */
function sandboxDev(userNamespace: boolean): string[] {
  if (!userNamespace) return ['--dev', '/dev']
  const nodes = DEV_NODES.filter((n) => existsSync(`/dev/${n}`))
  return [
    ...['--perms', '0755', '--tmpfs', '/dev'],
    ...nodes.flatMap((n) => ['--dev-bind', `/dev/${n}`, `/dev/${n}`]),
    ...['--perms', '1777', '--tmpfs', '/dev/shm'],
    ...['--symlink', '/proc/self/fd', '/dev/fd'],
    ...['stdin', 'stdout', 'stderr'].flatMap((n, fd) => ['--symlink', `/proc/self/fd/${fd}`, `/dev/${n}`]),
  ]
}

/** setpriv's options that leave the code no capability (and, as root, an unprivileged uid). */
function dropArgs(drop: Drop): string[] {
  const who = drop.user ? [`--reuid=${drop.user.uid}`, `--regid=${drop.user.gid}`, '--clear-groups'] : []
  return [
    drop.setpriv,
    ...who,
    '--inh-caps=-all',
    '--ambient-caps=-all',
    '--bounding-set=-all',
    '--no-new-privs',
    '--',
  ]
}

const capAdd = (caps: string[]) => caps.flatMap((c) => ['--cap-add', c])

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
  private filterFailed = ''
  private egressCheckedAt = 0

  constructor(
    private readonly bwrap: string,
    private readonly slirp: string | null,
    private readonly cgroups: CgroupManager | null,
    private readonly drop: Drop | null = null,
    /** The namespace's egress filter (needs setpriv in `drop` to shed CAP_NET_ADMIN after it). */
    private readonly firewall: Filter | null = null,
  ) {
    const who = drop?.user
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
    const setpriv = which('setpriv')
    const nft = which('nft') ?? (existsSync('/usr/sbin/nft') ? '/usr/sbin/nft' : null)
    const firewall = nft && setpriv ? { nft, ruleset: egressRuleset(outboundAllow) } : null
    return new BwrapExecutor(
      bwrap,
      which('slirp4netns'),
      cgroups,
      setpriv ? { setpriv, user: root ? user : null } : null,
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

  /** Root server: no user namespace, setpriv drops the code to the sandbox user. */
  private get rootDrop(): boolean {
    return this.drop?.user != null
  }

  private namespaces(o: SpawnOptions, useSlirp: boolean): string[] {
    const shareNet = o.network === 'egress' && !useSlirp
    const filter = useSlirp && this.firewall ? ['CAP_NET_ADMIN'] : []
    if (!this.rootDrop)
      return [
        '--unshare-all',
        ...(shareNet ? ['--share-net'] : []),
        ...['--uid', '65534', '--gid', '65534', '--cap-drop', 'ALL'],
        // The filter's shell loads the ruleset, then setpriv sheds these before the code runs.
        ...capAdd(filter.length ? [...filter, 'CAP_SETPCAP'] : []),
      ]
    // No user namespace: bwrap sets up as root, keeping only what setpriv (and nft) need.
    return [
      '--unshare-pid',
      '--unshare-ipc',
      '--unshare-uts',
      '--unshare-cgroup-try',
      ...(shareNet ? [] : ['--unshare-net']),
      '--cap-drop',
      'ALL',
      ...capAdd(['CAP_SETUID', 'CAP_SETGID', 'CAP_SETPCAP', ...filter]),
    ]
  }

  /** The command bwrap runs: [load the filter,] [drop to no capabilities,] set the environment, the code. */
  private command(o: SpawnOptions, useSlirp: boolean): string[] {
    const filter = useSlirp ? this.firewall : null
    const code = [...applyEnvironmentArgv(), ...o.argv]
    const dropped = this.drop && (this.rootDrop || filter) ? [...dropArgs(this.drop), ...code] : code
    return filter ? [...loadFilterArgv(filter.nft, filter.ruleset), ...dropped] : dropped
  }

  private args(o: SpawnOptions, useSlirp: boolean): string[] {
    const a = [...this.namespaces(o, useSlirp), '--die-with-parent', '--new-session']
    if (useSlirp) a.push(...SLIRP_BWRAP_ARGS)
    for (const link of ['bin', 'lib', 'lib64', 'sbin'])
      if (existsSync(`/usr/${link}`)) a.push('--symlink', `usr/${link}`, `/${link}`)
    a.push('--proc', '/proc', ...sandboxDev(!this.rootDrop))
    // Without a user namespace the tmpfs would be root's; sticky and world-writable like a host /tmp.
    a.push('--perms', '1777', '--tmpfs', '/tmp', '--hostname', 'sandbox')
    // Behind slirp, the host's name server is out of reach: the sandbox gets slirp's forwarder.
    const etc = useSlirp ? ETC_FILES.filter((f) => f !== '/etc/resolv.conf') : ETC_FILES
    // Each entry ends with its mount point.
    const binds: string[][] = [
      ...SYSTEM_RO.filter((d) => existsSync(d)).map((d) => ['--ro-bind', d, d]),
      ...etc.filter((f) => existsSync(f)).map((f) => ['--ro-bind', f, f]),
      ...(useSlirp ? [RESOLV_CONF_BIND] : []),
      ...o.mounts.map((m) => [m.writable ? '--bind' : '--ro-bind', m.source, m.target]),
    ]
    // bwrap creates missing parents of a mount point (/etc, /periodic) 0700: fine for a
    // sandbox root, unreadable for the unprivileged uid. Create them 0755 first.
    const parents = new Set(binds.flatMap((b) => ancestors(b.at(-1)!)).filter((d) => d !== '/tmp'))
    for (const dir of [...parents].sort()) a.push('--perms', '0755', '--dir', dir)
    for (const bind of binds) a.push(...bind)
    // The root bwrap builds is a writable tmpfs: make it read-only, so only /tmp and writable
    // mounts take writes.
    a.push('--remount-ro', '/')
    // The code's environment comes on ENV_FD, to the last step (sandbox-environment.ts).
    a.push('--chdir', o.cwd, '--clearenv')
    for (const [k, v] of Object.entries(HELPER_ENV)) a.push('--setenv', k, v)
    return [...a, '--', ...this.command(o, useSlirp)]
  }

  spawn(o: SpawnOptions): SandboxProcess {
    // The code's uid must be able to write where it may write (and nowhere else).
    const user = this.drop?.user
    if (user) for (const m of o.mounts) if (m.writable) chownSync(m.source, user.uid, user.gid)
    const useSlirp = o.network === 'egress' && this.slirp !== null
    const script = environmentScript(o.env)
    let child: ChildProcess | undefined
    const proc = launch({
      command: this.bwrap,
      args: this.args(o, useSlirp),
      env: { PATH: '/usr/bin:/bin' },
      cgroups: this.cgroups,
      spawn: o,
      extraFds: 1 + (useSlirp ? SLIRP_EXTRA_FDS : 0),
      rlimitAsMb: o.memoryMb + 256,
      onSpawn: (c) => {
        child = c
      },
    })
    const envPipe = child?.stdio[ENV_FD] as Writable | undefined
    envPipe?.on('error', () => {})
    envPipe?.end(script)
    if (useSlirp && child) attachSlirpNetwork(this.slirp!, child, proc)
    return proc
  }

  /** Runs a command in a sandbox and returns how it ended and what it printed. */
  private async probe(
    argv: string[],
    network: SpawnOptions['network'],
  ): Promise<{ ok: boolean; out: string; err: string; exit: string }> {
    const p = this.spawn({ argv, env: {}, mounts: [], cwd: '/', memoryMb: 64, maxPids: 16, network })
    p.stdin.end()
    p.control.resume()
    const text = { out: '', err: '' }
    p.stdout.on('data', (d: Buffer) => {
      text.out += d.toString()
    })
    p.stderr.on('data', (d: Buffer) => {
      if (text.err.length < 4000) text.err += d.toString()
    })
    const exit = await p.exited
    return { ok: exit.code === 0, ...text, exit: String(exit.code ?? exit.signal) }
  }

  async health(): Promise<{ ok: boolean; detail: string }> {
    const started = await this.probe(['/bin/true'], 'none')
    if (!started.ok) return { ok: false, detail: `bwrap exited with ${started.exit}` }
    if (!this.slirp) return { ok: true, detail: 'bwrap starts sandboxes' }
    // Diagnostics must say what is, not what was meant: a namespace whose slirp4netns did not
    // attach has no route out, and one whose filter did not load does not start. Probed at most
    // once a minute (diagnostics is a read operation).
    if (Date.now() - this.egressCheckedAt > 60_000) {
      const routes = await this.probe(['/bin/cat', '/proc/net/route'], 'egress')
      this.filterFailed =
        routes.exit === String(FILTER_FAILED_EXIT) ? (routes.err.trim().split('\n')[0] ?? 'nft failed') : ''
      this.egress = routes.out.split('\n').some((l) => /^(?!lo\s)\S+\s+00000000\s/.test(l))
      this.egressCheckedAt = Date.now()
    }
    if (this.filterFailed) {
      this.guarantees.network = FILTER_BROKEN
      return { ok: false, detail: `the sandbox egress filter could not be installed: ${this.filterFailed}` }
    }
    const egress = this.egress
    this.guarantees.network = egress ? this.egressText() : NO_EGRESS
    return {
      ok: true,
      detail: egress
        ? `bwrap starts sandboxes; egress through slirp4netns${this.firewall ? ', filtered by nftables' : ''}`
        : 'bwrap starts sandboxes, but slirp4netns did not attach: sandboxes have NO network egress',
    }
  }
}
