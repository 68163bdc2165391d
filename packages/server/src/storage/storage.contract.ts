// The storage contract: one suite every Storage implementation must pass. sqlite.test.ts and
// postgres.test.ts run it against a fresh database each.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ElementRow, RunRow, Storage } from './storage.ts'
import { isUniqueViolation } from './unique-violation.ts'

export interface StorageFactory {
  open(): Promise<Storage>
  /** Removes whatever open() created (after close). */
  dispose?(): Promise<void>
}

let clock = Date.parse('2026-01-01T00:00:00.000Z')
/** Strictly increasing ISO timestamps, so ordering assertions never depend on the real clock. */
function tick(): string {
  clock += 1000
  return new Date(clock).toISOString()
}

function element(over: Partial<ElementRow> & { circle_id: string }): ElementRow {
  const at = tick()
  return {
    id: randomUUID(),
    parent_id: over.circle_id,
    slug: `e-${randomUUID().slice(0, 8)}`,
    name: 'An element',
    element_type: 'variable',
    state: 'active',
    state_reason: null,
    enabled: true,
    intention: '',
    spec: {},
    meta: {},
    readme: '',
    version: 1,
    created_at: at,
    updated_at: at,
    deleted_at: null,
    ...over,
  }
}

function circle(slug: string): ElementRow {
  const id = randomUUID()
  return element({ id, circle_id: id, parent_id: null, slug, element_type: 'circle' })
}

function run(el: ElementRow, over: Partial<RunRow> = {}): RunRow {
  return {
    id: randomUUID(),
    circle_id: el.circle_id,
    element_id: el.id,
    element_version: el.version,
    operation: 'invoke',
    trigger: 'api',
    status: 'queued',
    input: { n: 1 },
    output: null,
    error: null,
    attempts: 0,
    created_at: tick(),
    started_at: null,
    completed_at: null,
    duration_ms: null,
    cold_start: false,
    memory_used_mb: null,
    logs_truncated: false,
    trigger_info: null,
    ...over,
  }
}

