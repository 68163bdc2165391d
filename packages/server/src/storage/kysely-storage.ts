// The one Storage implementation, written once over Kysely; sqlite.ts and postgres.ts only
// supply the dialect. Rows are converted at this boundary (JSON text, 0/1 booleans).
import { type Kysely, sql, type Transaction } from 'kysely'
import * as records from './circle-records-store.ts'
import { migrateToLatest } from './migrations.ts'
import { json, parse } from './row-codec.ts'
import type { RunAnnotationTables } from './run-annotations-store.ts'
import * as annotations from './run-annotations-store.ts'
import * as runs from './run-store.ts'
import type { SecretTables } from './secrets-store.ts'
import * as secrets from './secrets-store.ts'
import type {
  ActivityRow,
  ApiKeyRow,
  AttachmentRow,
  CookieJarPut,
  CookieJarRow,
  CookieJarWrite,
  DataKeyRow,
  ElementPatch,
  ElementRow,
  IdempotencyKeyRow,
  JsonObject,
  RunExpectedInfo,
  RunExpectedRow,
  RunFeedbackRow,
  RunLogRow,
  RunQuery,
  RunRow,
  RunStatsRow,
  Storage,
  VersionRow,
} from './storage.ts'

type Raw<T, JsonKeys extends keyof T, BoolKeys extends keyof T = never> = {
  [K in keyof T]: K extends JsonKeys ? string : K extends BoolKeys ? number : T[K]
}

interface ActivityTable extends Omit<Raw<ActivityRow, 'details'>, 'seq'> {
  seq: import('kysely').Generated<number>
}

export interface DB extends RunAnnotationTables, SecretTables {
  elements: Raw<ElementRow, 'spec' | 'meta', 'enabled'>
  element_versions: Raw<VersionRow, 'spec'>
  api_keys: Raw<ApiKeyRow, 'scopes'>
  activity: ActivityTable
  attachments: AttachmentRow
  runs: Omit<
    Raw<RunRow, 'input' | 'output' | 'error' | 'trigger_info', 'cold_start' | 'logs_truncated'>,
    'error' | 'trigger_info'
  > & {
    error: string | null
    trigger_info: string | null
  }
  run_logs: RunLogRow
  idempotency_keys: IdempotencyKeyRow
}

function toElement(r: DB['elements']): ElementRow {
  return {
    ...r,
    enabled: Boolean(r.enabled),
    spec: parse<JsonObject>(r.spec),
    meta: parse<JsonObject>(r.meta),
  }
}

function fromElementPatch(p: ElementPatch): Partial<DB['elements']> {
  const { spec, meta, enabled, ...rest } = p
  const out: Partial<DB['elements']> = { ...rest }
  if (spec !== undefined) out.spec = json(spec)
  if (meta !== undefined) out.meta = json(meta)
  if (enabled !== undefined) out.enabled = enabled ? 1 : 0
  return out
}

export class KyselyStorage implements Storage {
  constructor(
    private readonly db: Kysely<DB>,
    readonly dialect: 'sqlite' | 'postgres',
    private readonly onClose: () => Promise<void> = async () => {},
  ) {}

  get kysely(): Kysely<unknown> {
    return this.db as unknown as Kysely<unknown>
  }

  async migrate(): Promise<void> {
    await migrateToLatest(this.db as unknown as Kysely<unknown>, this.dialect)
  }

  async close(): Promise<void> {
    await this.db.destroy()
    await this.onClose()
  }

