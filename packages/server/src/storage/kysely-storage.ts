// The one Storage implementation, written once over Kysely; sqlite.ts and postgres.ts only
// supply the dialect. Rows are converted at this boundary (JSON text, 0/1 booleans).
import { type Kysely, sql, type Transaction } from 'kysely'
import * as records from './circle-records-store.ts'
import type { DB } from './db-schema.ts'
import * as elements from './element-store.ts'
import { migrateToLatest, migrateTypeTables } from './migrations.ts'
import type { ReadCache } from './read-cache.ts'
import * as annotations from './run-annotations-store.ts'
import * as queue from './run-queue-store.ts'
import * as runs from './run-store.ts'
import * as secrets from './secrets-store.ts'
import type {
  ActivityRow,
  ApiKeyRow,
  AttachmentRow,
  DataKeyRow,
  ElementPatch,
  ElementRow,
  IdempotencyKeyRow,
  RunExpectedInfo,
  RunExpectedRow,
  RunFeedbackRow,
  RunLogRow,
  RunNode,
  RunNodeRow,
  RunPatch,
  RunQuery,
  RunRow,
  RunStatsRow,
  RunWrite,
  Storage,
  VersionRow,
} from './storage.ts'
import type { TypeTables } from './type-tables.ts'

export class KyselyStorage implements Storage {
  constructor(
    private readonly db: Kysely<DB>,
    readonly dialect: 'sqlite' | 'postgres',
    private readonly onClose: () => Promise<void> = async () => {},
    /** Remembered hot reads (SQLite only, see read-cache.ts); shared with this storage's transactions. */
    private readonly cache?: ReadCache,
    /** The run writer's synchronous group commit (SQLite only, see run-store.ts). */
    private readonly runWrites?: (writes: RunWrite[]) => boolean,
  ) {}

  /** `load` through the read cache, outside transactions (they may read their own uncommitted writes). */
  private cached<T extends object>(key: string, load: () => Promise<T | undefined>): Promise<T | undefined> {
    return this.cache && !this.db.isTransaction ? this.cache.read(key, load) : load()
  }

  freshen(): void {
    this.cache?.freshen()
  }

  /** Set in a transaction that wrote to a table the read cache remembers rows of. */
  private wrote = false

  /** A write to a table the read cache remembers rows of. */
  private changing<T>(write: () => Promise<T>): Promise<T> {
    if (!this.cache) return write()
    this.wrote = true
    return this.cache.write(write)
  }

  get kysely(): Kysely<unknown> {
    return this.db as unknown as Kysely<unknown>
  }

  async migrate(): Promise<void> {
    await migrateToLatest(this.db as unknown as Kysely<unknown>, this.dialect)
  }

  migrateTables(tables: TypeTables<unknown>[]): Promise<void> {
    return migrateTypeTables(this.kysely, this.dialect, tables)
  }

  storeOf<S>(tables: TypeTables<S>): S {
    return tables.store(this.kysely, this.dialect)
  }

  async close(): Promise<void> {
    await this.db.destroy()
    await this.onClose()
  }

