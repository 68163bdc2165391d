// The run queue part of the storage contract: claims are exclusive and oldest first, lost runs
// are those of nodes whose heartbeat went stale, claims move only by compare-and-set, and a
// cancel can be asked of a run another node holds.
import { randomUUID } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import { element, run, tick } from './contract-fixtures.ts'
import type { ElementRow, Storage } from './storage.ts'

export function describeRunQueueStorageContract(get: () => { db: Storage; acme: ElementRow }): void {
  describe('run queue', () => {
    let db: Storage
    let acme: ElementRow
    beforeAll(() => {
      ;({ db, acme } = get())
    })

    async function queuedRuns(n: number) {
      const el = element({ circle_id: acme.id, element_type: 'python' })
      await db.insertElement(el)
      const rows = Array.from({ length: n }, () => run(el, { node_id: null }))
      for (const r of rows) await db.insertRun(r)
      return { el, rows }
    }

    it('claims the oldest queued runs of an element once, however many nodes claim at once', async () => {
      const { el, rows } = await queuedRuns(6)
      expect(await db.listQueuedElements(1000)).toContain(el.id)
      const claims = await Promise.all(['n1', 'n2', 'n3'].map((n) => db.claimQueuedRuns(n, el.id, 4)))
      const ids = claims.flatMap((c) => c.map((r) => r.id))
      expect(ids.sort()).toEqual(rows.map((r) => r.id).sort())
      for (const c of claims) for (const r of c) expect(r.node_id).not.toBeNull()
      expect(await db.claimQueuedRuns('n4', el.id, 4)).toEqual([])
      expect(await db.listQueuedElements(1000)).not.toContain(el.id)
      const first = await db.claimQueuedRuns('n1', (await queuedRuns(3)).el.id, 2)
      expect(first.map((r) => r.created_at)).toEqual([...first.map((r) => r.created_at)].sort())
    })

    it('lists the active runs of nodes whose heartbeat is stale or gone, never its own or ended ones', async () => {
      const el = element({ circle_id: acme.id, element_type: 'python' })
      await db.insertElement(el)
      const [alive, dead, self] = [randomUUID(), randomUUID(), randomUUID()]
      const old = tick()
      await db.heartbeatNode({ id: dead, machine: 'm1', pid: 42 }, old)
      const cut = tick()
      await db.heartbeatNode({ id: alive, machine: null, pid: null }, tick())
      const ofAlive = run(el, { node_id: alive })
      const ofDead = run(el, { node_id: dead })
      const ofGone = run(el, { node_id: randomUUID() })
      const mine = run(el, { node_id: self })
      const ended = run(el, { node_id: dead, status: 'succeeded' })
      for (const r of [ofAlive, ofDead, ofGone, mine, ended]) await db.insertRun(r)
      const lost = (await db.listLostRuns(self, cut, 1000)).map((r) => r.id)
      expect(lost).toContain(ofDead.id)
      expect(lost).toContain(ofGone.id)
      for (const r of [ofAlive, mine, ended]) expect(lost).not.toContain(r.id)
      await db.removeNode(alive)
      expect((await db.listLostRuns(self, cut, 1000)).map((r) => r.id)).toContain(ofAlive.id)
      expect((await db.listNodes()).find((n) => n.id === dead)).toMatchObject({ machine: 'm1', pid: 42 })
    })

    it('moves a claim only from its current holder, and only while the run is active', async () => {
      const { rows } = await queuedRuns(1)
      const r = rows[0]!
      expect(await db.moveRunClaim(r.id, 'someone', { node_id: 'n9' })).toBe(false)
      expect(await db.moveRunClaim(r.id, null, { node_id: 'n9', attempts: 1 })).toBe(true)
      expect(await db.moveRunClaim(r.id, null, { node_id: 'n8' })).toBe(false)
      expect(await db.getRun(r.id)).toMatchObject({ node_id: 'n9', attempts: 1 })
      expect(await db.updateRun(r.id, { status: 'failed' }, 'n9')).toBe(true)
      expect(await db.moveRunClaim(r.id, 'n9', { node_id: null })).toBe(false)
    })

    it('records a cancel asked of an active run for the node holding it', async () => {
      const { rows } = await queuedRuns(2)
      const [a, b] = rows as [(typeof rows)[0], (typeof rows)[0]]
      await db.moveRunClaim(a.id, null, { node_id: 'holder' })
      expect(await db.requestRunCancel(a.id, tick())).toBe(true)
      expect(await db.listCancelRequests('holder')).toEqual([a.id])
      await db.updateRun(b.id, { status: 'succeeded' })
      expect(await db.requestRunCancel(b.id, tick())).toBe(false)
      await db.updateRun(a.id, { status: 'cancelled' }, 'holder')
      expect(await db.listCancelRequests('holder')).toEqual([])
    })
  })
}