  async transaction<T>(fn: (tx: Storage) => Promise<T>): Promise<T> {
    if (this.db.isTransaction) return fn(this)
    return this.db.transaction().execute((trx: Transaction<DB>) => fn(new KyselyStorage(trx, this.dialect)))
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db)
  }

  async insertElement(row: ElementRow): Promise<void> {
    await this.db
      .insertInto('elements')
      .values({ ...row, spec: json(row.spec), meta: json(row.meta), enabled: row.enabled ? 1 : 0 })
      .execute()
  }

  async getElement(id: string): Promise<ElementRow | undefined> {
    const r = await this.db
      .selectFrom('elements')
      .selectAll()
      .where('id', '=', id)
      .where('deleted_at', 'is', null)
      .executeTakeFirst()
    return r && toElement(r)
  }

  async findElementBySlug(circleId: string, slug: string): Promise<ElementRow | undefined> {
    const r = await this.db
      .selectFrom('elements')
      .selectAll()
      .where('circle_id', '=', circleId)
      .where('slug', '=', slug)
      .where('parent_id', 'is not', null)
      .where('deleted_at', 'is', null)
      .executeTakeFirst()
    return r && toElement(r)
  }

  async findCircle(slug: string): Promise<ElementRow | undefined> {
    const r = await this.db
      .selectFrom('elements')
      .selectAll()
      .where('slug', '=', slug)
      .where('parent_id', 'is', null)
      .where('deleted_at', 'is', null)
      .executeTakeFirst()
    return r && toElement(r)
  }

  async findElementInCircle(circleSlug: string, slug: string): Promise<ElementRow | undefined> {
    const r = await this.db
      .selectFrom('elements as e')
      .innerJoin('elements as c', 'c.id', 'e.circle_id')
      .selectAll('e')
      .where('c.slug', '=', circleSlug)
      .where('c.parent_id', 'is', null)
      .where('c.deleted_at', 'is', null)
      .where('e.slug', '=', slug)
      .where('e.parent_id', 'is not', null)
      .where('e.deleted_at', 'is', null)
      .executeTakeFirst()
    return r && toElement(r)
  }

  async listCircles(): Promise<ElementRow[]> {
    const rows = await this.db
      .selectFrom('elements')
      .selectAll()
      .where('parent_id', 'is', null)
      .where('deleted_at', 'is', null)
      .orderBy('slug')
      .execute()
    return rows.map(toElement)
  }

  async listChildren(
    parentId: string,
    opts: { limit?: number; offset?: number; types?: string[] } = {},
  ): Promise<ElementRow[]> {
    let q = this.db
      .selectFrom('elements')
      .selectAll()
      .where('parent_id', '=', parentId)
      .where('deleted_at', 'is', null)
    if (opts.types?.length) q = q.where('element_type', 'in', opts.types)
    q = q
      .orderBy('slug')
      .limit(opts.limit ?? 10_000)
      .offset(opts.offset ?? 0)
    return (await q.execute()).map(toElement)
  }

  async countChildren(parentId: string): Promise<number> {
    const r = await this.db
      .selectFrom('elements')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('parent_id', '=', parentId)
      .where('deleted_at', 'is', null)
      .executeTakeFirstOrThrow()
    return Number(r.n)
  }

  async listCircleElements(circleId: string): Promise<ElementRow[]> {
    const rows = await this.db
      .selectFrom('elements')
      .selectAll()
      .where('circle_id', '=', circleId)
      .where('deleted_at', 'is', null)
      .orderBy('slug')
      .execute()
    return rows.map(toElement)
  }

  async updateElement(id: string, patch: ElementPatch, expectedVersion?: number): Promise<boolean> {
    let q = this.db
      .updateTable('elements')
      .set(fromElementPatch(patch))
      .where('id', '=', id)
      .where('deleted_at', 'is', null)
    if (expectedVersion !== undefined) q = q.where('version', '=', expectedVersion)
    const r = await q.executeTakeFirst()
    return Number(r.numUpdatedRows) === 1
  }

  async insertVersion(row: VersionRow): Promise<void> {
    await this.db
      .insertInto('element_versions')
      .values({ ...row, spec: json(row.spec) })
      .execute()
  }

  async getVersion(elementId: string, version: number): Promise<VersionRow | undefined> {
    const r = await this.db
      .selectFrom('element_versions')
      .selectAll()
      .where('element_id', '=', elementId)
      .where('version', '=', version)
      .executeTakeFirst()
    return r && { ...r, spec: parse<JsonObject>(r.spec) }
  }

  async listVersions(elementId: string, limit: number): Promise<VersionRow[]> {
    const rows = await this.db
      .selectFrom('element_versions')
      .selectAll()
      .where('element_id', '=', elementId)
      .orderBy('version', 'desc')
      .limit(limit)
      .execute()
    return rows.map((r) => ({ ...r, spec: parse<JsonObject>(r.spec) }))
  }

  async countVersions(elementId: string): Promise<number> {
    const r = await this.db
      .selectFrom('element_versions')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('element_id', '=', elementId)
      .executeTakeFirstOrThrow()
    return Number(r.n)
  }

  insertApiKey(row: ApiKeyRow): Promise<void> {
    return records.insertApiKey(this.db, row)
  }

  findApiKeyByHash(hash: string): Promise<ApiKeyRow | undefined> {
    return records.findApiKeyByHash(this.db, hash)
  }

  listApiKeys(circleId: string): Promise<ApiKeyRow[]> {
    return records.listApiKeys(this.db, circleId)
  }

  revokeApiKey(circleId: string, id: string, at: string): Promise<boolean> {
    return records.revokeApiKey(this.db, circleId, id, at)
  }

  insertActivity(row: Omit<ActivityRow, 'seq'>): Promise<number> {
    return records.insertActivity(this.db, row)
  }

  listActivity(q: {
    circleId: string
    elementIds?: string[]
    before?: number
    limit: number
  }): Promise<ActivityRow[]> {
    return records.listActivity(this.db, q)
  }

  insertAttachment(row: AttachmentRow): Promise<void> {
    return records.insertAttachment(this.db, row)
  }

  getAttachment(id: string): Promise<AttachmentRow | undefined> {
    return records.getAttachment(this.db, id)
  }

  findAttachment(sourceId: string, targetId: string): Promise<AttachmentRow | undefined> {
    return records.findAttachment(this.db, sourceId, targetId)
  }

  deleteAttachment(id: string): Promise<boolean> {
    return records.deleteAttachment(this.db, id)
  }

  listAttachments(q: { targetId?: string; sourceId?: string; circleId?: string }): Promise<AttachmentRow[]> {
    return records.listAttachments(this.db, q)
  }

  insertRun(row: RunRow): Promise<void> {
    return runs.insertRun(this.db, row, this.dialect)
  }

  updateRun(id: string, patch: Partial<Omit<RunRow, 'id' | 'circle_id' | 'element_id'>>): Promise<boolean> {
    return runs.updateRun(this.db, id, patch, this.dialect)
  }

  listRuns(q: RunQuery): Promise<RunRow[]> {
    return runs.listRuns(this.db, q)
  }

  insertRunLogs(rows: RunLogRow[]): Promise<void> {
    return runs.insertRunLogs(this.db, rows)
  }

  listRunLogs(runId: string, afterSeq?: number, limit?: number): Promise<RunLogRow[]> {
    return runs.listRunLogs(this.db, runId, afterSeq, limit)
  }

  getRun(id: string): Promise<RunRow | undefined> {
    return runs.getRun(this.db, id)
  }

  countActiveRuns(elementId: string): Promise<number> {
    return runs.countActiveRuns(this.db, elementId)
  }

  runStats(elementIds: string[], since: string): Promise<RunStatsRow[]> {
    return runs.runStats(this.db, elementIds, since)
  }

  getRunFeedback(runId: string): Promise<RunFeedbackRow | undefined> {
    return annotations.getRunFeedback(this.db, runId)
  }

  putRunFeedback(row: RunFeedbackRow): Promise<void> {
    return annotations.putRunFeedback(this.db, row)
  }

  deleteRunFeedback(runId: string): Promise<boolean> {
    return annotations.deleteRunFeedback(this.db, runId)
  }

  listRunExpected(runId: string): Promise<RunExpectedInfo[]> {
    return annotations.listRunExpected(this.db, runId)
  }

  getRunExpected(runId: string, name: string): Promise<RunExpectedRow | undefined> {
    return annotations.getRunExpected(this.db, runId, name)
  }

  putRunExpected(row: RunExpectedRow): Promise<void> {
    return annotations.putRunExpected(this.db, row)
  }

  renameRunExpected(runId: string, from: string, to: string, at: string) {
    return annotations.renameRunExpected(this.db, runId, from, to, at)
  }

  deleteRunExpected(runId: string, name: string): Promise<boolean> {
    return annotations.deleteRunExpected(this.db, runId, name)
  }

  getDataKey(elementId: string): Promise<DataKeyRow | undefined> {
    return secrets.getDataKey(this.db, elementId)
  }

  insertDataKey(row: DataKeyRow): Promise<boolean> {
    return secrets.insertDataKey(this.db, row)
  }

  rewrapDataKey(
    elementId: string,
    fromMasterKeyId: number,
    next: { master_key_id: number; wrapped: string; updated_at: string },
  ): Promise<boolean> {
    return secrets.rewrapDataKey(this.db, elementId, fromMasterKeyId, next)
  }

  listDataKeysNotWrappedBy(
    masterKeyId: number,
    afterElementId: string,
    limit: number,
  ): Promise<DataKeyRow[]> {
    return secrets.listDataKeysNotWrappedBy(this.db, masterKeyId, afterElementId, limit)
  }

  countDataKeysByMasterKey(): Promise<Array<{ master_key_id: number; count: number }>> {
    return secrets.countDataKeysByMasterKey(this.db)
  }

  deleteDataKey(elementId: string): Promise<boolean> {
    return secrets.deleteDataKey(this.db, elementId)
  }

  getCookieJar(elementId: string, opts?: { withSealed?: boolean }): Promise<CookieJarRow | undefined> {
    return secrets.getCookieJar(this.db, elementId, opts)
  }

  putCookieJar(row: CookieJarWrite, expectedRevision: number | null): Promise<CookieJarPut> {
    return secrets.putCookieJar(this.db, row, expectedRevision)
  }

  findCookieJarByBrowser(browserId: string): Promise<CookieJarRow | undefined> {
    return secrets.findCookieJarByBrowser(this.db, browserId)
  }

  deleteCookieJar(elementId: string): Promise<boolean> {
    return secrets.deleteCookieJar(this.db, elementId)
  }

  claimIdempotencyKey(
    row: IdempotencyKeyRow,
    now: string,
  ): Promise<{ claimed: boolean; row: IdempotencyKeyRow }> {
    return runs.claimIdempotencyKey(this.db, row, now)
  }

  setIdempotencyRun(circleId: string, key: string, runId: string): Promise<void> {
    return runs.setIdempotencyRun(this.db, circleId, key, runId)
  }

  releaseIdempotencyKey(circleId: string, key: string): Promise<void> {
    return runs.releaseIdempotencyKey(this.db, circleId, key)
  }
}
