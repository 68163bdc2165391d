// Cgroups left behind by a server killed with `kill -9` are swept when the next one starts;
// those of live processes are not.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, rmdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CgroupManager } from './cgroup.ts'

const probe = CgroupManager.detect()
probe?.close()

describe.skipIf(!probe)('cgroups at start', () => {
  it('removes the periodic-<pid> cgroups of dead servers, with their sandboxes, and keeps live ones', () => {
    // A pid that existed and is gone: a process that has exited.
    const dead = spawnSync('/bin/true').pid!
    const parents = probe!.bases.map((b) => dirname(b))
    const stale = parents.map((p) => join(p, `periodic-${dead}`))
    // pid 1 is always alive: its directory stands for another server on this machine.
    const live = parents.map((p) => join(p, 'periodic-1'))
    for (const d of stale) mkdirSync(join(d, 'w-0123456789ab'), { recursive: true })
    for (const d of live) mkdirSync(d, { recursive: true })
    try {
      const started = CgroupManager.detect()
      started?.close()
      expect(started).not.toBeNull()
      expect(stale.filter((d) => existsSync(d))).toEqual([])
      expect(live.filter((d) => existsSync(d))).toEqual(live)
    } finally {
      for (const d of [...stale.map((s) => join(s, 'w-0123456789ab')), ...stale, ...live])
        if (existsSync(d)) rmdirSync(d)
    }
  })
})
