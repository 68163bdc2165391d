// Where this process runs, so another node on the same machine can tell, from the run queue's
// node table alone, that it is gone: the same host, boot and pid namespace, and a pid that no
// longer exists. Two containers sharing a kernel differ in pid namespace, so a pid of one is
// never looked up in the other. When a part cannot be read the machine is unknown (null), and
// only the lease decides.
import { readFileSync, readlinkSync } from 'node:fs'
import { hostname } from 'node:os'
import type { RunNode } from '../storage/storage.ts'

export function thisMachine(): string | null {
  try {
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()
    const pidNamespace = readlinkSync('/proc/self/ns/pid')
    return `${hostname()}|${boot}|${pidNamespace}`
  } catch {
    return null
  }
}

export function nodeIdentity(id: string): RunNode {
  return { id, machine: thisMachine(), pid: process.pid }
}

/** True only when `node` ran on this machine and its process is gone. */
export function knownDead(node: RunNode, self: RunNode): boolean {
  if (!self.machine || node.machine !== self.machine || node.pid === null || node.id === self.id) return false
  try {
    process.kill(node.pid, 0)
    return false
  } catch (err) {
    // EPERM: a process with that pid exists (another user's): not known dead.
    return (err as NodeJS.ErrnoException).code === 'ESRCH'
  }
}
