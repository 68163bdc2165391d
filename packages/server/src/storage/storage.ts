// The narrow storage interface every subsystem uses; sqlite.ts and postgres.ts implement it
// (through one Kysely-based implementation), and storage.contract.ts checks both.

import type { Kysely } from 'kysely'
import type { DataKeyRow, IdempotencyKeyRow, RunNode, RunNodeRow, RunStatsRow } from './plain-rows.ts'
import type { RunFeedbackRow } from './run-feedback-row.ts'
import type { Dialect, TypeStores, TypeTables } from './type-tables.ts'

export type { DataKeyRow, IdempotencyKeyRow, RunFeedbackRow, RunNode, RunNodeRow, RunStatsRow }

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
export type JsonObject = { [key: string]: Json }

export interface ElementRow {
  id: string
  circle_id: string
  parent_id: string | null
  slug: string
  name: string
  element_type: string
  state: string
  state_reason: string | null
  enabled: boolean
  intention: string
  spec: JsonObject
  meta: JsonObject
  readme: string
  version: number
  created_at: string
  updated_at: string
  deleted_at: string | null
}

export interface VersionRow {
  element_id: string
  version: number
  name: string
  intention: string
  spec: JsonObject
  message: string
  created_by: string | null
  created_at: string
}

export interface ApiKeyRow {
  id: string
  circle_id: string
  name: string
  prefix: string
  hash: string
  scopes: string[]
  created_by: string | null
  created_at: string
  revoked_at: string | null
}

export interface ActivityRow {
  seq: number
  circle_id: string
  element_id: string | null
  action: string
  actor: string | null
  details: JsonObject
  created_at: string
}

export interface AttachmentRow {
  id: string
  circle_id: string
  source_id: string
  target_id: string
  priority: number
  cascade_policy: string
  version_pin: number | null
  created_at: string
}

export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled'
export const ACTIVE_RUN_STATUSES: RunStatus[] = ['queued', 'running']

export interface RunRow {
  id: string
  circle_id: string
  element_id: string
  element_version: number
  operation: string
  trigger: string
  status: RunStatus
  input: Json
  output: Json
  error: JsonObject | null
  attempts: number
  created_at: string
  started_at: string | null
  completed_at: string | null
  duration_ms: number | null
  cold_start: boolean
  memory_used_mb: number | null
  logs_truncated: boolean
  /** What started the run (key id, trigger id, parent run); free-form. */
  trigger_info: JsonObject | null
  /** W3C trace context (0008_run_trace); absent on rows written before it. */
  trace_id?: string | null
  span_id?: string | null
  parent_span_id?: string | null
  /** The node executing the run; null while it waits in the queue (0010_run_queue). */
  node_id?: string | null
  /** Set when a cancel was asked of a run another node executes; that node honours it. */
  cancel_requested_at?: string | null
  /** The Source commit the run executed, and the ref its caller named (0012_run_source). */
  source_commit?: string | null
  source_ref?: string | null
  /** How it was started (`api`, `cli`, `sdk`, `engine`, …), the key that started it, and the batch
   * and example ids its starter gave (0013_run_list_columns; see runs/run-origin.ts). */
  source?: string | null
  triggered_by?: string | null
  batch_id?: string | null
  example_id?: string | null
}

export interface RunLogRow {
  run_id: string
  seq: number
  stream: string
  data: string
  created_at: string
}

export interface RunQuery {
  elementId?: string
  circleId?: string
  /** Runs of elements of this type (deleted elements included). */
  elementType?: string
  statuses?: RunStatus[]
  trigger?: string
  /** Exact matches on those columns; `exampleIdContains`: a case-sensitive substring. */
  source?: string
  triggeredBy?: string
  sourceRef?: string
  batchId?: string
  exampleId?: string
  exampleIdContains?: string
  ids?: string[]
  /** ISO timestamps: `…After` is inclusive, `…Before` exclusive. */
  createdAfter?: string
  createdBefore?: string
  completedAfter?: string
  completedBefore?: string
  /** Cursor: rows strictly older than this (created_at, id) pair. */
  before?: { created_at: string; id: string }
  /** Rows skipped (after the cursor, if any). */
  offset?: number
  limit: number
}

/** A named JSON document the run is expected to produce (`output` is the one compared). */
export interface RunExpectedRow {
  run_id: string
  name: string
  content: Json
  size_bytes: number
  created_at: string
  updated_at: string
}

export type RunExpectedInfo = Omit<RunExpectedRow, 'content'>

export interface ElementPatch {
  name?: string
  intention?: string
  spec?: JsonObject
  meta?: JsonObject
  readme?: string
  state?: string
  state_reason?: string | null
  enabled?: boolean
  version?: number
  updated_at?: string
  deleted_at?: string | null
}

