// cron: 7-field expressions, a cron trigger firing a worker function under a manual clock (no
// minute-long waits), and one firing per tick when two nodes share the database.
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { storageKinds, testDatabaseUrl } from '../../test/test-server.ts'
import { createPostgresStorage, dropPostgresSchema } from '../storage/postgres.ts'
import { createSqliteStorage } from '../storage/sqlite.ts'
import type { Storage } from '../storage/storage.ts'
import { nextCronTime, parseCron } from './cron-expression.ts'
import { CronTriggers } from './cron-triggers.ts'
import { Engine } from './engine.ts'
import { type EngineKit, eventually, ManualClock, startEngineKit, waitForTrigger } from './engine-test-kit.ts'

const T0 = Date.UTC(2030, 0, 1, 0, 0, 0) // a Tuesday
const iso = (ms: number) => new Date(ms).toISOString()

describe('cron expressions', () => {
  it('finds the next second, minute and hour matches', () => {
    expect(iso(nextCronTime(parseCron('* * * * * * *'), T0)!)).toBe('2030-01-01T00:00:01.000Z')
    expect(iso(nextCronTime(parseCron('0 * * * * * *'), T0)!)).toBe('2030-01-01T00:01:00.000Z')
    expect(iso(nextCronTime(parseCron('30 15 10 * * * *'), T0)!)).toBe('2030-01-01T10:15:30.000Z')
    expect(iso(nextCronTime(parseCron('*/15 * * * * *'), T0 + 1000)!)).toBe('2030-01-01T00:00:15.000Z')
  })

  it('reads lists, ranges, steps, names, and days of week with Sunday = 1', () => {
    // Mondays and Fridays at 09:00 in March 2031 only.
    const s = parseCron('0 0 9 ? MAR MON,FRI 2031')
    expect(iso(nextCronTime(s, T0)!)).toBe('2031-03-03T09:00:00.000Z')
    expect(iso(nextCronTime(s, Date.UTC(2031, 2, 3, 9))!)).toBe('2031-03-07T09:00:00.000Z')
    expect(iso(nextCronTime(parseCron('0 0 0 * * 1 *'), T0)!)).toBe('2030-01-06T00:00:00.000Z') // Sunday
    expect(iso(nextCronTime(parseCron('0 0 8-10/2 1 1 * *'), T0)!)).toBe('2030-01-01T08:00:00.000Z')
  })

  it('answers undefined when the schedule has no future time', () => {
    expect(nextCronTime(parseCron('0 0 0 1 1 * 2020'), T0)).toBeUndefined()
  })

  it('refuses malformed expressions', () => {
    for (const bad of [
      '* * * * *',
      '61 * * * * * *',
      '* * 24 * * * *',
      '* * * 0 * * *',
      '* * * * 13 * *',
      '* * * * * 8 *',
      '5-1 * * * * * *',
      '*/0 * * * * * *',
      'a b c d e f g',
    ]) {
      expect(() => parseCron(bad), bad).toThrow(/cron expression/)
    }
  })
})

describe('cron triggers through iii-sdk', () => {
  let kit: EngineKit
  const clock = new ManualClock(T0)
  beforeAll(async () => {
    kit = await startEngineKit({ clock })
  })
  afterAll(async () => kit?.close())

  it('fires the function once per scheduled minute as the clock advances', async () => {
    const iii = kit.worker()
    const seen: any[] = []
    iii.registerFunction('cron::tick', async (e: unknown) => {
      seen.push(e)
      return null
    })
    iii.registerTrigger({ type: 'cron', function_id: 'cron::tick', config: { expression: '0 * * * * * *' } })
    await waitForTrigger(iii, 'cron::tick')
    clock.advance(59_000)
    await new Promise((r) => setTimeout(r, 100))
    expect(seen).toHaveLength(0)
    clock.advance(3 * 60_000)
    await eventually(() => expect(seen).toHaveLength(3))
    // Once per minute; the three fire together after the jump, so they may arrive in any order.
    expect(seen.map((e) => e.scheduled_time).sort()).toEqual([
      '2030-01-01T00:01:00.000Z',
      '2030-01-01T00:02:00.000Z',
      '2030-01-01T00:03:00.000Z',
    ])
    expect(seen[0]).toMatchObject({ type: 'cron', expression: '0 * * * * * *' })
  })
})

describe.each(storageKinds())('cron across two nodes on %s', (kind) => {
  const dir = mkdtempSync(join(tmpdir(), 'periodic-cron-'))
  const schema = `cron_${randomBytes(6).toString('hex')}`
  const open = async (): Promise<Storage> =>
    kind === 'sqlite'
      ? createSqliteStorage(join(dir, 'shared.db'))
      : createPostgresStorage({ url: testDatabaseUrl()!, schema, maxConnections: 4 })
  const storages: Storage[] = []
  afterAll(async () => {
    for (const s of storages) await s.close()
    if (kind === 'postgres') await dropPostgresSchema(testDatabaseUrl()!, schema)
    rmSync(dir, { recursive: true, force: true })
  })

  it('runs a schedule held by both nodes once per tick', async () => {
    const clock = new ManualClock(T0)
    let calls = 0
    const nodes = []
    for (const name of ['node-a', 'node-b']) {
      const storage = await open()
      storages.push(storage)
      await storage.migrate()
      const engine = new Engine(null, 1000)
      engine.addBuiltin({
        id: 'count::tick',
        description: 'counts',
        scope: 'execute',
        handler: () => ++calls,
      })
      const cron = new CronTriggers(engine, storage.kysely, name, clock, () => {})
      cron.register({
        id: `t-${name}`,
        trigger_type: 'cron',
        function_id: 'count::tick',
        config: { expression: '*/10 * * * * * *' },
        metadata: null,
        circleId: 'c1',
        circleSlug: 'acme',
        conn: null,
      })
      nodes.push(cron)
    }
    clock.advance(60_000)
    await eventually(() => expect(calls).toBe(6))
    await new Promise((r) => setTimeout(r, 150))
    expect(calls).toBe(6)
    for (const n of nodes) n.close()
  })
})
