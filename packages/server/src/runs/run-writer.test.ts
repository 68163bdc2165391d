// RunWriter on real SQLite: writes of one turn land together, each caller learns about its
// own write only, and a failing write does not take the rest of its batch down with it.
import { randomBytes, randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testDatabaseUrl } from '../../test/test-server.ts'
import { element, run } from '../storage/contract-fixtures.ts'
import { createPostgresStorage, dropPostgresSchema } from '../storage/postgres.ts'
import { createSqliteStorage } from '../storage/sqlite.ts'
import type { RunRow, Storage } from '../storage/storage.ts'
import { RunWriter } from './run-writer.ts'

/** A queued run of an element that is not stored: the writer only touches the runs table. */
const queued = (): RunRow => run(element({ circle_id: randomUUID() }))

describe('RunWriter', () => {
  let db: Storage
  let writer: RunWriter
  beforeAll(async () => {
    db = createSqliteStorage(':memory:')
    await db.migrate()
    writer = new RunWriter(db)
  })
  afterAll(async () => db.close())

  it('stores many runs created in one turn, then their ends with logs', async () => {
    const rows = Array.from({ length: 50 }, queued)
    await Promise.all(rows.map((r) => writer.insert(r)))
    for (const r of rows) expect(await db.getRun(r.id)).toEqual(r)
    const at = new Date().toISOString()
    await Promise.all(
      rows.map((r, i) =>
        writer.finish(
          r.id,
          { status: 'succeeded', output: { i }, attempts: 1, completed_at: at },
          [{ run_id: r.id, seq: 0, stream: 'stdout', data: `line ${i}\n`, created_at: at }],
          'node-a',
        ),
      ),
    )
    for (const [i, r] of rows.entries()) {
      expect(await db.getRun(r.id)).toMatchObject({ status: 'succeeded', output: { i }, attempts: 1 })
      expect((await db.listRunLogs(r.id)).map((l) => l.data)).toEqual([`line ${i}\n`])
    }
  })

  it('writes an end only while the node holds the run, and only once', async () => {
    const r = queued()
    await writer.insert(r)
    const at = new Date().toISOString()
    const end = (node: string, output: number) =>
      writer.finish(
        r.id,
        { status: 'succeeded', output, completed_at: at },
        [{ run_id: r.id, seq: 0, stream: 'stdout', data: `from ${node}`, created_at: at }],
        node,
      )
    await end('node-b', 1) // node-b never claimed it
    expect(await db.getRun(r.id)).toMatchObject({ status: 'queued', output: null })
    await end('node-a', 2)
    await end('node-a', 3) // an ended run is never written again
    expect(await db.getRun(r.id)).toMatchObject({ status: 'succeeded', output: 2 })
    expect((await db.listRunLogs(r.id)).map((l) => l.data)).toEqual(['from node-a'])
  })

  it('writes a run that ends before its held insert once, as one ended row with its logs', async () => {
    const r = { ...queued(), node_id: 'node-a' }
    const inserted = writer.insert(r, 60_000) // held far longer than the test: its end flushes it
    const at = new Date().toISOString()
    const ended = writer.finish(
      r.id,
      { status: 'succeeded', output: { fast: true }, attempts: 1, completed_at: at },
      [{ run_id: r.id, seq: 0, stream: 'stdout', data: 'printed', created_at: at }],
      'node-a',
    )
    await Promise.all([inserted, ended])
    expect(await db.getRun(r.id)).toEqual({
      ...r,
      status: 'succeeded',
      output: { fast: true },
      attempts: 1,
      completed_at: at,
    })
    expect((await db.listRunLogs(r.id)).map((l) => l.data)).toEqual(['printed'])
  })

  it('leaves a held insert out of other runs’ writes until its own end comes', async () => {
    const r = { ...queued(), node_id: 'node-a' }
    const inserted = writer.insert(r, 60_000) // longer than the test may last
    const other = queued()
    await writer.insert(other)
    expect([await db.getRun(other.id), await db.getRun(r.id)]).toEqual([other, undefined])
    const at = new Date().toISOString()
    await writer.finish(r.id, { status: 'failed', attempts: 1, completed_at: at }, [], 'node-a')
    await inserted
    expect(await db.getRun(r.id)).toEqual({ ...r, status: 'failed', attempts: 1, completed_at: at })
  })

  it('stores a held insert of a run that does not end within the hold', async () => {
    const r = queued()
    await writer.insert(r, 5)
    expect(await db.getRun(r.id)).toEqual(r)
  })

  it('writes a held insert within its shortened hold (its run has started)', async () => {
    const r = queued()
    // Without the shortening this would wait out the minute (and the test's timeout).
    const inserted = writer.insert(r, 60_000)
    writer.shortenHold(r.id, 5)
    await inserted
    expect(await db.getRun(r.id)).toEqual(r)
  })

  it('fails only the write that cannot be stored', async () => {
    const existing = queued()
    await writer.insert(existing)
    const good = [queued(), queued()]
    const results = await Promise.allSettled([
      writer.insert(good[0]!),
      writer.insert({ ...existing }), // same primary key: refused by the database
      writer.insert(good[1]!),
    ])
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
    for (const r of good) expect(await db.getRun(r.id)).toEqual(r)
  })
})

const pgUrl = testDatabaseUrl()
describe.skipIf(!pgUrl)('RunWriter on PostgreSQL', () => {
  const schema = `writer_${randomBytes(6).toString('hex')}`
  let db: Storage
  afterAll(async () => {
    await db?.close()
    if (pgUrl) await dropPostgresSchema(pgUrl, schema)
  })

  it('stores a run’s end that comes while its insert is still being committed', async () => {
    db = await createPostgresStorage({ url: pgUrl!, schema, maxConnections: 4 })
    await db.migrate()
    // The first transaction (the insert's batch) commits 200 ms late: the end, flushed on the
    // next turn, must wait for it rather than update a row its connection cannot see yet.
    let slow = true
    const lagging: Storage = Object.create(db)
    lagging.transaction = (fn) =>
      db.transaction(async (tx) => {
        const result = await fn(tx)
        if (slow) {
          slow = false
          await new Promise((r) => setTimeout(r, 200))
        }
        return result
      })
    const writer = new RunWriter(lagging)
    const r = { ...queued(), node_id: 'node-a' }
    const inserted = writer.insert(r)
    await new Promise((res) => setImmediate(res)) // the insert's batch is in its transaction
    const at = new Date().toISOString()
    await Promise.all([
      inserted,
      writer.finish(r.id, { status: 'failed', attempts: 1, completed_at: at }, [], 'node-a'),
    ])
    expect(await db.getRun(r.id)).toMatchObject({ status: 'failed', completed_at: at })
  })
})