/** The queue operations every Storage offers (see storage.ts). */
export interface RunQueueStorage {
  /**
   * Claims up to `limit` of the oldest unclaimed queued runs of `elementId` for `nodeId`
   * (oldest first); rows another node is claiming at the same moment are skipped.
   */
  claimQueuedRuns(nodeId: string, elementId: string, limit: number): Promise<RunRow[]>
  /** Element ids with unclaimed queued runs, oldest waiting first. */
  listQueuedElements(limit: number): Promise<string[]>
  /** Records that `node` is alive (its claims stay valid while this is fresh). */
  heartbeatNode(node: RunNode, at: string): Promise<void>
  listNodes(): Promise<RunNodeRow[]>
  removeNode(nodeId: string): Promise<void>
  /** Active runs claimed by a node other than `selfId` whose heartbeat is older than `staleBefore` (or gone). */
  listLostRuns(selfId: string, staleBefore: string, limit: number): Promise<RunRow[]>
  /** Compare-and-set of an active run's claim: false when another node moved it first. */
  moveRunClaim(
    id: string,
    from: string | null,
    patch: Partial<Pick<RunRow, 'node_id' | 'attempts'>>,
  ): Promise<boolean>
  /** Asks the node executing an active run to cancel it; false when the run is not active. */
  requestRunCancel(id: string, at: string): Promise<boolean>
  /** Active runs of `nodeId` someone asked to cancel. */
  listCancelRequests(nodeId: string): Promise<string[]>
}

/** Reading elements, their versions, attachments and activity: what element code may query. */
export interface ElementReads {
  getElement(id: string): Promise<ElementRow | undefined>
  findElementBySlug(circleId: string, slug: string): Promise<ElementRow | undefined>
  findCircle(slug: string): Promise<ElementRow | undefined>
  /** A live element by circle slug and element slug, in one query (the hot path of every request). */
  findElementInCircle(circleSlug: string, slug: string): Promise<ElementRow | undefined>
  listCircles(): Promise<ElementRow[]>
  listChildren(
    parentId: string,
    opts?: { limit?: number; offset?: number; types?: string[] },
  ): Promise<ElementRow[]>
  countChildren(parentId: string): Promise<number>
  listCircleElements(circleId: string): Promise<ElementRow[]>
  getVersion(elementId: string, version: number): Promise<VersionRow | undefined>
  listVersions(elementId: string, limit: number): Promise<VersionRow[]>
  countVersions(elementId: string): Promise<number>
  getAttachment(id: string): Promise<AttachmentRow | undefined>
  findAttachment(sourceId: string, targetId: string): Promise<AttachmentRow | undefined>
  listAttachments(q: { targetId?: string; sourceId?: string; circleId?: string }): Promise<AttachmentRow[]>
  listActivity(q: {
    circleId: string
    elementIds?: string[]
    before?: number
    limit: number
  }): Promise<ActivityRow[]>
}

/** Element writes: the element service makes them, each with its activity row, in its transactions. */
export interface ElementRecords extends ElementReads {
  insertElement(row: ElementRow): Promise<void>
  /** Applies `patch` when the row is live and (if given) at `expectedVersion`; false otherwise. */
  updateElement(id: string, patch: ElementPatch, expectedVersion?: number): Promise<boolean>
  insertVersion(row: VersionRow): Promise<void>
  insertActivity(row: Omit<ActivityRow, 'seq'>): Promise<number>
  insertAttachment(row: AttachmentRow): Promise<void>
  deleteAttachment(id: string): Promise<boolean>
}

/** A circle's API keys (stored as hashes). */
export interface ApiKeyRecords {
  insertApiKey(row: ApiKeyRow): Promise<void>
  findApiKeyByHash(hash: string): Promise<ApiKeyRow | undefined>
  listApiKeys(circleId: string): Promise<ApiKeyRow[]>
  revokeApiKey(circleId: string, id: string, at: string): Promise<boolean>
}

/** What a run's update may change. */
export type RunPatch = Partial<Omit<RunRow, 'id' | 'circle_id' | 'element_id'>>

/** One run's part of a group commit: its insert, its end (fenced by node), its log lines. */
export interface RunWrite {
  id: string
  insert?: RunRow
  patch?: RunPatch
  /** The node that must hold the run's claim for the patch to apply (and its logs). */
  fence?: string
  logs: RunLogRow[]
}