export function describeStorageContract(name: string, factory: StorageFactory): void {
  describe(`storage contract: ${name}`, () => {
    let db: Storage
    let acme: ElementRow
    beforeAll(async () => {
      db = await factory.open()
      await db.migrate()
      await db.migrate() // idempotent
      acme = circle(`acme-${randomUUID().slice(0, 6)}`)
      await db.insertElement(acme)
    })
    afterAll(async () => {
      await db?.close()
      await factory.dispose?.()
    })

    it('answers ping and reports its dialect', async () => {
      await db.ping()
      expect(['sqlite', 'postgres']).toContain(db.dialect)
    })

    describe('elements', () => {
      it('round-trips every field, JSON and booleans included', async () => {
        const row = element({
          circle_id: acme.id,
          spec: { value: { nested: [1, 'two', null, true] }, unicode: 'héllo ✓' },
          meta: { tags: ['a'] },
          enabled: false,
          intention: 'keep things',
          readme: '# hi',
          state_reason: 'because',
        })
        await db.insertElement(row)
        expect(await db.getElement(row.id)).toEqual(row)
        expect(await db.findElementBySlug(acme.id, row.slug)).toEqual(row)
        expect(await db.findElementInCircle(acme.slug, row.slug)).toEqual(row)
      })

      it('finds circles by slug and lists them, but never a circle as an element of itself', async () => {
        expect(await db.findCircle(acme.slug)).toEqual(acme)
        expect((await db.listCircles()).map((c) => c.id)).toContain(acme.id)
        expect(await db.findElementBySlug(acme.id, acme.slug)).toBeUndefined()
        expect(await db.findElementInCircle(acme.slug, acme.slug)).toBeUndefined()
        expect(await db.findCircle('no-such-circle')).toBeUndefined()
        expect(await db.getElement(randomUUID())).toBeUndefined()
      })

      it('keeps slugs unique among live elements of a circle, and free again after a soft delete', async () => {
        const a = element({ circle_id: acme.id, slug: 'unique-me' })
        await db.insertElement(a)
        const dup = element({ circle_id: acme.id, slug: 'unique-me' })
        const err = await db.insertElement(dup).catch((e: unknown) => e)
        expect(isUniqueViolation(err)).toBe(true)
        expect(await db.updateElement(a.id, { deleted_at: tick() })).toBe(true)
        expect(await db.getElement(a.id)).toBeUndefined()
        expect(await db.findElementBySlug(acme.id, 'unique-me')).toBeUndefined()
        await db.insertElement(dup)
        expect((await db.findElementInCircle(acme.slug, 'unique-me'))?.id).toBe(dup.id)
        // the same slug in another circle is a different element
        const other = circle(`other-${randomUUID().slice(0, 6)}`)
        await db.insertElement(other)
        await db.insertElement(element({ circle_id: other.id, slug: 'unique-me' }))
        const dupCircle = await db.insertElement(circle(other.slug)).catch((e: unknown) => e)
        expect(isUniqueViolation(dupCircle)).toBe(true)
      })

      it('lists and counts children in slug order, with type filter, limit and offset', async () => {
        const parent = element({ circle_id: acme.id, element_type: 'project' })
        await db.insertElement(parent)
        for (const [slug, type] of [
          ['c-b', 'variable'],
          ['c-a', 'python'],
          ['c-c', 'variable'],
        ])
          await db.insertElement(
            element({ circle_id: acme.id, parent_id: parent.id, slug, element_type: type }),
          )
        expect((await db.listChildren(parent.id)).map((e) => e.slug)).toEqual(['c-a', 'c-b', 'c-c'])
        expect((await db.listChildren(parent.id, { types: ['variable'] })).map((e) => e.slug)).toEqual([
          'c-b',
          'c-c',
        ])
        expect((await db.listChildren(parent.id, { limit: 1, offset: 1 })).map((e) => e.slug)).toEqual([
          'c-b',
        ])
        expect(await db.countChildren(parent.id)).toBe(3)
        const all = (await db.listCircleElements(acme.id)).map((e) => e.slug)
        expect(all).toEqual([...all].sort())
        expect(all).toEqual(expect.arrayContaining(['c-a', 'c-b', 'c-c', parent.slug]))
      })

      it('applies a patch only at the expected version, and never to a deleted row', async () => {
        const row = element({ circle_id: acme.id })
        await db.insertElement(row)
        expect(await db.updateElement(row.id, { spec: { value: 2 }, version: 2 }, 2)).toBe(false)
        expect((await db.getElement(row.id))?.version).toBe(1)
        expect(
          await db.updateElement(
            row.id,
            { spec: { value: 2 }, version: 2, name: 'renamed', enabled: false },
            1,
          ),
        ).toBe(true)
        expect(await db.getElement(row.id)).toMatchObject({
          spec: { value: 2 },
          version: 2,
          name: 'renamed',
          enabled: false,
        })
        expect(await db.updateElement(row.id, { meta: { a: 1 } })).toBe(true)
        expect(await db.updateElement(row.id, { deleted_at: tick() })).toBe(true)
        expect(await db.updateElement(row.id, { name: 'ghost' })).toBe(false)
        expect(await db.updateElement(randomUUID(), { name: 'nobody' })).toBe(false)
      })
    })

    describe('transactions', () => {
      it('commits together, and rolls back everything when the function throws', async () => {
        const kept = element({ circle_id: acme.id })
        await db.transaction(async (tx) => {
          await tx.insertElement(kept)
          // nested calls join the outer transaction
          await tx.transaction(async (inner) => inner.updateElement(kept.id, { name: 'inner' }))
        })
        expect((await db.getElement(kept.id))?.name).toBe('inner')

        const lost = element({ circle_id: acme.id })
        const err = await db
          .transaction(async (tx) => {
            await tx.insertElement(lost)
            await tx.updateElement(kept.id, { name: 'half-applied' })
            throw new Error('boom')
          })
          .catch((e: Error) => e)
        expect((err as Error).message).toBe('boom')
        expect(await db.getElement(lost.id)).toBeUndefined()
        expect((await db.getElement(kept.id))?.name).toBe('inner')
      })
    })

    describe('versions', () => {
      it('stores history, newest first, bounded by limit, and refuses a duplicate version', async () => {
        const row = element({ circle_id: acme.id })
        await db.insertElement(row)
        for (let v = 1; v <= 3; v++)
          await db.insertVersion({
            element_id: row.id,
            version: v,
            name: `n${v}`,
            intention: '',
            spec: { value: v, deep: { list: [v] } },
            message: v === 3 ? 'Before restore to v1' : '',
            created_by: v === 1 ? null : 'key-1',
            created_at: tick(),
          })
        expect((await db.listVersions(row.id, 10)).map((v) => v.version)).toEqual([3, 2, 1])
        expect((await db.listVersions(row.id, 2)).map((v) => v.version)).toEqual([3, 2])
        expect(await db.countVersions(row.id)).toBe(3)
        expect(await db.getVersion(row.id, 2)).toMatchObject({
          name: 'n2',
          spec: { value: 2, deep: { list: [2] } },
          created_by: 'key-1',
        })
        expect((await db.getVersion(row.id, 3))?.message).toBe('Before restore to v1')
        expect(await db.getVersion(row.id, 9)).toBeUndefined()
        const dup = await db
          .insertVersion({
            element_id: row.id,
            version: 2,
            name: 'x',
            intention: '',
            spec: {},
            message: '',
            created_by: null,
            created_at: tick(),
          })
          .catch((e: unknown) => e)
        expect(isUniqueViolation(dup)).toBe(true)
      })
    })

    describe('api keys', () => {
      it('finds a key by hash, lists by circle, and revokes once', async () => {
        const id = randomUUID()
        const hash = `h-${randomUUID()}`
        await db.insertApiKey({
          id,
          circle_id: acme.id,
          name: 'ci',
          prefix: 'pk_abc',
          hash,
          scopes: ['read', 'execute'],
          created_by: null,
          created_at: tick(),
          revoked_at: null,
        })
        expect(await db.findApiKeyByHash(hash)).toMatchObject({ id, scopes: ['read', 'execute'] })
        expect(await db.findApiKeyByHash('nope')).toBeUndefined()
        expect((await db.listApiKeys(acme.id)).map((k) => k.id)).toContain(id)
        expect(await db.revokeApiKey(randomUUID(), id, tick())).toBe(false) // wrong circle
        expect(await db.revokeApiKey(acme.id, id, tick())).toBe(true)
        expect(await db.revokeApiKey(acme.id, id, tick())).toBe(false) // already revoked
        expect((await db.findApiKeyByHash(hash))?.revoked_at).not.toBeNull()
      })
    })

    describe('activity', () => {
      it('assigns increasing sequence numbers and pages newest first', async () => {
        const c = circle(`act-${randomUUID().slice(0, 6)}`)
        await db.insertElement(c)
        const e1 = randomUUID()
        const e2 = randomUUID()
        const seqs: number[] = []
        for (let i = 0; i < 5; i++)
          seqs.push(
            await db.insertActivity({
              circle_id: c.id,
              element_id: i % 2 ? e2 : e1,
              action: `a${i}`,
              actor: 'admin',
              details: { i },
              created_at: tick(),
            }),
          )
        expect([...seqs].sort((a, b) => a - b)).toEqual(seqs)
        const page1 = await db.listActivity({ circleId: c.id, limit: 2 })
        expect(page1.map((a) => a.action)).toEqual(['a4', 'a3'])
        const page2 = await db.listActivity({ circleId: c.id, limit: 10, before: page1[1]!.seq })
        expect(page2.map((a) => a.action)).toEqual(['a2', 'a1', 'a0'])
        expect(page2[0]!.details).toEqual({ i: 2 })
        expect(
          (await db.listActivity({ circleId: c.id, elementIds: [e2], limit: 10 })).map((a) => a.action),
        ).toEqual(['a3', 'a1'])
        expect(await db.listActivity({ circleId: c.id, elementIds: [], limit: 10 })).toEqual([])
      })
    })

    describe('attachments', () => {
      it('stores one attachment per pair, lists by target in priority order, and deletes', async () => {
        const target = element({ circle_id: acme.id })
        const s1 = element({ circle_id: acme.id })
        const s2 = element({ circle_id: acme.id })
        for (const e of [target, s1, s2]) await db.insertElement(e)
        const base = {
          circle_id: acme.id,
          target_id: target.id,
          cascade_policy: 'inherit',
          version_pin: null,
        }
        const a1 = { ...base, id: randomUUID(), source_id: s1.id, priority: 20, created_at: tick() }
        const a2 = {
          ...base,
          id: randomUUID(),
          source_id: s2.id,
          priority: 10,
          created_at: tick(),
          version_pin: 3,
        }
        await db.insertAttachment(a1)
        await db.insertAttachment(a2)
        const dup = await db
          .insertAttachment({ ...a1, id: randomUUID(), created_at: tick() })
          .catch((e: unknown) => e)
        expect(isUniqueViolation(dup)).toBe(true)
        expect((await db.listAttachments({ targetId: target.id })).map((a) => a.id)).toEqual([a2.id, a1.id])
        expect(await db.listAttachments({ sourceId: s1.id })).toEqual([a1])
        expect(await db.getAttachment(a2.id)).toEqual(a2)
        expect(await db.findAttachment(s2.id, target.id)).toEqual(a2)
        expect(await db.deleteAttachment(a2.id)).toBe(true)
        expect(await db.deleteAttachment(a2.id)).toBe(false)
        expect(await db.findAttachment(s2.id, target.id)).toBeUndefined()
      })
    })

    describe('runs', () => {
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
  })
}
