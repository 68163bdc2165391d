// Starts a sandbox command with the standard descriptors (stdin, stdout, stderr, fd 3 for the
// protocol), inside its cgroup when there is one, and reports how it ended.
import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import type { Readable, Writable } from 'node:stream'
import type { Cgroup, CgroupManager } from './cgroup.ts'
import type { ExitInfo, SandboxProcess, SpawnOptions } from './executor.ts'

// `$$` is the shell's pid; after exec the same pid is the sandbox, already in its cgroups.
const PRELUDE =
  'for f in $PERIODIC_CGROUP_PROCS; do echo $$ > "$f" || exit 97; done; unset PERIODIC_CGROUP_PROCS; exec "$@"'

export interface LaunchOptions {
  command: string
  args: string[]
  /** Environment of the launched command itself (bwrap gets a minimal one and sets the sandbox's). */
  env: Record<string, string>
  cwd?: string
  cgroups: CgroupManager | null
  spawn: SpawnOptions
  /** Extra pipes after fd 3 (bwrap's environment, --info-fd, --block-fd and --ro-bind-data). */
  extraFds?: number
  /** Address-space rlimit in MB, used only when there is no cgroup. */
  rlimitAsMb?: number
  onSpawn?(child: ChildProcess): void
}

/** Kills every task of the cgroup, again until none is left (forks race the first pass). */
function sweep(cgroup: Cgroup, then: () => void = () => {}, tries = 40): void {
  if (cgroup.killAll() > 0 && tries > 0) setTimeout(() => sweep(cgroup, then, tries - 1), 25).unref()
  else then()
}

export function launch(o: LaunchOptions): SandboxProcess {
  let cgroup: Cgroup | null = null
  if (o.cgroups)
    cgroup = o.cgroups.create(`w-${randomBytes(6).toString('hex')}`, o.spawn.memoryMb, o.spawn.maxPids)
  let command = o.command
  let args = o.args
  const env = { ...o.env }
  if (cgroup) {
    env['PERIODIC_CGROUP_PROCS'] = cgroup.procsFiles.join(' ')
    args = ['-c', PRELUDE, 'sh', command, ...args]
    command = '/bin/sh'
  } else if (o.rlimitAsMb) {
    args = [`--as=${o.rlimitAsMb * 1024 * 1024}`, '--', command, ...args]
    command = 'prlimit'
  }
  const stdio: Array<'pipe'> = [
    'pipe',
    'pipe',
    'pipe',
    'pipe',
    ...Array<'pipe'>(o.extraFds ?? 0).fill('pipe'),
  ]
  const child = spawn(command, args, { env, cwd: o.cwd, stdio, detached: true })
  o.onSpawn?.(child)
  // detached: the child leads its own process group. Its pid is not reused while the group has
  // members, so the group can be killed even after the leader exited.
  const killGroup = (): boolean => {
    if (child.pid === undefined) return false
    try {
      process.kill(-child.pid, 'SIGKILL')
      return true
    } catch {
      return false
    }
  }
  const exited = new Promise<ExitInfo>((resolve) => {
    let done = false
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      if (done) return
      done = true
      const oomKilled = cgroup?.oomKilled() ?? false
      // Whatever the sandbox left behind dies with it: when the kernel OOM-kills the main
      // process, a fork bomb's orphans would otherwise go on forking, in its group and cgroup.
      killGroup()
      // Give the kernel a moment to reap the last tasks before removing the cgroup.
      if (cgroup) sweep(cgroup, () => setTimeout(() => cgroup?.remove(), 50).unref())
      resolve({ code, signal, oomKilled })
    }
    child.on('exit', finish)
    child.on('error', () => finish(127, null))
  })
  const kill = () => {
    if (cgroup) sweep(cgroup)
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return
    if (!killGroup()) child.kill('SIGKILL')
  }
  return {
    pid: child.pid ?? -1,
    stdin: child.stdin as Writable,
    stdout: child.stdout as Readable,
    stderr: child.stderr as Readable,
    control: child.stdio[3] as Readable,
    exited,
    kill,
    peakMemoryMb: () => cgroup?.peakMemoryMb() ?? null,
  }
}