  async transaction<T>(fn: (tx: Storage) => Promise<T>): Promise<T> {
    if (this.db.isTransaction) return fn(this)
    if (!this.cache)
      return this.db.transaction().execute((trx: Transaction<DB>) => fn(new KyselyStorage(trx, this.dialect)))
    const cache = this.cache
    let tx: KyselyStorage | undefined
    try {
      return await this.db.transaction().execute((trx: Transaction<DB>) => {
        tx = new KyselyStorage(trx, this.dialect, undefined, cache)
        return fn(tx)
      })
    } finally {
      // Committed or rolled back, what the transaction wrote is forgotten once more at its end.
      if (tx?.wrote) cache.forget()
    }
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db)
  }

  insertElement(row: ElementRow): Promise<void> {
    return this.changing(() => elements.insertElement(this.db, row))
  }

  getElement(id: string): Promise<ElementRow | undefined> {
    return elements.getElement(this.db, id)
  }

  findElementBySlug(circleId: string, slug: string): Promise<ElementRow | undefined> {
    return elements.findElementBySlug(this.db, circleId, slug)
  }

  findCircle(slug: string): Promise<ElementRow | undefined> {
    return elements.findCircle(this.db, slug)
  }

  findElementInCircle(circleSlug: string, slug: string): Promise<ElementRow | undefined> {
    return this.cached(`element:${circleSlug}/${slug}`, () =>
      elements.findElementInCircle(this.db, circleSlug, slug),
    )
  }

  listCircles(): Promise<ElementRow[]> {
    return elements.listCircles(this.db)
  }

  listChildren(
    parentId: string,
    opts: { limit?: number; offset?: number; types?: string[] } = {},
  ): Promise<ElementRow[]> {
    return elements.listChildren(this.db, parentId, opts)
  }

  countChildren(parentId: string): Promise<number> {
    return elements.countChildren(this.db, parentId)
  }

  listCircleElements(circleId: string): Promise<ElementRow[]> {
    return elements.listCircleElements(this.db, circleId)
  }

  updateElement(id: string, patch: ElementPatch, expectedVersion?: number): Promise<boolean> {
    return this.changing(() => elements.updateElement(this.db, id, patch, expectedVersion))
  }

  insertVersion(row: VersionRow): Promise<void> {
    return elements.insertVersion(this.db, row)
  }

  getVersion(elementId: string, version: number): Promise<VersionRow | undefined> {
    return elements.getVersion(this.db, elementId, version)
  }

  listVersions(elementId: string, limit: number): Promise<VersionRow[]> {
    return elements.listVersions(this.db, elementId, limit)
  }

  countVersions(elementId: string): Promise<number> {
    return elements.countVersions(this.db, elementId)
  }

  insertApiKey(row: ApiKeyRow): Promise<void> {
    return this.changing(() => records.insertApiKey(this.db, row))
  }

  findApiKeyByHash(hash: string): Promise<ApiKeyRow | undefined> {
    return this.cached(`key:${hash}`, () => records.findApiKeyByHash(this.db, hash))
  }

  listApiKeys(circleId: string): Promise<ApiKeyRow[]> {
    return records.listApiKeys(this.db, circleId)
  }

  revokeApiKey(circleId: string, id: string, at: string): Promise<boolean> {
    return this.changing(() => records.revokeApiKey(this.db, circleId, id, at))
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
    return this.changing(() => records.insertAttachment(this.db, row))
  }

  getAttachment(id: string): Promise<AttachmentRow | undefined> {
    return records.getAttachment(this.db, id)
  }

  findAttachment(sourceId: string, targetId: string): Promise<AttachmentRow | undefined> {
    return records.findAttachment(this.db, sourceId, targetId)
  }

  deleteAttachment(id: string): Promise<boolean> {
    return this.changing(() => records.deleteAttachment(this.db, id))
  }

  listAttachments(q: { targetId?: string; sourceId?: string; circleId?: string }): Promise<AttachmentRow[]> {
    if (!q.targetId || q.sourceId || q.circleId) return records.listAttachments(this.db, q)
    return this.cached(`attachments:${q.targetId}`, () => records.listAttachments(this.db, q)).then(
      (rows) => rows ?? [],
    )
  }

  insertRun(row: RunRow): Promise<void> {
    return runs.insertRun(this.db, row, this.dialect)
  }

  updateRun(id: string, patch: RunPatch, fenceNodeId?: string): Promise<boolean> {
    return runs.updateRun(this.db, id, patch, this.dialect, fenceNodeId)
  }

  claimQueuedRuns(nodeId: string, elementId: string, limit: number): Promise<RunRow[]> {
    return queue.claimQueuedRuns(this.db, this.dialect, nodeId, elementId, limit)
  }

  listQueuedElements(limit: number): Promise<string[]> {
    return queue.listQueuedElements(this.db, limit)
  }

  heartbeatNode(node: RunNode, at: string): Promise<void> {
    return queue.heartbeatNode(this.db, node, at)
  }

  listNodes(): Promise<RunNodeRow[]> {
    return queue.listNodes(this.db)
  }

  removeNode(nodeId: string): Promise<void> {
    return queue.removeNode(this.db, nodeId)
  }

  listLostRuns(selfId: string, staleBefore: string, limit: number): Promise<RunRow[]> {
    return queue.listLostRuns(this.db, selfId, staleBefore, limit)
  }

  moveRunClaim(
    id: string,
    from: string | null,
    patch: Partial<Pick<RunRow, 'node_id' | 'attempts'>>,
  ): Promise<boolean> {
    return queue.moveRunClaim(this.db, id, from, patch)
  }

  requestRunCancel(id: string, at: string): Promise<boolean> {
    return queue.requestRunCancel(this.db, id, at)
  }

  listCancelRequests(nodeId: string): Promise<string[]> {
    return queue.listCancelRequests(this.db, nodeId)
  }

  listRuns(q: RunQuery): Promise<RunRow[]> {
    return runs.listRuns(this.db, q, this.dialect)
  }

  writeRunsNow(writes: RunWrite[]): boolean {
    return this.runWrites !== undefined && !this.db.isTransaction && this.runWrites(writes)
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
