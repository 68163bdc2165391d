// Queue jobs in the platform's database (engine_queue_jobs): enqueue, claim with a lease (SKIP
// LOCKED on PostgreSQL, so nodes never take the same job), finish, retry later, dead-letter,
// redrive. A job whose node died is claimed again once its lease ran out.
import { type Kysely, sql } from 'kysely'
import type { Json } from '../storage/storage.ts'

export interface JobRow {
  id: string
  circle_id: string
  circle_slug: string
  queue: string
  function_id: string
  data: string
  metadata: string | null
  trace: string | null
  scopes: string | null
  attempts: number
  status: 'ready' | 'dead'
  available_at: string
  last_error: string | null
  enqueued_at: string
  failed_at: string | null
  lease_until: string | null
  node: string | null
}

interface Tables {
  engine_queue_jobs: JobRow
}

export interface Job {
  id: string
  circleId: string
  circleSlug: string
  queue: string
  function_id: string
  data: Json
  metadata: Json | undefined
  /** The enqueuer's trace context: the job's invocation continues that trace. */
  trace: JobTrace | undefined
  /** The enqueuer's scopes: the job runs with no more (undefined: every scope). */
  scopes?: string[] | undefined
  attempts: number
  enqueued_at: string
  last_error: { code: string; message: string } | null
  failed_at: string | null
}

export interface JobTrace {
  traceparent?: string
  baggage?: string
}

const iso = (ms: number) => new Date(ms).toISOString()

function toJob(r: JobRow): Job {
  return {
    id: r.id,
    circleId: r.circle_id,
    circleSlug: r.circle_slug,
    queue: r.queue,
    function_id: r.function_id,
    data: JSON.parse(r.data) as Json,
    metadata: r.metadata === null ? undefined : (JSON.parse(r.metadata) as Json),
    trace: r.trace === null ? undefined : (JSON.parse(r.trace) as JobTrace),
    scopes: r.scopes === null || r.scopes === undefined ? undefined : (JSON.parse(r.scopes) as string[]),
    attempts: Number(r.attempts),
    enqueued_at: r.enqueued_at,
    last_error: r.last_error === null ? null : JSON.parse(r.last_error),
    failed_at: r.failed_at,
  }
}

export class QueueJobStore {
  private readonly db: Kysely<Tables>

  constructor(
    db: Kysely<unknown>,
    private readonly dialect: 'sqlite' | 'postgres',
  ) {
    this.db = db as unknown as Kysely<Tables>
  }

  async insert(
    j: Omit<Job, 'attempts' | 'last_error' | 'failed_at' | 'enqueued_at'>,
    now: number,
  ): Promise<void> {
    await this.db
      .insertInto('engine_queue_jobs')
      .values({
        id: j.id,
        circle_id: j.circleId,
        circle_slug: j.circleSlug,
        queue: j.queue,
        function_id: j.function_id,
        data: JSON.stringify(j.data),
        metadata: j.metadata === undefined ? null : JSON.stringify(j.metadata),
        trace: j.trace?.traceparent ? JSON.stringify(j.trace) : null,
        scopes: j.scopes ? JSON.stringify(j.scopes) : null,
        attempts: 0,
        status: 'ready',
        available_at: iso(now),
        last_error: null,
        enqueued_at: iso(now),
        failed_at: null,
        lease_until: null,
        node: null,
      })
      .execute()
  }

  async countPending(circleId: string, queue: string): Promise<number> {
    const r = await this.db
      .selectFrom('engine_queue_jobs')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('circle_id', '=', circleId)
      .where('queue', '=', queue)
      .where('status', '=', 'ready')
      .executeTakeFirst()
    return Number(r?.n ?? 0)
  }

