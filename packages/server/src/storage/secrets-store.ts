// The secrets-at-rest half of KyselyStorage: wrapped per-element data keys and cookie jars'
// sealed state, kept apart so kysely-storage.ts stays readable.
import type { Kysely } from 'kysely'
import type { DB, SecretTables } from './db-schema.ts'
import type { CookieJarPut, CookieJarRow, CookieJarWrite, DataKeyRow, JsonObject } from './storage.ts'
import { isUniqueViolation } from './unique-violation.ts'

export async function getDataKey(db: Kysely<DB>, elementId: string): Promise<DataKeyRow | undefined> {
  const r = await db
    .selectFrom('data_keys')
    .selectAll()
    .where('element_id', '=', elementId)
    .executeTakeFirst()
  return r && { ...r, master_key_id: Number(r.master_key_id) }
}

export async function insertDataKey(db: Kysely<DB>, row: DataKeyRow): Promise<boolean> {
  const r = await db
    .insertInto('data_keys')
    .values(row)
    .onConflict((oc) => oc.column('element_id').doNothing())
    .executeTakeFirst()
  return Number(r.numInsertedOrUpdatedRows ?? 0) === 1
}

export async function rewrapDataKey(
  db: Kysely<DB>,
  elementId: string,
  fromMasterKeyId: number,
  next: { master_key_id: number; wrapped: string; updated_at: string },
): Promise<boolean> {
  const r = await db
    .updateTable('data_keys')
    .set(next)
    .where('element_id', '=', elementId)
    .where('master_key_id', '=', fromMasterKeyId)
    .executeTakeFirst()
  return Number(r.numUpdatedRows) === 1
}

export async function listDataKeysNotWrappedBy(
  db: Kysely<DB>,
  masterKeyId: number,
  afterElementId: string,
  limit: number,
): Promise<DataKeyRow[]> {
  const rows = await db
    .selectFrom('data_keys')
    .selectAll()
    .where('master_key_id', '!=', masterKeyId)
    .where('element_id', '>', afterElementId)
    .orderBy('element_id')
    .limit(limit)
    .execute()
  return rows.map((r) => ({ ...r, master_key_id: Number(r.master_key_id) }))
}

export async function countDataKeysByMasterKey(
  db: Kysely<DB>,
): Promise<Array<{ master_key_id: number; count: number }>> {
  const rows = await db
    .selectFrom('data_keys')
    .select((eb) => ['master_key_id', eb.fn.countAll<number>().as('count')])
    .groupBy('master_key_id')
    .orderBy('master_key_id')
    .execute()
  return rows.map((r) => ({ master_key_id: Number(r.master_key_id), count: Number(r.count) }))
}

export async function deleteDataKey(db: Kysely<DB>, elementId: string): Promise<boolean> {
  const r = await db.deleteFrom('data_keys').where('element_id', '=', elementId).executeTakeFirst()
  return Number(r.numDeletedRows) === 1
}

function toJar(r: SecretTables['cookie_jars']): CookieJarRow {
  return {
    ...r,
    revision: Number(r.revision),
    cookies_version: Number(r.cookies_version),
    meta: JSON.parse(r.meta) as JsonObject,
  }
}

const JAR_COLUMNS_WITHOUT_SEALED = [
  'element_id',
  'circle_id',
  'revision',
  'cookies_version',
  'meta',
  'attached_browser_id',
  'updated_at',
] as const

export async function getCookieJar(
  db: Kysely<DB>,
  elementId: string,
  opts: { withSealed?: boolean } = {},
): Promise<CookieJarRow | undefined> {
  if (opts.withSealed === false) {
    const r = await db
      .selectFrom('cookie_jars')
      .select(JAR_COLUMNS_WITHOUT_SEALED)
      .where('element_id', '=', elementId)
      .executeTakeFirst()
    return r && toJar({ ...r, sealed: null })
  }
  const r = await db
    .selectFrom('cookie_jars')
    .selectAll()
    .where('element_id', '=', elementId)
    .executeTakeFirst()
  return r && toJar(r)
}

/** Compare-and-set on `revision`; the unique browser index turns a double claim into `browser_taken`. */
export async function putCookieJar(
  db: Kysely<DB>,
  row: CookieJarWrite,
  expectedRevision: number | null,
): Promise<CookieJarPut> {
  const values = { ...row, sealed: row.sealed ?? null, meta: JSON.stringify(row.meta) }
  try {
    if (expectedRevision === null) {
      const r = await db
        .insertInto('cookie_jars')
        .values(values)
        .onConflict((oc) => oc.column('element_id').doNothing())
        .executeTakeFirst()
      return Number(r.numInsertedOrUpdatedRows ?? 0) === 1 ? 'ok' : 'conflict'
    }
    const { element_id: _id, circle_id: _circle, sealed, ...rest } = values
    const changes = row.sealed === undefined ? rest : { ...rest, sealed }
    const r = await db
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

export async function findCookieJarByBrowser(
  db: Kysely<DB>,
  browserId: string,
): Promise<CookieJarRow | undefined> {
  const r = await db
    .selectFrom('cookie_jars')
    .select(JAR_COLUMNS_WITHOUT_SEALED)
    .where('attached_browser_id', '=', browserId)
    .executeTakeFirst()
  return r && toJar({ ...r, sealed: null })
}

export async function deleteCookieJar(db: Kysely<DB>, elementId: string): Promise<boolean> {
  const r = await db.deleteFrom('cookie_jars').where('element_id', '=', elementId).executeTakeFirst()
  return Number(r.numDeletedRows) === 1
}
