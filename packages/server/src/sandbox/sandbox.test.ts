// Runs the sandbox contract against every executor present on this machine.
import { afterAll } from 'vitest'
import { BwrapExecutor } from './bwrap.ts'
import { CgroupManager } from './cgroup.ts'
import { GvisorExecutor } from './gvisor.ts'
import { ProcessExecutor } from './process.ts'
import { describeSandboxContract } from './sandbox.contract.ts'

const cgroups = CgroupManager.detect()
afterAll(() => cgroups?.close())

describeSandboxContract(new ProcessExecutor(cgroups))
const bwrap = BwrapExecutor.detect(cgroups)
if (bwrap) describeSandboxContract(bwrap)
else if (process.env['CI']) throw new Error('bubblewrap must be installed in CI (.ci/run installs it)')
const gvisor = GvisorExecutor.detect(cgroups)
if (gvisor) describeSandboxContract(gvisor)
