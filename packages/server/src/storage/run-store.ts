// The runs half of KyselyStorage (runs, their log lines, idempotency keys), kept apart so
// kysely-storage.ts stays readable; each function takes the same Kysely handle.
import type Database from 'better-sqlite3'
import { CompiledQuery, type Kysely, sql } from 'kysely'
import type { DB } from './db-schema.ts'
import { json, parse } from './row-codec.ts'
import type {
  IdempotencyKeyRow,
  JsonObject,
  RunLogRow,
  RunPatch,
  RunQuery,
  RunRow,
  RunStatsRow,
  RunWrite,
} from './storage.ts'
import { ACTIVE_RUN_STATUSES } from './storage.ts'

type Dialect = 'sqlite' | 'postgres'

export function toRun(r: DB['runs']): RunRow {
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

// A run's insert and its end update are the only writes on the invoke hot path. Their SQL
// depends only on the dialect and the columns set, so it is written once per column set and
// reused: building and compiling them through the query builder was ~3 % of a warm-invoke
// profile. The columns are RunRow's own fields, never caller input.
const runSql = new Map<string, string>()
const COLUMN = /^[a-z_]+$/

function runStatement(dialect: Dialect, kind: 'insert' | 'update' | 'fenced', cols: string[]): string {
  const key = `${dialect}|${kind}|${cols.join(',')}`
  let text = runSql.get(key)
  if (!text) {
    if (!cols.every((c) => COLUMN.test(c))) throw new Error(`not a runs column: ${cols.join(',')}`)
    const p = (i: number) => (dialect === 'postgres' ? `$${i + 1}` : '?')
    text =
      kind === 'insert'
        ? `insert into "runs" (${cols.map((c) => `"${c}"`).join(', ')}) values (${cols.map((_, i) => p(i)).join(', ')})`
        : `update "runs" set ${cols.map((c, i) => `"${c}" = ${p(i)}`).join(', ')} where "id" = ${p(cols.length)}${
            // A run's end is written only by the node holding its claim, and only once.
            kind === 'fenced'
              ? ` and "node_id" = ${p(cols.length + 1)} and "status" in ('queued', 'running')`
              : ''
          }`
    if (runSql.size >= 256) runSql.clear()
    runSql.set(key, text)
  }
  return text
}

/** How a RunRow field is stored: JSON text for documents, 0/1 for flags. */
const STORED: Record<string, (v: never) => unknown> = {
  input: (v: unknown) => json(v),
  output: (v: unknown) => json(v),
  error: (v: unknown) => (v === null ? null : json(v)),
  trigger_info: (v: unknown) => (v === null ? null : json(v)),
  cold_start: (v: boolean) => (v ? 1 : 0),
  logs_truncated: (v: boolean) => (v ? 1 : 0),
}

/**
 * Column names and stored values of a row or patch, in one pass (no intermediate objects: a
 * run's write is on the invoke hot path); undefined fields are left out (as the builder does).
 */
function columnsOf(patch: Partial<RunRow>): [string[], unknown[]] {
  const cols: string[] = []
  const values: unknown[] = []
  for (const k in patch) {
    const v = patch[k as keyof RunRow]
    if (v === undefined) continue
    cols.push(k)
    const store = STORED[k]
    values.push(store ? store(v as never) : v)
  }
  return [cols, values]
}

export async function insertRun(db: Kysely<DB>, row: RunRow, dialect: Dialect): Promise<void> {
  const [cols, values] = columnsOf(row)
  await db.executeQuery(CompiledQuery.raw(runStatement(dialect, 'insert', cols), values))
}

export async function updateRun(
  db: Kysely<DB>,
  id: string,
  patch: RunPatch,
  dialect: Dialect,
  fenceNodeId?: string,
): Promise<boolean> {
  const [cols, values] = columnsOf(patch)
  if (cols.length === 0) return (await getRun(db, id)) !== undefined
  const r = await db.executeQuery(
    fenceNodeId === undefined
      ? CompiledQuery.raw(runStatement(dialect, 'update', cols), [...values, id])
      : CompiledQuery.raw(runStatement(dialect, 'fenced', cols), [...values, id, fenceNodeId]),
  )
  return Number(r.numAffectedRows ?? 0) === 1
}

export async function listRuns(db: Kysely<DB>, q: RunQuery, dialect: Dialect): Promise<RunRow[]> {
  let query = db.selectFrom('runs').selectAll()
  if (q.elementId) query = query.where('element_id', '=', q.elementId)
  if (q.circleId) query = query.where('circle_id', '=', q.circleId)
  if (q.statuses?.length) query = query.where('status', 'in', q.statuses)
  if (q.ids) {
    if (q.ids.length === 0) return []
    query = query.where('id', 'in', q.ids)
  }
  if (q.trigger) query = query.where('trigger', '=', q.trigger)
  if (q.source) query = query.where('source', '=', q.source)
  if (q.triggeredBy) query = query.where('triggered_by', '=', q.triggeredBy)
  if (q.sourceRef) query = query.where('source_ref', '=', q.sourceRef)
  if (q.batchId) query = query.where('batch_id', '=', q.batchId)
  if (q.exampleId) query = query.where('example_id', '=', q.exampleId)
  const part = q.exampleIdContains
  if (part) {
    // Case-sensitive on both (LIKE folds case in SQLite and needs escaping).
    const at =
      dialect === 'postgres'
        ? sql<number>`strpos(example_id, ${part})`
        : sql<number>`instr(example_id, ${part})`
    query = query.where(at, '>', 0)
  }
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
  let ordered = query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(q.limit)
  if (q.offset) ordered = ordered.offset(q.offset)
  const rows = await ordered.execute()
  return rows.map(toRun)
}

export async function insertRunLogs(db: Kysely<DB>, rows: RunLogRow[]): Promise<void> {
  // Chunked so a run with many log lines never exceeds the databases' parameter limits.
  // PostgreSQL text cannot hold NUL (a handler may print one): it becomes U+FFFD on both dialects.
  for (let i = 0; i < rows.length; i += 100)
    await db
      .insertInto('run_logs')
      .values(
        rows
          .slice(i, i + 100)
          .map((r) => (r.data.includes('\0') ? { ...r, data: r.data.replaceAll('\0', '\uFFFD') } : r)),
      )
      .execute()
}

export async function listRunLogs(
  db: Kysely<DB>,
  runId: string,
  afterSeq = -1,
  limit = 10_000,
): Promise<RunLogRow[]> {
  return db
    .selectFrom('run_logs')
    .selectAll()
    .where('run_id', '=', runId)
    .where('seq', '>', afterSeq)
    .orderBy('seq')
    .limit(limit)
    .execute()
}

export async function getRun(db: Kysely<DB>, id: string): Promise<RunRow | undefined> {
  const r = await db.selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirst()
  return r && toRun(r)
}

export async function countActiveRuns(db: Kysely<DB>, elementId: string): Promise<number> {
  const r = await db
    .selectFrom('runs')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('element_id', '=', elementId)
    .where('status', 'in', ACTIVE_RUN_STATUSES)
    .executeTakeFirstOrThrow()
  return Number(r.n)
}

export async function runStats(db: Kysely<DB>, elementIds: string[], since: string): Promise<RunStatsRow[]> {
  if (elementIds.length === 0) return []
  const rows = await db
    .selectFrom('runs')
    .select((eb) => [
      'element_id',
      eb.fn.countAll<number | string>().as('total'),
      eb.fn
        .sum<number | string>(eb.case().when('status', '=', 'succeeded').then(1).else(0).end())
        .as('succeeded'),
      eb.fn.sum<number | string>(eb.case().when('status', '=', 'failed').then(1).else(0).end()).as('failed'),
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

export async function claimIdempotencyKey(
  db: Kysely<DB>,
  row: IdempotencyKeyRow,
  now: string,
): Promise<{ claimed: boolean; row: IdempotencyKeyRow }> {
  await db.deleteFrom('idempotency_keys').where('expires_at', '<=', now).execute()
  // The primary key makes the claim atomic; a row released between the insert and the read
  // is claimed again on the next turn.
  for (let turn = 0; turn < 3; turn++) {
    const r = await db
      .insertInto('idempotency_keys')
      .values(row)
      .onConflict((oc) => oc.columns(['circle_id', 'key']).doNothing())
      .executeTakeFirst()
    if (Number(r.numInsertedOrUpdatedRows ?? 0) === 1) return { claimed: true, row }
    const held = await db
      .selectFrom('idempotency_keys')
      .selectAll()
      .where('circle_id', '=', row.circle_id)
      .where('key', '=', row.key)
      .executeTakeFirst()
    if (held) return { claimed: false, row: held }
  }
  throw new Error(`idempotency key ${row.key} could not be claimed`)
}

export async function setIdempotencyRun(
  db: Kysely<DB>,
  circleId: string,
  key: string,
  runId: string,
): Promise<void> {
  await db
    .updateTable('idempotency_keys')
    .set({ run_id: runId })
    .where('circle_id', '=', circleId)
    .where('key', '=', key)
    .execute()
}

export async function releaseIdempotencyKey(db: Kysely<DB>, circleId: string, key: string): Promise<void> {
  await db
    .deleteFrom('idempotency_keys')
    .where('circle_id', '=', circleId)
    .where('key', '=', key)
    .where('run_id', 'is', null)
    .execute()
}

/**
 * The run writer's group commit on embedded SQLite, straight on better-sqlite3: one synchronous
 * transaction of prepared statements. Through the query builder's asynchronous transaction the
 * same batch cost ~3x as much CPU on the warm invoke path (bench/python-warm.ts). The rules are
 * RunWriter's (run-writer.ts): a run that ended before its insert is one row; an end is applied
 * only while its node holds the claim, and its logs only then.
 */
export function sqliteRunWrites(database: Database.Database): (writes: RunWrite[]) => boolean {
  const statements = new Map<string, Database.Statement>()
  const statement = (text: string) => {
    let s = statements.get(text)
    if (!s) {
      s = database.prepare(text)
      statements.set(text, s)
    }
    return s
  }
  const logInsert =
    'insert into "run_logs" ("run_id", "seq", "stream", "data", "created_at") values (?, ?, ?, ?, ?)'
  const writeAll = database.transaction((writes: RunWrite[]) => {
    for (const w of writes) {
      const row = w.insert && w.patch ? { ...w.insert, ...w.patch } : w.insert
      if (row) {
        const [cols, values] = columnsOf(row)
        statement(runStatement('sqlite', 'insert', cols)).run(...values)
      } else if (w.patch) {
        const [cols, values] = columnsOf(w.patch)
        const fenced = w.fence !== undefined
        const text = runStatement('sqlite', fenced ? 'fenced' : 'update', cols)
        const changed = statement(text).run(...values, w.id, ...(fenced ? [w.fence] : [])).changes
        if (changed !== 1 && fenced) continue
      }
      for (const l of w.logs)
        statement(logInsert).run(l.run_id, l.seq, l.stream, l.data.replaceAll('\0', '\uFFFD'), l.created_at)
    }
  })
  return (writes) => {
    // A transaction of the query builder is open on this connection (it awaits between its
    // statements): this batch waits its turn on the asynchronous path instead.
    if (database.inTransaction) return false
    writeAll(writes)
    return true
  }
}
