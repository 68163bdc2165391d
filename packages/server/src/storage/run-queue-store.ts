// The durable run queue's half of KyselyStorage: claims, node heartbeats, lost-run takeover and
// cancel requests. One code path for both dialects; PostgreSQL adds FOR UPDATE SKIP LOCKED so
// nodes claiming at once never wait on each other's rows (SQLite has a single writer anyway).
import { type Kysely, sql } from 'kysely'
import type { DB } from './db-schema.ts'
import { toRun } from './run-store.ts'
import type { RunNode, RunNodeRow, RunRow } from './storage.ts'

type Dialect = 'sqlite' | 'postgres'

// Active as literal SQL, not parameters: a partial index (`runs_active_node`, `where status in
// ('queued', 'running')`) serves only a query whose condition implies the index's, and bound
// parameters imply nothing — `status in (?, ?)` made the queue's cancel poll a scan of every
// run ever kept, on every tick.
const ACTIVE = sql<boolean>`status in ('queued', 'running')`

export async function claimQueuedRuns(
  db: Kysely<DB>,
  dialect: Dialect,
  nodeId: string,
  elementId: string,
  limit: number,
): Promise<RunRow[]> {
  const lock = dialect === 'postgres' ? sql`for update skip locked` : sql``
  const r = await sql<DB['runs']>`
    update runs set node_id = ${nodeId}
    where id in (
      select id from runs
      where node_id is null and status = 'queued' and element_id = ${elementId}
      order by created_at limit ${limit} ${lock}
    ) and node_id is null
    returning *`.execute(db)
  return r.rows.map(toRun).sort((a, b) => (a.created_at < b.created_at ? -1 : 1))
}

export async function listQueuedElements(db: Kysely<DB>, limit: number): Promise<string[]> {
  const r = await sql<{ element_id: string }>`
    select element_id from runs where node_id is null and status = 'queued'
    group by element_id order by min(created_at) limit ${limit}`.execute(db)
  return r.rows.map((x) => x.element_id)
}

export async function heartbeatNode(db: Kysely<DB>, node: RunNode, at: string): Promise<void> {
  await sql`
    insert into run_nodes (id, machine, pid, started_at, heartbeat_at)
    values (${node.id}, ${node.machine}, ${node.pid}, ${at}, ${at})
    on conflict (id) do update set heartbeat_at = ${at}`.execute(db)
}

export async function listNodes(db: Kysely<DB>): Promise<RunNodeRow[]> {
  const rows = await db.selectFrom('run_nodes').selectAll().execute()
  return rows.map((r) => ({ ...r, pid: r.pid === null ? null : Number(r.pid) }))
}

export async function removeNode(db: Kysely<DB>, nodeId: string): Promise<void> {
  await sql`delete from run_nodes where id = ${nodeId}`.execute(db)
}

export async function listLostRuns(
  db: Kysely<DB>,
  selfId: string,
  staleBefore: string,
  limit: number,
): Promise<RunRow[]> {
  const r = await sql<DB['runs']>`
    select runs.* from runs left join run_nodes n on n.id = runs.node_id
    where runs.status in ('queued', 'running') and runs.node_id is not null
      and runs.node_id <> ${selfId} and (n.id is null or n.heartbeat_at < ${staleBefore})
    order by runs.created_at limit ${limit}`.execute(db)
  return r.rows.map(toRun)
}

export async function moveRunClaim(
  db: Kysely<DB>,
  id: string,
  from: string | null,
  patch: Partial<Pick<RunRow, 'node_id' | 'attempts'>>,
): Promise<boolean> {
  let q = db.updateTable('runs').set(patch).where('id', '=', id).where(ACTIVE)
  q = from === null ? q.where('node_id', 'is', null) : q.where('node_id', '=', from)
  const r = await q.executeTakeFirst()
  return Number(r.numUpdatedRows) > 0
}

export async function requestRunCancel(db: Kysely<DB>, id: string, at: string): Promise<boolean> {
  const r = await db
    .updateTable('runs')
    .set({ cancel_requested_at: at })
    .where('id', '=', id)
    .where(ACTIVE)
    .executeTakeFirst()
  return Number(r.numUpdatedRows) > 0
}

export async function listCancelRequests(db: Kysely<DB>, nodeId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('runs')
    .select('id')
    .where('node_id', '=', nodeId)
    .where('cancel_requested_at', 'is not', null)
    .where(ACTIVE)
    .execute()
  return rows.map((r) => r.id)
}
