// Picks the sandbox executor at start: bwrap where installed, else the unisolated process
// executor with a loud warning; gVisor (strict tier, no network) when asked for. Only main.ts
// calls this.
import { BwrapExecutor, DEFAULT_SANDBOX_USER, type SandboxUser } from './bwrap.ts'
import { CgroupManager } from './cgroup.ts'
import type { Executor } from './executor.ts'
import { GvisorExecutor } from './gvisor.ts'
import { ProcessExecutor } from './process.ts'

interface Log {
  info(o: object, msg?: string): void
  warn(o: object, msg?: string): void
}

export function chooseExecutor(
  choice: 'auto' | 'bwrap' | 'gvisor' | 'process',
  log: Log,
  user: SandboxUser = DEFAULT_SANDBOX_USER,
  outboundAllow: readonly string[] = [],
): { executor: Executor; close(): void } {
  const cgroups = CgroupManager.detect()
  if (choice === 'gvisor') {
    const gvisor = GvisorExecutor.detect(cgroups, user)
    if (!gvisor) throw new Error('PERIODIC_SANDBOX=gvisor but gVisor (runsc) is not installed')
    log.info({ executor: gvisor.name, guarantees: gvisor.guarantees }, 'sandbox executor')
    return { executor: gvisor, close: () => cgroups?.close() }
  }
  let executor: Executor | null =
    choice === 'process' ? null : BwrapExecutor.detect(cgroups, user, outboundAllow)
  if (!executor && choice === 'bwrap')
    throw new Error('PERIODIC_SANDBOX=bwrap but bubblewrap (bwrap) is not installed')
  if (!executor) {
    executor = new ProcessExecutor(cgroups)
    log.warn(
      { executor: 'process' },
      'USER CODE IS NOT ISOLATED: bubblewrap is not installed (apt-get install bubblewrap), Python runs as plain processes',
    )
  } else {
    log.info({ executor: executor.name, guarantees: executor.guarantees }, 'sandbox executor')
  }
  return { executor, close: () => cgroups?.close() }
}
