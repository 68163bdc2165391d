// API keys, the activity log and attachments: the records around a circle's elements, kept
// apart from kysely-storage.ts so it stays readable; each function takes the same Kysely handle.
import type { Kysely } from 'kysely'
import type { DB } from './db-schema.ts'
import { json, parse } from './row-codec.ts'
import type { ActivityRow, ApiKeyRow, AttachmentRow, JsonObject } from './storage.ts'

export async function insertApiKey(db: Kysely<DB>, row: ApiKeyRow): Promise<void> {
  await db
    .insertInto('api_keys')
    .values({ ...row, scopes: json(row.scopes) })
    .execute()
}

export async function findApiKeyByHash(db: Kysely<DB>, hash: string): Promise<ApiKeyRow | undefined> {
  const r = await db.selectFrom('api_keys').selectAll().where('hash', '=', hash).executeTakeFirst()
  return r && { ...r, scopes: parse<string[]>(r.scopes) }
}

export async function listApiKeys(db: Kysely<DB>, circleId: string): Promise<ApiKeyRow[]> {
  const rows = await db
    .selectFrom('api_keys')
    .selectAll()
    .where('circle_id', '=', circleId)
    .orderBy('created_at')
    .execute()
  return rows.map((r) => ({ ...r, scopes: parse<string[]>(r.scopes) }))
}

export async function revokeApiKey(
  db: Kysely<DB>,
  circleId: string,
  id: string,
  at: string,
): Promise<boolean> {
  const r = await db
    .updateTable('api_keys')
    .set({ revoked_at: at })
    .where('id', '=', id)
    .where('circle_id', '=', circleId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst()
  return Number(r.numUpdatedRows) === 1
}

export async function insertActivity(db: Kysely<DB>, row: Omit<ActivityRow, 'seq'>): Promise<number> {
  const r = await db
    .insertInto('activity')
    .values({ ...row, details: json(row.details) })
    .returning('seq')
    .executeTakeFirstOrThrow()
  return Number(r.seq)
}

export async function listActivity(
  db: Kysely<DB>,
  q: {
    circleId: string
    elementIds?: string[]
    before?: number
    limit: number
  },
): Promise<ActivityRow[]> {
  let query = db.selectFrom('activity').selectAll().where('circle_id', '=', q.circleId)
  if (q.elementIds) {
    if (q.elementIds.length === 0) return []
    query = query.where('element_id', 'in', q.elementIds)
  }
  if (q.before !== undefined) query = query.where('seq', '<', q.before)
  const rows = await query.orderBy('seq', 'desc').limit(q.limit).execute()
  return rows.map((r) => ({ ...r, seq: Number(r.seq), details: parse<JsonObject>(r.details) }))
}

export async function insertAttachment(db: Kysely<DB>, row: AttachmentRow): Promise<void> {
  await db.insertInto('attachments').values(row).execute()
}

export async function getAttachment(db: Kysely<DB>, id: string): Promise<AttachmentRow | undefined> {
  return db.selectFrom('attachments').selectAll().where('id', '=', id).executeTakeFirst()
}

export async function findAttachment(
  db: Kysely<DB>,
  sourceId: string,
  targetId: string,
): Promise<AttachmentRow | undefined> {
  return db
    .selectFrom('attachments')
    .selectAll()
    .where('source_id', '=', sourceId)
    .where('target_id', '=', targetId)
    .executeTakeFirst()
}

export async function deleteAttachment(db: Kysely<DB>, id: string): Promise<boolean> {
  const r = await db.deleteFrom('attachments').where('id', '=', id).executeTakeFirst()
  return Number(r.numDeletedRows) === 1
}

export async function listAttachments(
  db: Kysely<DB>,
  q: {
    targetId?: string
    sourceId?: string
    circleId?: string
  },
): Promise<AttachmentRow[]> {
  let query = db.selectFrom('attachments').selectAll()
  if (q.circleId) query = query.where('circle_id', '=', q.circleId)
  if (q.targetId) query = query.where('target_id', '=', q.targetId)
  if (q.sourceId) query = query.where('source_id', '=', q.sourceId)
  return query.orderBy('priority').orderBy('created_at').execute()
}
