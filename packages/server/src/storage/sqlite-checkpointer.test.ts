// The WAL checkpoints of a SQLite file run on their own thread: committed pages reach the
// database file while the writer never checkpoints (its threshold is far above these writes),
// and closing leaves a clean file that a new connection reads whole.
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { sql } from 'kysely'
import { afterAll, describe, expect, it } from 'vitest'
import { eventually } from '../engine/engine-test-kit.ts'
import { createSqliteStorage } from './sqlite.ts'

const dir = mkdtempSync(join(tmpdir(), 'periodic-checkpoint-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('sqlite checkpointer', () => {
  it('moves committed pages into the database file off the writer, and closes cleanly', async () => {
    const file = join(dir, 'periodic.db')
    const storage = createSqliteStorage(file)
    await sql`create table t (id integer primary key, body text not null)`.execute(storage.kysely)
    const before = statSync(file).size
    // One commit per row: ~2,000 WAL frames, well under the writer's own threshold.
    for (let i = 0; i < 2000; i++)
      await sql`insert into t (body) values (${`row ${i} ${'x'.repeat(200)}`})`.execute(storage.kysely)
    await eventually(() => expect(statSync(file).size).toBeGreaterThan(before))
    await storage.close()
    // The last connection to close checkpoints everything and removes the WAL.
    expect(existsSync(`${file}-wal`)).toBe(false)
    const db = new Database(file, { readonly: true })
    expect(db.prepare('select count(*) as n from t').get()).toEqual({ n: 2000 })
    db.close()
  })

  it('is not started for an in-memory database', async () => {
    const storage = createSqliteStorage(':memory:')
    await sql`create table t (id integer primary key)`.execute(storage.kysely)
    await storage.close()
  })
})
