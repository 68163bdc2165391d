// The gVisor executor (strict tier): every sandbox is an OCI container run by `runsc`, so user
// code talks to gVisor's user-space kernel, never to the host kernel directly. No network at
// all. gVisor hands a container only stdin, stdout and stderr, so the fd 3 protocol channel
// is a FIFO in a directory mounted into the container; a shell opens it as fd 3 and execs.
import { execFileSync, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import {
  chownSync,
  closeSync,
  constants,
  createReadStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { DEFAULT_SANDBOX_USER, type SandboxUser } from './bwrap.ts'
import type { CgroupManager } from './cgroup.ts'
import type { Executor, ExecutorGuarantees, SandboxProcess, SpawnOptions } from './executor.ts'
import { launch } from './launch.ts'

const SYSTEM_RO = ['/usr', '/etc/ssl', '/etc/ca-certificates', '/etc/alternatives']
const ETC_FILES = ['/etc/hosts', '/etc/nsswitch.conf', '/etc/localtime']
const CONTROL_DIR = '/run/periodic'
// gVisor's own threads are host tasks in the sandbox's cgroup: leave room for them.
const RUNSC_TASKS = 256

export class GvisorExecutor implements Executor {
  readonly name = 'gvisor' as const
  readonly countsChildWrites = false
  readonly guarantees: ExecutorGuarantees
  private readonly home = mkdtempSync(join(tmpdir(), 'periodic-gvisor-'))

  constructor(
    private readonly runsc: string,
    private readonly cgroups: CgroupManager | null,
    /** The code's uid and gid inside gVisor; its gofer creates files with them on the host. */
    private readonly user: SandboxUser = DEFAULT_SANDBOX_USER,
  ) {
    this.guarantees = {
      filesystem:
        'gVisor user-space kernel; read-only /usr and mounted code, private /tmp; host files, data dir and keys are not mounted',
      network: 'none: no network namespace link at all (strict tier), the host loopback is unreachable',
      memory: cgroups
        ? `cgroup v${cgroups.version} memory limit on the whole sandbox`
        : 'none (no cgroup available)',
      processes: `RLIMIT_NPROC inside gVisor${cgroups ? ', cgroup pids limit on the sandbox' : ''}`,
    }
  }

  static detect(cgroups: CgroupManager | null, user = DEFAULT_SANDBOX_USER): GvisorExecutor | null {
    let runsc: string
    try {
      runsc = execFileSync('which', ['runsc'], { encoding: 'utf8' }).trim()
    } catch {
      return null
    }
    return runsc ? new GvisorExecutor(runsc, cgroups, user) : null
  }

  spawn(o: SpawnOptions): SandboxProcess {
    // gVisor checks permissions against the owner it sees: a writable mount the server (root)
    // created would be read-only for the code's uid. Hand it to that uid.
    if (process.getuid?.() === 0)
      for (const m of o.mounts) if (m.writable) chownSync(m.source, this.user.uid, this.user.gid)
    const id = `p-${randomBytes(8).toString('hex')}`
    const dir = join(this.home, id)
    const rootfs = join(dir, 'rootfs')
    const control = join(dir, 'control')
    mkdirSync(control, { recursive: true })
    for (const d of [
      'usr',
      'etc',
      'tmp',
      'proc',
      'dev',
      CONTROL_DIR.slice(1),
      ...o.mounts.map((m) => m.target.slice(1)),
    ])
      mkdirSync(join(rootfs, d), { recursive: true })
    for (const link of ['bin', 'lib', 'lib64', 'sbin'])
      if (existsSync(`/usr/${link}`)) execFileSync('ln', ['-s', `usr/${link}`, join(rootfs, link)])
    const fifo = join(control, 'fd3')
    execFileSync('mkfifo', ['-m', '0666', fifo])
    writeFileSync(join(dir, 'config.json'), JSON.stringify(this.ociConfig(o, rootfs)))

    const proc = launch({
      command: this.runsc,
      args: [
        '--root',
        join(dir, 'state'),
        '--rootless',
        '--network=none',
        '--ignore-cgroups',
        '--host-fifo=open',
        'run',
        '--bundle',
        dir,
        id,
      ],
      env: { PATH: '/usr/bin:/bin' },
      cgroups: this.cgroups,
      spawn: { ...o, maxPids: o.maxPids + RUNSC_TASKS },
    })

    // Opening a FIFO for reading waits for its writer; the open runs on libuv's thread pool.
    const controlStream = new PassThrough()
    const reader = createReadStream(fifo)
    reader.on('error', () => controlStream.end())
    reader.pipe(controlStream)
    void proc.exited.then(() => {
      // If the sandbox died before opening its end, wake the waiting open so the stream ends.
      try {
        closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK))
      } catch {}
      spawnSync(this.runsc, ['--root', join(dir, 'state'), 'delete', '--force', id], {
        stdio: 'ignore',
        timeout: 5000,
      })
      setTimeout(() => rmSync(dir, { recursive: true, force: true }), 1000).unref()
    })
    return { ...proc, control: controlStream }
  }

  private ociConfig(o: SpawnOptions, rootfs: string): object {
    const bind = (source: string, destination: string, writable = false) => ({
      destination,
      type: 'bind',
      source,
      options: ['rbind', writable ? 'rw' : 'ro'],
    })
    const mounts: object[] = [
      { destination: '/proc', type: 'proc', source: 'proc' },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs' },
      { destination: '/tmp', type: 'tmpfs', source: 'tmpfs' },
      bind(join(rootfs, '..', 'control'), CONTROL_DIR, true),
    ]
    for (const d of SYSTEM_RO) if (existsSync(d)) mounts.push(bind(d, d))
    for (const f of ETC_FILES)
      if (existsSync(f)) {
        writeFileSync(join(rootfs, f), '')
        mounts.push(bind(f, f))
      }
    for (const m of o.mounts) mounts.push(bind(m.source, m.target, m.writable))
    return {
      ociVersion: '1.0.0',
      process: {
        user: { uid: this.user.uid, gid: this.user.gid },
        args: ['/bin/sh', '-c', `exec 3>${CONTROL_DIR}/fd3; exec "$@"`, 'sh', ...o.argv],
        env: Object.entries({ PATH: '/usr/bin:/bin', ...o.env }).map(([k, v]) => `${k}=${v}`),
        cwd: o.cwd,
        noNewPrivileges: true,
        rlimits: [{ type: 'RLIMIT_NPROC', hard: o.maxPids, soft: o.maxPids }],
      },
      root: { path: rootfs, readonly: true },
      hostname: 'sandbox',
      mounts,
      linux: {
        namespaces: ['pid', 'ipc', 'uts', 'mount', 'network'].map((type) => ({ type })),
      },
    }
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
    p.control.resume()
    const exit = await p.exited
    return exit.code === 0
      ? { ok: true, detail: 'runsc starts sandboxes' }
      : { ok: false, detail: `runsc exited with ${exit.code ?? exit.signal}` }
  }
}
