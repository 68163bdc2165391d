// The one Storage implementation, written once over Kysely; sqlite.ts and postgres.ts only
// supply the dialect. Rows are converted at this boundary (JSON text, 0/1 booleans).
import { type Kysely, sql, type Transaction } from 'kysely'
import { migrateToLatest } from './migrations.ts'
import type { RunAnnotationTables } from './run-annotations-store.ts'
import * as annotations from './run-annotations-store.ts'
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
  Json,
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
import { ACTIVE_RUN_STATUSES } from './storage.ts'

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

const json = (v: unknown): string => JSON.stringify(v ?? null)
const parse = <T = Json>(v: string | null): T => (v === null ? (null as T) : (JSON.parse(v) as T))

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

function toRun(r: DB['runs']): RunRow {
  return {
    ...r,
    input: parse(r.input),
    output: parse(r.output),
    error: parse<JsonObject | null>(r.error),
    trigger_info: parse<JsonObject | null>(r.trigger_info),
    cold_start: Boolean(r.cold_start),
    logs_truncated: Boolean(r.logs_truncated),
  }
}

function fromRunPatch(patch: Partial<RunRow>): Partial<DB['runs']> {
  const { input, output, error, trigger_info, cold_start, logs_truncated, ...rest } = patch
  const set: Partial<DB['runs']> = { ...rest }
  if (input !== undefined) set.input = json(input)
  if (output !== undefined) set.output = json(output)
  if (error !== undefined) set.error = error === null ? null : json(error)
  if (trigger_info !== undefined) set.trigger_info = trigger_info === null ? null : json(trigger_info)
  if (cold_start !== undefined) set.cold_start = cold_start ? 1 : 0
  if (logs_truncated !== undefined) set.logs_truncated = logs_truncated ? 1 : 0
  return set
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

  async insertApiKey(row: ApiKeyRow): Promise<void> {
    await this.db
      .insertInto('api_keys')
      .values({ ...row, scopes: json(row.scopes) })
      .execute()
  }

  async findApiKeyByHash(hash: string): Promise<ApiKeyRow | undefined> {
    const r = await this.db.selectFrom('api_keys').selectAll().where('hash', '=', hash).executeTakeFirst()
    return r && { ...r, scopes: parse<string[]>(r.scopes) }
  }

  async listApiKeys(circleId: string): Promise<ApiKeyRow[]> {
    const rows = await this.db
      .selectFrom('api_keys')
      .selectAll()
      .where('circle_id', '=', circleId)
      .orderBy('created_at')
      .execute()
    return rows.map((r) => ({ ...r, scopes: parse<string[]>(r.scopes) }))
  }

  async revokeApiKey(circleId: string, id: string, at: string): Promise<boolean> {
    const r = await this.db
      .updateTable('api_keys')
      .set({ revoked_at: at })
      .where('id', '=', id)
      .where('circle_id', '=', circleId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst()
    return Number(r.numUpdatedRows) === 1
  }

  async insertActivity(row: Omit<ActivityRow, 'seq'>): Promise<number> {
    const r = await this.db
      .insertInto('activity')
      .values({ ...row, details: json(row.details) })
      .returning('seq')
      .executeTakeFirstOrThrow()
    return Number(r.seq)
  }

  async listActivity(q: {
    circleId: string
    elementIds?: string[]
    before?: number
    limit: number
  }): Promise<ActivityRow[]> {
    let query = this.db.selectFrom('activity').selectAll().where('circle_id', '=', q.circleId)
    if (q.elementIds) {
      if (q.elementIds.length === 0) return []
      query = query.where('element_id', 'in', q.elementIds)
    }
    if (q.before !== undefined) query = query.where('seq', '<', q.before)
    const rows = await query.orderBy('seq', 'desc').limit(q.limit).execute()
    return rows.map((r) => ({ ...r, seq: Number(r.seq), details: parse<JsonObject>(r.details) }))
  }

  async insertAttachment(row: AttachmentRow): Promise<void> {
    await this.db.insertInto('attachments').values(row).execute()
  }

  async getAttachment(id: string): Promise<AttachmentRow | undefined> {
    return this.db.selectFrom('attachments').selectAll().where('id', '=', id).executeTakeFirst()
  }

  async findAttachment(sourceId: string, targetId: string): Promise<AttachmentRow | undefined> {
    return this.db
      .selectFrom('attachments')
      .selectAll()
      .where('source_id', '=', sourceId)
      .where('target_id', '=', targetId)
      .executeTakeFirst()
  }

  async deleteAttachment(id: string): Promise<boolean> {
    const r = await this.db.deleteFrom('attachments').where('id', '=', id).executeTakeFirst()
    return Number(r.numDeletedRows) === 1
  }

  async listAttachments(q: {
    targetId?: string
    sourceId?: string
    circleId?: string
  }): Promise<AttachmentRow[]> {
    let query = this.db.selectFrom('attachments').selectAll()
    if (q.circleId) query = query.where('circle_id', '=', q.circleId)
    if (q.targetId) query = query.where('target_id', '=', q.targetId)
    if (q.sourceId) query = query.where('source_id', '=', q.sourceId)
    return query.orderBy('priority').orderBy('created_at').execute()
  }

  async insertRun(row: RunRow): Promise<void> {
    await this.db
      .insertInto('runs')
      .values(fromRunPatch(row) as DB['runs'])
      .execute()
  }

  async updateRun(
    id: string,
    patch: Partial<Omit<RunRow, 'id' | 'circle_id' | 'element_id'>>,
  ): Promise<boolean> {
    const r = await this.db
      .updateTable('runs')
      .set(fromRunPatch(patch))
      .where('id', '=', id)
      .executeTakeFirst()
    return Number(r.numUpdatedRows) === 1
  }

  async listRuns(q: RunQuery): Promise<RunRow[]> {
    let query = this.db.selectFrom('runs').selectAll()
    if (q.elementId) query = query.where('element_id', '=', q.elementId)
    if (q.circleId) query = query.where('circle_id', '=', q.circleId)
    if (q.statuses?.length) query = query.where('status', 'in', q.statuses)
    if (q.ids) {
      if (q.ids.length === 0) return []
      query = query.where('id', 'in', q.ids)
    }
    if (q.trigger) query = query.where('trigger', '=', q.trigger)
    const type = q.elementType
    if (type)
      query = query.where('element_id', 'in', (eb) =>
        eb.selectFrom('elements').select('id').where('element_type', '=', type),
      )
    if (q.createdAfter) query = query.where('created_at', '>=', q.createdAfter)
    if (q.createdBefore) query = query.where('created_at', '<', q.createdBefore)
    if (q.completedAfter) query = query.where('completed_at', '>=', q.completedAfter)
    if (q.completedBefore) query = query.where('completed_at', '<', q.completedBefore)
    const before = q.before
    if (before) {
      query = query.where((eb) =>
        eb.or([
          eb('created_at', '<', before.created_at),
          eb.and([eb('created_at', '=', before.created_at), eb('id', '<', before.id)]),
        ]),
      )
    }
    const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(q.limit).execute()
    return rows.map(toRun)
  }

  async insertRunLogs(rows: RunLogRow[]): Promise<void> {
    // Chunked so a run with many log lines never exceeds the databases' parameter limits.
    for (let i = 0; i < rows.length; i += 100)
      await this.db
        .insertInto('run_logs')
        .values(rows.slice(i, i + 100))
        .execute()
  }

  async listRunLogs(runId: string, afterSeq = -1, limit = 10_000): Promise<RunLogRow[]> {
    return this.db
      .selectFrom('run_logs')
      .selectAll()
      .where('run_id', '=', runId)
      .where('seq', '>', afterSeq)
      .orderBy('seq')
      .limit(limit)
      .execute()
  }

  async getRun(id: string): Promise<RunRow | undefined> {
    const r = await this.db.selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirst()
    return r && toRun(r)
  }

  async countActiveRuns(elementId: string): Promise<number> {
    const r = await this.db
      .selectFrom('runs')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('element_id', '=', elementId)
      .where('status', 'in', ACTIVE_RUN_STATUSES)
      .executeTakeFirstOrThrow()
    return Number(r.n)
  }

  async runStats(elementIds: string[], since: string): Promise<RunStatsRow[]> {
    if (elementIds.length === 0) return []
    const rows = await this.db
      .selectFrom('runs')
      .select((eb) => [
        'element_id',
        eb.fn.countAll<number | string>().as('total'),
        eb.fn
          .sum<number | string>(eb.case().when('status', '=', 'succeeded').then(1).else(0).end())
          .as('succeeded'),
        eb.fn
          .sum<number | string>(eb.case().when('status', '=', 'failed').then(1).else(0).end())
          .as('failed'),
        eb.fn.avg<number | string | null>('duration_ms').as('avg_duration_ms'),
      ])
      .where('element_id', 'in', elementIds)
      .where('created_at', '>=', since)
      .groupBy('element_id')
      .execute()
    return rows.map((r) => ({
      element_id: r.element_id,
      total: Number(r.total),
      succeeded: Number(r.succeeded ?? 0),
      failed: Number(r.failed ?? 0),
      avg_duration_ms: r.avg_duration_ms === null ? null : Number(r.avg_duration_ms),
    }))
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

  async claimIdempotencyKey(
    row: IdempotencyKeyRow,
    now: string,
  ): Promise<{ claimed: boolean; row: IdempotencyKeyRow }> {
    await this.db.deleteFrom('idempotency_keys').where('expires_at', '<=', now).execute()
    // The primary key makes the claim atomic; a row released between the insert and the read
    // is claimed again on the next turn.
    for (let turn = 0; turn < 3; turn++) {
      const r = await this.db
        .insertInto('idempotency_keys')
        .values(row)
        .onConflict((oc) => oc.columns(['circle_id', 'key']).doNothing())
        .executeTakeFirst()
      if (Number(r.numInsertedOrUpdatedRows ?? 0) === 1) return { claimed: true, row }
      const held = await this.db
        .selectFrom('idempotency_keys')
        .selectAll()
        .where('circle_id', '=', row.circle_id)
        .where('key', '=', row.key)
        .executeTakeFirst()
      if (held) return { claimed: false, row: held }
    }
    throw new Error(`idempotency key ${row.key} could not be claimed`)
  }

  async setIdempotencyRun(circleId: string, key: string, runId: string): Promise<void> {
    await this.db
      .updateTable('idempotency_keys')
      .set({ run_id: runId })
      .where('circle_id', '=', circleId)
      .where('key', '=', key)
      .execute()
  }

  async releaseIdempotencyKey(circleId: string, key: string): Promise<void> {
    await this.db
      .deleteFrom('idempotency_keys')
      .where('circle_id', '=', circleId)
      .where('key', '=', key)
      .where('run_id', 'is', null)
      .execute()
  }
}