  /** Takes up to `limit` due jobs of one queue for `leaseMs`, counting the attempt. */
  async claim(
    circleId: string,
    queue: string,
    limit: number,
    node: string,
    now: number,
    leaseMs: number,
  ): Promise<Job[]> {
    const due = iso(now)
    const lockClause = this.dialect === 'postgres' ? sql`for update skip locked` : sql``
    const rows = await sql<JobRow>`
      update engine_queue_jobs
      set lease_until = ${iso(now + leaseMs)}, node = ${node}, attempts = attempts + 1
      where id in (
        select id from engine_queue_jobs
        where circle_id = ${circleId} and queue = ${queue} and status = 'ready' and available_at <= ${due}
          and (lease_until is null or lease_until < ${due})
        order by available_at, enqueued_at
        limit ${limit}
        ${lockClause}
      )
      returning *`.execute(this.db)
    return rows.rows.map(toJob).sort((a, b) => (a.enqueued_at < b.enqueued_at ? -1 : 1))
  }

  async finish(id: string): Promise<void> {
    await this.db.deleteFrom('engine_queue_jobs').where('id', '=', id).execute()
  }

  async retryAt(id: string, at: number, error: { code: string; message: string }): Promise<void> {
    await this.db
      .updateTable('engine_queue_jobs')
      .set({ available_at: iso(at), lease_until: null, node: null, last_error: JSON.stringify(error) })
      .where('id', '=', id)
      .execute()
  }

  async bury(id: string, now: number, error: { code: string; message: string }): Promise<void> {
    await this.db
      .updateTable('engine_queue_jobs')
      .set({
        status: 'dead',
        failed_at: iso(now),
        lease_until: null,
        node: null,
        last_error: JSON.stringify(error),
      })
      .where('id', '=', id)
      .execute()
  }

  async dead(circleId: string, queue: string, limit = 1000): Promise<Job[]> {
    const rows = await this.db
      .selectFrom('engine_queue_jobs')
      .selectAll()
      .where('circle_id', '=', circleId)
      .where('queue', '=', queue)
      .where('status', '=', 'dead')
      .orderBy('failed_at')
      .limit(limit)
      .execute()
    return rows.map(toJob)
  }

  async redrive(circleId: string, queue: string, now: number): Promise<number> {
    const r = await this.db
      .updateTable('engine_queue_jobs')
      .set({
        status: 'ready',
        attempts: 0,
        available_at: iso(now),
        failed_at: null,
        lease_until: null,
        node: null,
      })
      .where('circle_id', '=', circleId)
      .where('queue', '=', queue)
      .where('status', '=', 'dead')
      .executeTakeFirst()
    return Number(r.numUpdatedRows)
  }

  async counts(
    circleId: string,
    queue: string,
    now: number,
  ): Promise<{ ready: number; retrying: number; dead: number }> {
    const rows = await this.db
      .selectFrom('engine_queue_jobs')
      .select(['status', 'available_at', 'lease_until', 'attempts'])
      .where('circle_id', '=', circleId)
      .where('queue', '=', queue)
      .execute()
    const due = iso(now)
    let ready = 0
    let retrying = 0
    let dead = 0
    for (const r of rows) {
      if (r.status === 'dead') dead++
      else if (r.lease_until !== null && r.lease_until >= due)
        continue // running somewhere
      else if (Number(r.attempts) > 0) retrying++
      else ready++
    }
    return { ready, retrying, dead }
  }

  /** Queues with due jobs (found after a restart, or enqueued on another node). */
  async dueQueues(now: number): Promise<Array<{ circleId: string; circleSlug: string; queue: string }>> {
    const due = iso(now)
    const rows = await this.db
      .selectFrom('engine_queue_jobs')
      .select(['circle_id', 'circle_slug', 'queue'])
      .distinct()
      .where('status', '=', 'ready')
      .where('available_at', '<=', due)
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', due)]))
      .limit(1000)
      .execute()
    return rows.map((r) => ({ circleId: r.circle_id, circleSlug: r.circle_slug, queue: r.queue }))
  }

  /** The earliest time a ready job of the queue becomes due (for the retry timer). */
  async nextDue(circleId: string, queue: string): Promise<number | undefined> {
    const r = await this.db
      .selectFrom('engine_queue_jobs')
      .select((eb) => eb.fn.min('available_at').as('at'))
      .where('circle_id', '=', circleId)
      .where('queue', '=', queue)
      .where('status', '=', 'ready')
      .executeTakeFirst()
    return r?.at ? Date.parse(String(r.at)) : undefined
  }
}
