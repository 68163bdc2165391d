// The bubblewrap executor: new user, pid, ipc, uts, cgroup and network namespaces, no
// capabilities, uid 65534, a read-only system, a private /tmp and --die-with-parent. Egress
// goes through slirp4netns with the host's loopback disabled, so user code reaches the
// internet but not the platform's own ports or databases on 127.0.0.1.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import type { Readable, Writable } from 'node:stream'
import type { CgroupManager } from './cgroup.ts'
import type { Executor, ExecutorGuarantees, SandboxProcess, SpawnOptions } from './executor.ts'
import { launch } from './launch.ts'

const SYSTEM_RO = ['/usr', '/etc/ssl', '/etc/ca-certificates', '/etc/alternatives']
const ETC_FILES = ['/etc/resolv.conf', '/etc/hosts', '/etc/nsswitch.conf', '/etc/localtime']

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

  constructor(
    private readonly bwrap: string,
    private readonly slirp: string | null,
    private readonly cgroups: CgroupManager | null,
  ) {
    this.guarantees = {
      filesystem:
        'read-only /usr and mounted code; private /tmp; host files, data dir and keys are not mounted',
      network: slirp
        ? 'own network namespace with egress through slirp4netns; the host loopback (platform ports, local databases) is unreachable'
        : 'no slirp4netns: egress shares the host network, so host loopback services ARE reachable',
      memory: cgroups
        ? `cgroup v${cgroups.version} memory limit (kernel OOM kill)`
        : 'address-space rlimit (MemoryError)',
      processes: cgroups ? 'cgroup pids limit' : 'none beyond the pid namespace',
    }
  }

  static detect(cgroups: CgroupManager | null): BwrapExecutor | null {
    const bwrap = which('bwrap')
    if (!bwrap) return null
    return new BwrapExecutor(bwrap, which('slirp4netns'), cgroups)
  }

  private args(o: SpawnOptions, useSlirp: boolean): string[] {
    const a = [
      '--unshare-all',
      '--die-with-parent',
      '--new-session',
      '--cap-drop',
      'ALL',
      '--uid',
      '65534',
      '--gid',
      '65534',
    ]
    if (o.network === 'egress' && !useSlirp) a.push('--share-net')
    if (useSlirp) a.push('--info-fd', '4', '--block-fd', '5')
    for (const dir of SYSTEM_RO) if (existsSync(dir)) a.push('--ro-bind', dir, dir)
    for (const file of ETC_FILES) if (existsSync(file)) a.push('--ro-bind', file, file)
    for (const link of ['bin', 'lib', 'lib64', 'sbin'])
      if (existsSync(`/usr/${link}`)) a.push('--symlink', `usr/${link}`, `/${link}`)
    a.push('--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp', '--hostname', 'sandbox')
    for (const m of o.mounts) a.push(m.writable ? '--bind' : '--ro-bind', m.source, m.target)
    // The root bwrap builds is a writable tmpfs: make it read-only, so only /tmp and writable
    // mounts take writes.
    a.push('--remount-ro', '/')
    a.push('--chdir', o.cwd, '--clearenv')
    for (const [k, v] of Object.entries(o.env)) a.push('--setenv', k, v)
    return [...a, '--', ...o.argv]
  }

  spawn(o: SpawnOptions): SandboxProcess {
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
      ready.once('data', release)
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

  async health(): Promise<{ ok: boolean; detail: string }> {
    const p = this.spawn({
      argv: ['/bin/true'],
      env: {},
      mounts: [],
      cwd: '/',
      memoryMb: 64,
      maxPids: 16,
      network: 'none',
    })
    p.stdin.end()
    const exit = await p.exited
    return exit.code === 0
      ? { ok: true, detail: 'bwrap starts sandboxes' }
      : { ok: false, detail: `bwrap exited with ${exit.code ?? exit.signal}` }
  }
}
