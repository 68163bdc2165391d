// Kernel-enforced memory and process limits through cgroups (v1 or v2, whichever this host
// runs). A sandbox enters its cgroup before exec, through a one-line shell prelude, so no
// user code ever runs outside it. When no cgroup is writable the executor falls back to an
// address-space rlimit and says so in its guarantees.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'

export interface Cgroup {
  /** `cgroup.procs` files a process must write its pid to, one per hierarchy. */
  readonly procsFiles: string[]
  oomKilled(): boolean
  peakMemoryMb(): number | null
  /** SIGKILLs every process still in the cgroup; returns how many it signalled. */
  killAll(): number
  remove(): void
}

interface Hierarchy {
  version: 1 | 2
  memoryBase: string
  pidsBase: string | null
}

function read(file: string): string | null {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return null
  }
}

function tryWrite(file: string, value: string): boolean {
  try {
    writeFileSync(file, value)
    return true
  } catch {
    return false
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Kills what is left in a cgroup directory and removes it, children first. */
function removeTree(dir: string): void {
  let children: string[] = []
  try {
    children = readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
  } catch {
    return
  }
  for (const child of children) removeTree(join(dir, child))
  for (const pid of (read(join(dir, 'cgroup.procs')) ?? '').split('\n').filter(Boolean)) {
    try {
      process.kill(Number(pid), 'SIGKILL')
    } catch {}
  }
  try {
    rmdirSync(dir)
  } catch {
    // A task is still dying; the next start sweeps it.
  }
}

/**
 * Removes the `periodic-<pid>` cgroups of servers that died without closing them (`kill -9`),
 * so they do not pile up under the parent across restarts. A pid that is alive is left alone:
 * another server (or test process) on this machine owns it.
 */
export function sweepStaleCgroups(parent: string): string[] {
  let names: string[] = []
  try {
    names = readdirSync(parent)
  } catch {
    return []
  }
  const swept: string[] = []
  for (const name of names) {
    const m = /^periodic-(\d+)$/.exec(name)
    if (!m || Number(m[1]) === process.pid || alive(Number(m[1]))) continue
    removeTree(join(parent, name))
    if (!existsSync(join(parent, name))) swept.push(name)
  }
  return swept
}

/** Finds a writable place for our cgroups, or null. */
function detect(): Hierarchy | null {
  const self = read('/proc/self/cgroup') ?? ''
  const lines = self
    .trim()
    .split('\n')
    .map((l) => l.split(':'))
  const v1 = (ctrl: string) => lines.find((l) => l[1]?.split(',').includes(ctrl))?.[2]
  const memPath = v1('memory')
  const base = `periodic-${process.pid}`
  if (memPath !== undefined && existsSync('/sys/fs/cgroup/memory')) {
    const memoryBase = join('/sys/fs/cgroup/memory', memPath, base)
    const pidsPath = v1('pids')
    const pidsBase = pidsPath !== undefined ? join('/sys/fs/cgroup/pids', pidsPath, base) : null
    sweepStaleCgroups(dirname(memoryBase))
    if (pidsBase) sweepStaleCgroups(dirname(pidsBase))
    try {
      mkdirSync(memoryBase, { recursive: true })
      if (pidsBase) mkdirSync(pidsBase, { recursive: true })
      return { version: 1, memoryBase, pidsBase }
    } catch {
      return null
    }
  }
  const unified = lines.find((l) => l[0] === '0')?.[2]
  if (unified !== undefined && existsSync('/sys/fs/cgroup/cgroup.controllers')) {
    const memoryBase = join('/sys/fs/cgroup', unified, base)
    sweepStaleCgroups(dirname(memoryBase))
    try {
      mkdirSync(memoryBase, { recursive: true })
      if (!tryWrite(join(memoryBase, 'cgroup.subtree_control'), '+memory +pids')) return null
      return { version: 2, memoryBase, pidsBase: memoryBase }
    } catch {
      return null
    }
  }
  return null
}

export class CgroupManager {
  private constructor(private readonly h: Hierarchy) {}

  static detect(): CgroupManager | null {
    const h = detect()
    return h ? new CgroupManager(h) : null
  }

  /** The directories our per-sandbox cgroups are created under (one per hierarchy). */
  get bases(): string[] {
    return [
      this.h.memoryBase,
      ...(this.h.pidsBase && this.h.pidsBase !== this.h.memoryBase ? [this.h.pidsBase] : []),
    ]
  }

  get version(): 1 | 2 {
    return this.h.version
  }

  create(name: string, memoryMb: number, maxPids: number): Cgroup {
    const bytes = String(memoryMb * 1024 * 1024)
    const mem = join(this.h.memoryBase, name)
    mkdirSync(mem)
    const dirs = [mem]
    const procsFiles = [join(mem, 'cgroup.procs')]
    if (this.h.version === 1) {
      writeFileSync(join(mem, 'memory.limit_in_bytes'), bytes)
      // Without a swap ceiling a v1 cgroup can page out instead of failing; cap memory+swap too.
      tryWrite(join(mem, 'memory.memsw.limit_in_bytes'), bytes)
      if (this.h.pidsBase) {
        const pids = join(this.h.pidsBase, name)
        mkdirSync(pids)
        writeFileSync(join(pids, 'pids.max'), String(maxPids))
        dirs.push(pids)
        procsFiles.push(join(pids, 'cgroup.procs'))
      }
    } else {
      writeFileSync(join(mem, 'memory.max'), bytes)
      tryWrite(join(mem, 'memory.swap.max'), '0')
      tryWrite(join(mem, 'pids.max'), String(maxPids))
    }
    const v = this.h.version
    return {
      procsFiles,
      oomKilled() {
        if (v === 1) {
          const m = /oom_kill (\d+)/.exec(read(join(mem, 'memory.oom_control')) ?? '')
          if (m) return Number(m[1]) > 0
          return Number(read(join(mem, 'memory.failcnt')) ?? 0) > 0
        }
        const m = /oom_kill (\d+)/.exec(read(join(mem, 'memory.events')) ?? '')
        return m ? Number(m[1]) > 0 : false
      },
      peakMemoryMb() {
        const raw = read(join(mem, v === 1 ? 'memory.max_usage_in_bytes' : 'memory.peak'))
        return raw === null ? null : Math.round((Number(raw) / 1024 / 1024) * 10) / 10
      },
      killAll() {
        // A fork bomb outruns one process-group kill; the cgroup lists every task, even those
        // that left the group or were reparented.
        let n = 0
        for (const f of procsFiles) {
          for (const pid of (read(f) ?? '').split('\n').filter(Boolean)) {
            try {
              process.kill(Number(pid), 'SIGKILL')
              n++
            } catch {}
          }
        }
        return n
      },
      remove() {
        for (const d of dirs) {
          try {
            rmdirSync(d)
          } catch {
            // Still has a dying process: the kernel frees it once the last task exits.
          }
        }
      },
    }
  }

  /** Removes our base cgroups (at shutdown). */
  close(): void {
    for (const d of [this.h.memoryBase, this.h.pidsBase]) {
      if (!d) continue
      try {
        rmdirSync(d)
      } catch {}
    }
  }
}
