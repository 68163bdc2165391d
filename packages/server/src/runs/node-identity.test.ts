// A node of the run queue is known dead only when it ran on this machine (host, boot and pid
// namespace) and its pid is gone; anything else waits for its lease.
import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { knownDead, nodeIdentity, thisMachine } from './node-identity.ts'

describe('node identity', () => {
  const self = nodeIdentity('self')
  // A pid that existed and exited: a finished child's.
  const gonePid = spawnSync(process.execPath, ['-e', '0']).pid!

  it('names this machine by host, boot and pid namespace', () => {
    expect(thisMachine()).toMatch(/^.+\|[0-9a-f-]{36}\|pid:\[\d+\]$/)
  })

  it('knows a node of this machine whose process is gone is dead, and nothing else', () => {
    expect(knownDead({ id: 'old', machine: self.machine, pid: gonePid }, self)).toBe(true)
    expect(knownDead({ id: 'alive', machine: self.machine, pid: process.ppid }, self)).toBe(false)
    expect(knownDead({ id: 'elsewhere', machine: 'other|boot|pid:[1]', pid: gonePid }, self)).toBe(false)
    expect(knownDead({ id: 'unknown', machine: null, pid: gonePid }, self)).toBe(false)
    expect(knownDead({ ...self }, self)).toBe(false)
  })
})
