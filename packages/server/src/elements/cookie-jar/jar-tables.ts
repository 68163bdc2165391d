// The cookie jar's own table and store: each jar's sealed cookies with the metadata describe
// serves without decrypting. Declared by the jar type (`tables` in definition.ts), migrated in
// its own migration table, and reached through `storeOf(jarTables)` — not the core Storage.
import { type Kysely, sql } from 'kysely'
import type { JsonObject } from '../../storage/storage.ts'
import type { TypeTables } from '../../storage/type-tables.ts'
import { isUniqueViolation } from '../../storage/unique-violation.ts'

/**
 * A cookie jar's durable state: its sealed cookies and the metadata served without decrypting.
 * `revision` moves on every write (the compare-and-set guard); `cookies_version` only when the
 * cookies change.
 */
export interface CookieJarRow {
  element_id: string
  circle_id: string
  revision: number
  cookies_version: number
  /** Null when the jar has never held cookies (or was read without it). */
  sealed: string | null
  meta: JsonObject
  attached_browser_id: string | null
  updated_at: string
}

export type CookieJarPut = 'ok' | 'conflict' | 'browser_taken'
export type CookieJarWrite = Omit<CookieJarRow, 'sealed'> & { sealed?: string | null }

export interface JarStore {
  /** The jar's state; `withSealed: false` leaves the sealed cookies out (sealed is then null). */
  get(elementId: string, opts?: { withSealed?: boolean }): Promise<CookieJarRow | undefined>
  /**
   * Writes the jar's state if its revision is still `expectedRevision` (null: no row yet).
   * `browser_taken` when another jar holds `attached_browser_id`. `sealed` left out: unchanged.
   */
  put(row: CookieJarWrite, expectedRevision: number | null): Promise<CookieJarPut>
  /** The jar (without its sealed cookies) holding `browserId`, if any. */
  findByBrowser(browserId: string): Promise<CookieJarRow | undefined>
  delete(elementId: string): Promise<boolean>
}

interface Tables {
  cookie_jars: Omit<CookieJarRow, 'meta'> & { meta: string }
}

const WITHOUT_SEALED = [
  'element_id',
  'circle_id',
  'revision',
  'cookies_version',
  'meta',
  'attached_browser_id',
  'updated_at',
] as const

function toJar(r: Tables['cookie_jars']): CookieJarRow {
  return {
    ...r,
    revision: Number(r.revision),
    cookies_version: Number(r.cookies_version),
    meta: JSON.parse(r.meta) as JsonObject,
  }
}

class KyselyJarStore implements JarStore {
  constructor(private readonly db: Kysely<Tables>) {}

  async get(elementId: string, opts: { withSealed?: boolean } = {}): Promise<CookieJarRow | undefined> {
    const q = this.db.selectFrom('cookie_jars').where('element_id', '=', elementId)
    if (opts.withSealed === false) {
      const r = await q.select(WITHOUT_SEALED).executeTakeFirst()
      return r && toJar({ ...r, sealed: null })
    }
    const r = await q.selectAll().executeTakeFirst()
    return r && toJar(r)
  }

  /** Compare-and-set on `revision`; the unique browser index turns a double claim into `browser_taken`. */
  async put(row: CookieJarWrite, expectedRevision: number | null): Promise<CookieJarPut> {
    const values = { ...row, sealed: row.sealed ?? null, meta: JSON.stringify(row.meta) }
    try {
      if (expectedRevision === null) {
        const r = await this.db
          .insertInto('cookie_jars')
          .values(values)
          .onConflict((oc) => oc.column('element_id').doNothing())
          .executeTakeFirst()
        return Number(r.numInsertedOrUpdatedRows ?? 0) === 1 ? 'ok' : 'conflict'
      }
      const { element_id: _id, circle_id: _circle, sealed, ...rest } = values
      const changes = row.sealed === undefined ? rest : { ...rest, sealed }
      const r = await this.db
        .updateTable('cookie_jars')
        .set(changes)
        .where('element_id', '=', row.element_id)
        .where('revision', '=', expectedRevision)
        .executeTakeFirst()
      return Number(r.numUpdatedRows) === 1 ? 'ok' : 'conflict'
    } catch (err) {
      // Only the browser index can still be violated (the primary key is handled above). On
      // PostgreSQL the transaction is now aborted: the caller must end it.
      if (isUniqueViolation(err)) return 'browser_taken'
      throw err
    }
  }

  async findByBrowser(browserId: string): Promise<CookieJarRow | undefined> {
    const r = await this.db
      .selectFrom('cookie_jars')
      .select(WITHOUT_SEALED)
      .where('attached_browser_id', '=', browserId)
      .executeTakeFirst()
    return r && toJar({ ...r, sealed: null })
  }

  async delete(elementId: string): Promise<boolean> {
    const r = await this.db.deleteFrom('cookie_jars').where('element_id', '=', elementId).executeTakeFirst()
    return Number(r.numDeletedRows) === 1
  }
}

export const jarTables: TypeTables<JarStore> = {
  name: 'cookie_jar',
  migrations: () => ({
    // Installs from before the jar owned its table created it in the core's 0005: hence
    // "if not exists", so this first migration is a no-op there.
    '0001_cookie_jars': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('cookie_jars')
          .ifNotExists()
          .addColumn('element_id', 'text', (c) => c.primaryKey())
          .addColumn('circle_id', 'text', (c) => c.notNull())
          .addColumn('revision', 'integer', (c) => c.notNull())
          .addColumn('cookies_version', 'integer', (c) => c.notNull())
          .addColumn('sealed', 'text')
          .addColumn('meta', 'text', (c) => c.notNull())
          .addColumn('attached_browser_id', 'text')
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .execute()
        // One jar per browser: the index makes two concurrent attaches of one browser collide.
        await sql`CREATE UNIQUE INDEX IF NOT EXISTS cookie_jars_browser ON cookie_jars (attached_browser_id) WHERE attached_browser_id IS NOT NULL`.execute(
          db,
        )
      },
    },
  }),
  store: (db) => new KyselyJarStore(db as Kysely<Tables>),
}
