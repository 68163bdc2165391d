// Stats and activity operations over real HTTP. Runs are inserted straight into storage so the
// numbers (rates, averages, the health rule, the period window) are known exactly.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, storageKinds, type TestServer } from '../../../test/test-server.ts'
import type { RunStatus } from '../../storage/storage.ts'

const HOUR = 3_600_000
const DAY = 24 * HOUR

describe.each(storageKinds())('stats and activity operations on %s', (storage) => {
  let s: TestServer
  let n = 0
  beforeAll(async () => {
    s = await startTestServer({ storage })
  })
  afterAll(async () => s?.close())

  async function create(parent: string, element_type: string, slug: string): Promise<{ id: string }> {
    const r = await s.api('POST', `/api/${parent}`, { element_type, slug })
    if (r.status !== 201) throw new Error(`${slug}: ${JSON.stringify(r.body)}`)
    return r.body
  }

  async function freshCircle(): Promise<string> {
    const c = `stats-${storage}-${++n}`
    await s.createCircle(c)
    return c
  }

  /** Inserts `count` runs of the element, `ageMs` old, each taking `durationMs`. */
  async function runs(
    el: { id: string },
    circleId: string,
    count: number,
    status: RunStatus,
    o: { ageMs?: number; durationMs?: number | null } = {},
  ): Promise<void> {
    const created = new Date(Date.now() - (o.ageMs ?? 10 * 60_000)).toISOString()
    for (let i = 0; i < count; i++) {
      await s.platform.storage.insertRun({
        id: randomUUID(),
        circle_id: circleId,
        element_id: el.id,
        element_version: 1,
        operation: 'run',
        trigger: 'manual',
        status,
        input: null,
        output: null,
        error: status === 'failed' ? { code: 'BOOM' } : null,
        attempts: 1,
        created_at: created,
        started_at: created,
        completed_at: status === 'queued' || status === 'running' ? null : created,
        duration_ms: o.durationMs === undefined ? 100 : o.durationMs,
        cold_start: false,
        memory_used_mb: null,
        logs_truncated: false,
        trigger_info: null,
      })
    }
  }

  const stats = async (c: string, slug: string, query = '') => {
    const r = await s.api('GET', `/api/${c}/${slug}/ops/stats${query}`)
    expect(r.status, JSON.stringify(r.body)).toBe(200)
    return r.body
  }

  describe('stats', () => {
    it('reports no runs as healthy with a null success rate', async () => {
      const c = await freshCircle()
      const v = await create(c, 'variable', 'idle')
      const st = await stats(c, 'idle')
      expect(st).toMatchObject({
        element_id: v.id,
        period: 'day',
        runs: 0,
        succeeded: 0,
        failed: 0,
        runs_per_day: 0,
        errors_per_day: 0,
        success_rate: null,
        avg_duration_ms: null,
        health: 'ok',
      })
    })

    it('counts only runs inside the period and averages their durations', async () => {
      const c = await freshCircle()
      const circle = (await s.api('GET', `/api/${c}`)).body
      const v = await create(c, 'variable', 'busy')
      await runs(v, circle.id, 3, 'succeeded', { durationMs: 100 })
      await runs(v, circle.id, 1, 'succeeded', { durationMs: 300 })
      await runs(v, circle.id, 7, 'succeeded', { ageMs: 3 * DAY, durationMs: 1000 })
      const day = await stats(c, 'busy')
      expect(day).toMatchObject({ runs: 4, succeeded: 4, runs_per_day: 4, success_rate: 1, health: 'ok' })
      expect(day.avg_duration_ms).toBe(150)
      const week = await stats(c, 'busy', '?period=week')
      expect(week).toMatchObject({ period: 'week', runs: 11, runs_per_day: 11 / 7 })
      expect(week.avg_duration_ms).toBeCloseTo((3 * 100 + 300 + 7 * 1000) / 11, 1)
      const hour = await stats(c, 'busy', '?period=hour')
      expect(hour).toMatchObject({ runs: 4, runs_per_day: 96 })
      await runs(v, circle.id, 1, 'succeeded', { ageMs: 2 * HOUR })
      expect((await stats(c, 'busy', '?period=hour')).runs).toBe(4)
      expect((await stats(c, 'busy')).runs).toBe(5)
    })

    it('applies the health rule: error above 5 errors a day or below 80 %, warning on any error or below 95 %', async () => {
      const c = await freshCircle()
      const circle = (await s.api('GET', `/api/${c}`)).body
      const cases: Array<[string, number, number, string, number]> = [
        ['clean', 20, 0, 'ok', 1],
        ['one-error', 19, 1, 'warning', 0.95],
        ['eighty', 8, 2, 'warning', 0.8],
        ['below-eighty', 3, 1, 'error', 0.75],
        ['many-errors', 200, 6, 'error', 200 / 206],
      ]
      for (const [slug, ok, bad, health, rate] of cases) {
        const v = await create(c, 'variable', slug)
        await runs(v, circle.id, ok, 'succeeded')
        await runs(v, circle.id, bad, 'failed')
        const st = await stats(c, slug)
        expect([slug, st.health], JSON.stringify(st)).toEqual([slug, health])
        expect(st.success_rate).toBeCloseTo(rate, 6)
        expect(st.errors_per_day).toBe(bad)
      }
      // Within an hour one failure is 24 a day: an error for the hour period.
      const st = await stats(c, 'one-error', '?period=hour')
      expect(st).toMatchObject({ errors_per_day: 24, health: 'error' })
    })

    it('leaves unfinished runs out of the success rate', async () => {
      const c = await freshCircle()
      const circle = (await s.api('GET', `/api/${c}`)).body
      const v = await create(c, 'variable', 'mixed')
      await runs(v, circle.id, 2, 'succeeded')
      await runs(v, circle.id, 1, 'queued', { durationMs: null })
      const st = await stats(c, 'mixed')
      expect(st).toMatchObject({ runs: 3, succeeded: 2, success_rate: 1, health: 'ok' })
    })

    it('refuses an unknown period with 400', async () => {
      const c = await freshCircle()
      await create(c, 'project', 'p')
      for (const op of ['stats', 'batch_stats']) {
        const r = await s.api('GET', `/api/${c}/p/ops/${op}?period=year`)
        expect(r.status).toBe(400)
        expect(r.body.error.code).toBe('VALIDATION_FAILED')
      }
    })
  })

  describe('batch_stats', () => {
    it('reports each child and a weighted aggregate', async () => {
      const c = await freshCircle()
      const circle = (await s.api('GET', `/api/${c}`)).body
      await create(c, 'project', 'p')
      const a = await create(`${c}/p`, 'variable', 'a')
      const b = await create(`${c}/p`, 'variable', 'b')
      await create(`${c}/p`, 'variable', 'quiet')
      await runs(a, circle.id, 1, 'succeeded', { durationMs: 100 })
      await runs(b, circle.id, 2, 'succeeded', { durationMs: 400 })
      await runs(b, circle.id, 1, 'failed', { durationMs: 400 })
      const r = await s.api('GET', `/api/${c}/p/ops/batch_stats`)
      expect(r.status).toBe(200)
      const bySlug = Object.fromEntries(r.body.children.map((x: { slug: string }) => [x.slug, x]))
      expect(Object.keys(bySlug).sort()).toEqual(['a', 'b', 'quiet'])
      expect(bySlug['a']).toMatchObject({ runs: 1, success_rate: 1, avg_duration_ms: 100, health: 'ok' })
      expect(bySlug['b']).toMatchObject({ runs: 3, failed: 1, avg_duration_ms: 400, health: 'error' })
      expect(bySlug['quiet']).toMatchObject({ runs: 0, success_rate: null, health: 'ok' })
      expect(r.body.aggregate).toMatchObject({ runs: 4, succeeded: 3, failed: 1, success_rate: 0.75 })
      expect(r.body.aggregate.avg_duration_ms).toBe((100 + 3 * 400) / 4)
    })
  })

  describe('activity', () => {
    type Event = { id: number; action: string; element_id: string }

    it('shows the whole circle on a circle, members on a project, and only itself on an atom', async () => {
      const c = await freshCircle()
      const circle = (await s.api('GET', `/api/${c}`)).body
      const p = await create(c, 'project', 'p')
      const inner = await create(`${c}/p`, 'variable', 'inner')
      const outer = await create(c, 'variable', 'outer')
      await s.api('PATCH', `/api/${c}/inner/ops/update`, { spec: { value: 1 } })
      const other = await freshCircle()
      await create(other, 'variable', 'elsewhere')

      const events = async (path: string) => {
        const r = await s.api('GET', `${path}/ops/activity`)
        expect(r.status).toBe(200)
        return r.body.events as Event[]
      }
      const all = await events(`/api/${c}`)
      expect(all.map((e) => e.id)).toEqual([...all.map((e) => e.id)].sort((x, y) => y - x))
      expect(new Set(all.map((e) => e.element_id))).toEqual(new Set([circle.id, p.id, inner.id, outer.id]))
      expect(all[0]).toMatchObject({ action: 'element.updated', element_id: inner.id })

      const project = await events(`/api/${c}/p`)
      expect(new Set(project.map((e) => e.element_id))).toEqual(new Set([p.id, inner.id]))
      const atom = await events(`/api/${c}/p/inner`)
      expect(atom.map((e) => e.action)).toEqual(['element.updated', 'element.created'])
      expect(atom.every((e) => e.element_id === inner.id)).toBe(true)
    })

    it('pages newest first with limit and the next_before cursor', async () => {
      const c = await freshCircle()
      await create(c, 'variable', 'v')
      for (let i = 0; i < 4; i++) await s.api('PATCH', `/api/${c}/v/ops/update`, { spec: { value: i } })
      const seen: number[] = []
      let before: number | null | undefined
      for (let page = 0; page < 10; page++) {
        const q = before ? `?limit=2&before=${before}` : '?limit=2'
        const r = await s.api('GET', `/api/${c}/v/ops/activity${q}`)
        expect(r.status).toBe(200)
        expect(r.body.events.length).toBeLessThanOrEqual(2)
        seen.push(...r.body.events.map((e: Event) => e.id))
        before = r.body.next_before
        if (before === null) break
        expect(before).toBe(seen[seen.length - 1])
      }
      expect(seen).toHaveLength(5)
      expect(seen).toEqual([...seen].sort((x, y) => y - x))
      const bad = await s.api('GET', `/api/${c}/v/ops/activity?limit=0`)
      expect(bad.status).toBe(400)
    })
  })
})