/** Runs, their logs and statistics. */
export interface RunRecords {
  insertRun(row: RunRow): Promise<void>
  /**
   * Patches a run; with `fenceNodeId` only while that node holds the run's claim and the run is
   * still active (false otherwise: another node took it over, or it already ended).
   */
  updateRun(id: string, patch: RunPatch, fenceNodeId?: string): Promise<boolean>
  getRun(id: string): Promise<RunRow | undefined>
  listRuns(q: RunQuery): Promise<RunRow[]>
  insertRunLogs(rows: RunLogRow[]): Promise<void>
  /**
   * Writes a group commit of runs (run-writer.ts) in one transaction, synchronously, when the
   * store can: embedded SQLite with no transaction open on its connection. False when it cannot
   * (nothing was written): the writer takes the asynchronous path.
   */
  writeRunsNow?(writes: RunWrite[]): boolean
  listRunLogs(runId: string, afterSeq?: number, limit?: number): Promise<RunLogRow[]>
  countActiveRuns(elementId: string): Promise<number>
  runStats(elementIds: string[], since: string): Promise<RunStatsRow[]>
}

/** What people add to a run: feedback and expected documents. */
export interface RunAnnotationRecords {
  getRunFeedback(runId: string): Promise<RunFeedbackRow | undefined>
  /** Inserts or replaces the run's feedback (created_at of an existing row is kept). */
  putRunFeedback(row: RunFeedbackRow): Promise<void>
  deleteRunFeedback(runId: string): Promise<boolean>
  /** The run's expected documents without their content, by name. */
  listRunExpected(runId: string): Promise<RunExpectedInfo[]>
  getRunExpected(runId: string, name: string): Promise<RunExpectedRow | undefined>
  /** Inserts or replaces one expected document (created_at of an existing row is kept). */
  putRunExpected(row: RunExpectedRow): Promise<void>
  renameRunExpected(
    runId: string,
    from: string,
    to: string,
    at: string,
  ): Promise<'renamed' | 'missing' | 'taken'>
  deleteRunExpected(runId: string, name: string): Promise<boolean>
}

/** Idempotency-Keys of run-creating requests. */
export interface IdempotencyRecords {
  /**
   * Claims (circle, key) for a request, first dropping keys expired at `now`. `claimed` is
   * false when a live row already holds the key; `row` is then that row.
   */
  claimIdempotencyKey(
    row: IdempotencyKeyRow,
    now: string,
  ): Promise<{ claimed: boolean; row: IdempotencyKeyRow }>
  setIdempotencyRun(circleId: string, key: string, runId: string): Promise<void>
  releaseIdempotencyKey(circleId: string, key: string): Promise<void>
}

/** Per-element data keys, wrapped by a master key (secrets at rest). */
export interface DataKeyRecords {
  getDataKey(elementId: string): Promise<DataKeyRow | undefined>
  /** Inserts the element's data key unless one exists; false when one did. */
  insertDataKey(row: DataKeyRow): Promise<boolean>
  /** Replaces the wrapping when the key is still wrapped by `fromMasterKeyId`. */
  rewrapDataKey(
    elementId: string,
    fromMasterKeyId: number,
    next: { master_key_id: number; wrapped: string; updated_at: string },
  ): Promise<boolean>
  /** Data keys not wrapped by `masterKeyId`, in element id order after `afterElementId`. */
  listDataKeysNotWrappedBy(masterKeyId: number, afterElementId: string, limit: number): Promise<DataKeyRow[]>
  countDataKeysByMasterKey(): Promise<Array<{ master_key_id: number; count: number }>>
  deleteDataKey(elementId: string): Promise<boolean>
}

/**
 * The whole storage, as the composition root (main.ts) and the core services hold it: each part
 * above is the named port a subsystem gets; element types get ElementReads (and their own
 * tables through `storeOf`), never this.
 */
export interface Storage
  extends ElementRecords,
    ApiKeyRecords,
    RunRecords,
    RunAnnotationRecords,
    IdempotencyRecords,
    DataKeyRecords,
    RunQueueStorage,
    TypeStores {
  readonly dialect: Dialect
  /** The query handle, for stores that keep their own tables beside their layer (engine state). */
  readonly kysely: Kysely<unknown>
  migrate(): Promise<void>
  /** Migrates the tables element types declare (after `migrate`). */
  migrateTables(tables: TypeTables<unknown>[]): Promise<void>
  close(): Promise<void>
  /**
   * A request arrived: reads remembered by the store are checked against other processes'
   * writes before the next one is served (read-cache.ts; a no-op where nothing is remembered).
   */
  freshen?(): void
  /** Runs `fn` atomically; nested calls join the outer transaction. */
  transaction<T>(fn: (tx: Storage) => Promise<T>): Promise<T>
  ping(): Promise<void>
}
