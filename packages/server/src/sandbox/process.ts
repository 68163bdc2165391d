// The process executor: the code runs as a plain child process of the server. No isolation
// at all — it exists for machines without bubblewrap, and the server warns loudly at start.
// Paths inside the "sandbox" are the host paths of the mounts (there is no mount namespace).
import type { CgroupManager } from './cgroup.ts'
import type { Executor, Mount, SandboxProcess, SpawnOptions } from './executor.ts'
import { launch } from './launch.ts'

/** Rewrites a sandbox path (a mount target) to the host path it stands for. */
export function hostPath(mounts: Mount[], p: string): string {
  const m = [...mounts]
    .sort((a, b) => b.target.length - a.target.length)
    .find((x) => p === x.target || p.startsWith(`${x.target}/`))
  return m ? m.source + p.slice(m.target.length) : p
}

export class ProcessExecutor implements Executor {
  readonly name = 'process' as const
  readonly countsChildWrites = true
  readonly guarantees = {
    filesystem: 'NONE: code runs as the server user and can read and write what the server can',
    network: 'NONE: code shares the host network, platform ports included',
    memory: 'cgroup memory limit when available, else an address-space rlimit',
    processes: 'cgroup pids limit when available, else none',
  }

  constructor(private readonly cgroups: CgroupManager | null) {}

  spawn(o: SpawnOptions): SandboxProcess {
    const map = (s: string) => hostPath(o.mounts, s)
    const [cmd, ...args] = o.argv.map(map)
    const env = Object.fromEntries(Object.entries(o.env).map(([k, v]) => [k, map(v)]))
    return launch({
      command: cmd!,
      args,
      env: { PATH: '/usr/local/bin:/usr/bin:/bin', ...env },
      cwd: map(o.cwd),
      cgroups: this.cgroups,
      spawn: o,
      rlimitAsMb: o.memoryMb + 256,
    })
  }

  async health(): Promise<{ ok: boolean; detail: string }> {
    return { ok: true, detail: 'process executor: code is NOT isolated' }
  }
}
