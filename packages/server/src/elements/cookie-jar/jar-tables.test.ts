// The cookie jar's own table, on SQLite and PostgreSQL: its migrations run in their own migration
// table after the core's (idempotent, and a no-op on installs whose core migration created the
// table), and its store keeps the compare-and-set and one-jar-per-browser guarantees.
import { randomBytes, randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testDatabaseUrl } from '../../../test/test-server.ts'
import { createPostgresStorage, dropPostgresSchema } from '../../storage/postgres.ts'
import { createSqliteStorage } from '../../storage/sqlite.ts'
import type { Storage } from '../../storage/storage.ts'
import { type CookieJarRow, jarTables } from './jar-tables.ts'

const at = () => new Date().toISOString()

function jarRow(over: Partial<CookieJarRow> = {}): CookieJarRow {
  return {
    element_id: randomUUID(),
    circle_id: randomUUID(),
    revision: 1,
    cookies_version: 1,
    sealed: 'z1.sealed-one',
    meta: { domain_counts: { '.a.com': 1 }, expirations: '' },
    attached_browser_id: null,
    updated_at: at(),
    ...over,
  }
}

function describeJarTables(name: string, open: () => Promise<Storage>, dispose: () => Promise<void>): void {
  describe(`cookie jar tables: ${name}`, () => {
    let db: Storage
    beforeAll(async () => {
      db = await open()
      await db.migrate()
      await db.migrateTables([jarTables])
      await db.migrateTables([jarTables]) // idempotent
    })
    afterAll(async () => {
      await db?.close()
      await dispose()
    })

    it('keeps its migrations in a table of its own, beside the core ones', async () => {
      const { rows } = await sql<{ name: string }>`select name from periodic_migrations_cookie_jar`.execute(
        db.kysely,
      )
      expect(rows.map((r) => r.name)).toEqual(['0001_cookie_jars'])
      const core = await sql<{ name: string }>`select name from periodic_migrations`.execute(db.kysely)
      expect(core.rows.map((r) => r.name)).not.toContain('0001_cookie_jars')
    })

    it('writes a jar state row with compare-and-set on its revision', async () => {
      const jars = db.storeOf(jarTables)
      const row = jarRow()
      expect(await jars.put(row, null)).toBe('ok')
      expect(await jars.put(row, null)).toBe('conflict')
      expect(await jars.get(row.element_id)).toEqual(row)
      expect(await jars.get(row.element_id, { withSealed: false })).toEqual({ ...row, sealed: null })
      expect(await jars.put({ ...row, revision: 3 }, 7)).toBe('conflict')
      // Leaving sealed out keeps the stored blob.
      const { sealed: _s, ...noBlob } = row
      expect(await jars.put({ ...noBlob, revision: 2, attached_browser_id: randomUUID() }, 1)).toBe('ok')
      expect((await jars.get(row.element_id))!).toMatchObject({ revision: 2, sealed: 'z1.sealed-one' })
      expect(await jars.delete(row.element_id)).toBe(true)
      expect(await jars.delete(row.element_id)).toBe(false)
      expect(await jars.get(row.element_id)).toBeUndefined()
    })

    it('lets one browser be held by one jar only (also inside a transaction), and finds the jar by its browser', async () => {
      const jars = db.storeOf(jarTables)
      const browser = randomUUID()
      const rows = [jarRow({ sealed: null }), jarRow({ sealed: null })]
      for (const r of rows) expect(await jars.put(r, null)).toBe('ok')
      expect(await jars.put({ ...rows[0]!, revision: 2, attached_browser_id: browser }, 1)).toBe('ok')
      const taken = await db
        .transaction((tx) =>
          tx.storeOf(jarTables).put({ ...rows[1]!, revision: 2, attached_browser_id: browser }, 1),
        )
        .catch((err: unknown) => err)
      expect(taken).toBe('browser_taken')
      expect(await jars.findByBrowser(browser)).toMatchObject({
        element_id: rows[0]!.element_id,
        sealed: null,
      })
      expect(await jars.findByBrowser(randomUUID())).toBeUndefined()
    })

    it('rolls its writes back with the transaction they were made in', async () => {
      const row = jarRow()
      await db
        .transaction(async (tx) => {
          expect(await tx.storeOf(jarTables).put(row, null)).toBe('ok')
          throw new Error('abort')
        })
        .catch(() => {})
      expect(await db.storeOf(jarTables).get(row.element_id)).toBeUndefined()
    })
  })
}

describeJarTables(
  'sqlite',
  async () => createSqliteStorage(':memory:'),
  async () => {},
)

const url = testDatabaseUrl()
if (url) {
  const schema = `jar_${randomBytes(6).toString('hex')}`
  describeJarTables(
    'postgres',
    () => createPostgresStorage({ url, schema, maxConnections: 4 }),
    () => dropPostgresSchema(url, schema),
  )
}

describe('cookie jar tables on an install from before the jar owned them', () => {
  it('adopts the table the core migration created, rows and index included', async () => {
    const db = createSqliteStorage(':memory:')
    await db.migrate()
    // What 0005 created before the table moved into the jar's folder.
    await sql`CREATE TABLE cookie_jars (element_id text primary key, circle_id text not null, revision integer not null, cookies_version integer not null, sealed text, meta text not null, attached_browser_id text, updated_at text not null)`.execute(
      db.kysely,
    )
    await sql`CREATE UNIQUE INDEX cookie_jars_browser ON cookie_jars (attached_browser_id) WHERE attached_browser_id IS NOT NULL`.execute(
      db.kysely,
    )
    const old = jarRow()
    await sql`INSERT INTO cookie_jars VALUES (${old.element_id}, ${old.circle_id}, 1, 1, ${old.sealed}, ${JSON.stringify(old.meta)}, null, ${old.updated_at})`.execute(
      db.kysely,
    )
    await db.migrateTables([jarTables])
    expect(await db.storeOf(jarTables).get(old.element_id)).toEqual(old)
    await db.close()
  })
})
