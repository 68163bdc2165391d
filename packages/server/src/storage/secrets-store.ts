// The secrets-at-rest half of KyselyStorage: wrapped per-element data keys, kept apart so
// kysely-storage.ts stays readable.
import type { Kysely } from 'kysely'
import type { DB } from './db-schema.ts'
import type { DataKeyRow } from './storage.ts'

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
