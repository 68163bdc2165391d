// The sandbox executor interface: how untrusted code is started. Implementations: bwrap.ts
// (namespaces, the default on Linux), process.ts (no isolation, loud warning). Only main.ts
// chooses one; the sandbox contract suite runs against every executor present.
import type { Readable, Writable } from 'node:stream'

export interface Mount {
  /** Path on the host. */
  source: string
  /** Path inside the sandbox. */
  target: string
  writable?: boolean
}

export interface SpawnOptions {
  /** Program and arguments, as seen inside the sandbox. */
  argv: string[]
  env: Record<string, string>
  mounts: Mount[]
  cwd: string
  memoryMb: number
  /** Most processes/threads the sandbox may hold at once (fork bombs stop here). */
  maxPids: number
  /** `egress`: outbound network, but never the host's own loopback services where preventable. */
  network: 'egress' | 'none'
}

export interface ExitInfo {
  code: number | null
  signal: NodeJS.Signals | null
  /** The kernel killed it for exceeding the memory limit. */
  oomKilled: boolean
}

export interface SandboxProcess {
  readonly pid: number
  readonly stdin: Writable
  readonly stdout: Readable
  readonly stderr: Readable
  /** fd 3 inside the sandbox: the protocol channel, apart from the code's own output. */
  readonly control: Readable
  readonly exited: Promise<ExitInfo>
  /** Kills everything in the sandbox. */
  kill(): void
  /** Peak memory of the sandbox in MB when the executor can measure it. */
  peakMemoryMb(): number | null
}

export interface ExecutorGuarantees {
  filesystem: string
  network: string
  memory: string
  processes: string
}

export interface Executor {
  readonly name: 'bwrap' | 'process' | 'gvisor'
  readonly guarantees: ExecutorGuarantees
  /** /proc/self/io inside the sandbox counts the writes of reaped children (gVisor's does not). */
  readonly countsChildWrites: boolean
  spawn(opts: SpawnOptions): SandboxProcess
  /** Checks the executor can start a process; `detail` says why not. */
  health(): Promise<{ ok: boolean; detail: string }>
}
