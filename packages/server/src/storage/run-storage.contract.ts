// The runs part of the storage contract: records, paging and filters, logs, statistics and
// the idempotency keys of run-creating requests.
import { randomUUID } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import { element, run, tick } from './contract-fixtures.ts'
import type { ElementRow, Storage } from './storage.ts'

export function describeRunStorageContract(get: () => { db: Storage; acme: ElementRow }): void {
  describe('runs', () => {
    let db: Storage
    let acme: ElementRow
    beforeAll(() => {
      ;({ db, acme } = get())
    })
    it('round-trips a run and applies partial updates', async () => {
      const el = element({ circle_id: acme.id, element_type: 'python' })
      await db.insertElement(el)
      const r = run(el, { trigger_info: { key: 'k1' }, input: [1, { a: 'b' }] })
      await db.insertRun(r)
      expect(await db.getRun(r.id)).toEqual(r)
      expect(await db.countActiveRuns(el.id)).toBe(1)
      const done = {
        status: 'succeeded' as const,
        output: { result: 'ok', n: 1.5 },
        started_at: tick(),
        completed_at: tick(),
        duration_ms: 12.5,
        cold_start: true,
        memory_used_mb: 31,
        logs_truncated: true,
        attempts: 1,
      }
      expect(await db.updateRun(r.id, done)).toBe(true)
      expect(await db.getRun(r.id)).toEqual({ ...r, ...done })
      expect(await db.countActiveRuns(el.id)).toBe(0)
      const failed = run(el, { status: 'failed', error: { code: 'PYTHON_RUNTIME_ERROR' }, output: null })
      await db.insertRun(failed)
      expect((await db.getRun(failed.id))?.error).toEqual({ code: 'PYTHON_RUNTIME_ERROR' })
      expect(await db.updateRun(randomUUID(), { status: 'failed' })).toBe(false)
      expect(await db.getRun(randomUUID())).toBeUndefined()
    })

    it('pages runs newest first by (created_at, id) with status and element filters', async () => {
      const el = element({ circle_id: acme.id, element_type: 'python' })
      const other = element({ circle_id: acme.id, element_type: 'python' })
      await db.insertElement(el)
      await db.insertElement(other)
      const first = run(el, { status: 'succeeded' })
      const same = tick()
      const rows = [
        first,
        run(el, { status: 'failed', created_at: same, id: '00000000-0000-4000-8000-000000000001' }),
        run(el, { status: 'succeeded', created_at: same, id: '00000000-0000-4000-8000-000000000002' }),
        run(el, { status: 'running' }),
        run(other, { status: 'succeeded' }),
      ]
      for (const r of rows) await db.insertRun(r)
      const newestFirst = [rows[3]!, rows[2]!, rows[1]!, rows[0]!].map((r) => r.id)
      expect((await db.listRuns({ elementId: el.id, limit: 10 })).map((r) => r.id)).toEqual(newestFirst)
      const seen: string[] = []
      let before: { created_at: string; id: string } | undefined
      for (;;) {
        const page = await db.listRuns({ elementId: el.id, limit: 1, before })
        if (page.length === 0) break
        seen.push(page[0]!.id)
        before = { created_at: page[0]!.created_at, id: page[0]!.id }
      }
      expect(seen).toEqual(newestFirst)
      expect(
        (await db.listRuns({ elementId: el.id, statuses: ['succeeded'], limit: 10 })).map((r) => r.id),
      ).toEqual([rows[2]!.id, rows[0]!.id])
      expect((await db.listRuns({ circleId: acme.id, limit: 100 })).map((r) => r.id)).toEqual(
        expect.arrayContaining([...rows.map((r) => r.id)]),
      )
      expect(await db.countActiveRuns(el.id)).toBe(1)
    })

    it('filters runs by element type, trigger, ids and created or completed time', async () => {
      const py = element({ circle_id: acme.id, element_type: 'python' })
      const other = element({ circle_id: acme.id, element_type: 'variable' })
      await db.insertElement(py)
      await db.insertElement(other)
      const t0 = tick()
      const a = run(py, { trigger: 'api', status: 'succeeded', completed_at: tick() })
      const b = run(py, { trigger: 'rerun', status: 'failed', completed_at: tick() })
      const c = run(other, { trigger: 'api' })
      const t1 = tick()
      for (const r of [a, b, c]) await db.insertRun(r)
      const ids = async (q: Omit<Parameters<Storage['listRuns']>[0], 'limit'>) =>
        (await db.listRuns({ circleId: acme.id, createdAfter: t0, limit: 50, ...q })).map((r) => r.id)
      expect(await ids({ elementType: 'python' })).toEqual([b.id, a.id])
      expect(await ids({ elementType: 'variable' })).toEqual([c.id])
      expect(await ids({ trigger: 'rerun' })).toEqual([b.id])
      expect(await ids({ ids: [a.id, c.id, randomUUID()] })).toEqual([c.id, a.id])
      expect(await ids({ ids: [] })).toEqual([])
      expect(await ids({ createdAfter: a.created_at, createdBefore: c.created_at })).toEqual([b.id, a.id])
      expect(await ids({ createdBefore: t1, createdAfter: b.created_at })).toEqual([c.id, b.id])
      expect(await ids({ completedAfter: b.completed_at! })).toEqual([b.id])
      expect(await ids({ completedBefore: b.completed_at! })).toEqual([a.id])
      expect(await ids({ elementType: 'python', trigger: 'api', statuses: ['succeeded'] })).toEqual([a.id])
    })

    it('filters runs by source, starter, source ref, batch and example ids, and skips an offset', async () => {
      const el = element({ circle_id: acme.id, element_type: 'python' })
      await db.insertElement(el)
      const t0 = tick()
      const a = run(el, { source: 'cli', triggered_by: 'key-a', batch_id: 'b1', example_id: 'invoice-001' })
      const b = run(el, { source: 'sdk', triggered_by: 'key-b', batch_id: 'b1', example_id: 'Invoice-002' })
      const c = run(el, { source: 'engine', source_ref: 'draft', batch_id: 'b2', example_id: 'receipt-7' })
      const d = run(el, { source: null, batch_id: null, example_id: null })
      for (const r of [a, b, c, d]) await db.insertRun(r)
      expect(await db.getRun(a.id)).toEqual(a)
      const ids = async (q: Omit<Parameters<Storage['listRuns']>[0], 'limit'>, limit = 50) =>
        (await db.listRuns({ elementId: el.id, createdAfter: t0, limit, ...q })).map((r) => r.id)
      expect(await ids({ source: 'cli' })).toEqual([a.id])
      expect(await ids({ triggeredBy: 'key-b' })).toEqual([b.id])
      expect(await ids({ sourceRef: 'draft' })).toEqual([c.id])
      expect(await ids({ sourceRef: 'live' })).toEqual([d.id, b.id, a.id])
      expect(await ids({ batchId: 'b1' })).toEqual([b.id, a.id])
      expect(await ids({ exampleId: 'receipt-7' })).toEqual([c.id])
      // A substring, case-sensitive on both databases; LIKE wildcards are plain characters.
      expect(await ids({ exampleIdContains: 'nvoice-00' })).toEqual([b.id, a.id])
      expect(await ids({ exampleIdContains: 'invoice' })).toEqual([a.id])
      expect(await ids({ exampleIdContains: '%' })).toEqual([])
      expect(await ids({ exampleIdContains: '_' })).toEqual([])
      expect(await ids({ batchId: 'b1', source: 'sdk' })).toEqual([b.id])
      expect(await ids({}, 2)).toEqual([d.id, c.id])
      expect(await ids({ offset: 1 }, 2)).toEqual([c.id, b.id])
      expect(await ids({ offset: 3 }, 2)).toEqual([a.id])
      expect(await ids({ offset: 4 }, 2)).toEqual([])
      const before = { created_at: c.created_at, id: c.id }
      expect(await ids({ before, offset: 1 })).toEqual([a.id])
    })

    it('claims an idempotency key once, until it is released or expires', async () => {
      const key = `k-${randomUUID()}`
      const at = tick()
      const row = {
        circle_id: acme.id,
        key,
        request_hash: 'h1',
        run_id: null,
        created_at: at,
        expires_at: new Date(Date.parse(at) + 60_000).toISOString(),
      }
      expect(await db.claimIdempotencyKey(row, at)).toEqual({ claimed: true, row })
      const again = await db.claimIdempotencyKey({ ...row, request_hash: 'h2' }, at)
      expect(again).toEqual({ claimed: false, row })
      await db.setIdempotencyRun(acme.id, key, 'run-1')
      await db.releaseIdempotencyKey(acme.id, key) // a key with its run stays
      expect((await db.claimIdempotencyKey(row, at)).row.run_id).toBe('run-1')
      const other = element({ circle_id: randomUUID() })
      expect((await db.claimIdempotencyKey({ ...row, circle_id: other.circle_id }, at)).claimed).toBe(true)
      const later = new Date(Date.parse(at) + 60_000).toISOString()
      const fresh = { ...row, request_hash: 'h3', created_at: later, expires_at: later + 'z' }
      expect(await db.claimIdempotencyKey(fresh, later)).toEqual({ claimed: true, row: fresh })
      const pending = { ...row, key: `${key}-2` }
      expect((await db.claimIdempotencyKey(pending, at)).claimed).toBe(true)
      await db.releaseIdempotencyKey(acme.id, pending.key)
      expect((await db.claimIdempotencyKey({ ...pending, request_hash: 'h4' }, at)).claimed).toBe(true)
    })

    it('stores logs in sequence order, pages after a sequence number, and handles many lines', async () => {
      const el = element({ circle_id: acme.id, element_type: 'python' })
      await db.insertElement(el)
      const r = run(el)
      await db.insertRun(r)
      const at = tick()
      const lines = Array.from({ length: 250 }, (_, seq) => ({
        run_id: r.id,
        seq,
        stream: seq % 2 ? 'stderr' : 'stdout',
        data: `line ${seq} ✓`,
        created_at: at,
      }))
      await db.insertRunLogs(lines)
      await db.insertRunLogs([])
      expect(await db.listRunLogs(r.id)).toEqual(lines)
      expect((await db.listRunLogs(r.id, 247)).map((l) => l.seq)).toEqual([248, 249])
      expect((await db.listRunLogs(r.id, -1, 3)).map((l) => l.data)).toEqual([
        'line 0 ✓',
        'line 1 ✓',
        'line 2 ✓',
      ])
      expect(await db.listRunLogs(randomUUID())).toEqual([])
    })

    it('aggregates run statistics per element since a time', async () => {
      const el = element({ circle_id: acme.id, element_type: 'python' })
      await db.insertElement(el)
      const old = run(el, { status: 'failed', duration_ms: 1000 })
      await db.insertRun(old)
      const since = tick()
      for (const [status, duration_ms] of [
        ['succeeded', 10],
        ['succeeded', 20],
        ['failed', 30],
        ['running', null],
      ] as const)
        await db.insertRun(run(el, { status, duration_ms }))
      const [stats] = await db.runStats([el.id], since)
      expect(stats).toEqual({ element_id: el.id, total: 4, succeeded: 2, failed: 1, avg_duration_ms: 20 })
      expect(await db.runStats([], since)).toEqual([])
      expect(await db.runStats([randomUUID()], since)).toEqual([])
    })
  })
}
