// Schema migrations shared by SQLite and PostgreSQL. JSON is stored as TEXT and timestamps as
// fixed-width ISO-8601 UTC strings in both, so one query layer reads both the same way and
// lexical order is time order.
import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely'
import type { Dialect, TypeTables } from './type-tables.ts'

function migrations(dialect: Dialect): Record<string, Migration> {
  const seqColumn = dialect === 'postgres' ? 'bigserial' : 'integer'
  return {
    '0001_core': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('elements')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('circle_id', 'text', (c) => c.notNull())
          .addColumn('parent_id', 'text')
          .addColumn('slug', 'text', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('element_type', 'text', (c) => c.notNull())
          .addColumn('state', 'text', (c) => c.notNull())
          .addColumn('state_reason', 'text')
          .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
          .addColumn('intention', 'text', (c) => c.notNull().defaultTo(''))
          .addColumn('spec', 'text', (c) => c.notNull())
          .addColumn('meta', 'text', (c) => c.notNull())
          .addColumn('readme', 'text', (c) => c.notNull().defaultTo(''))
          .addColumn('version', 'integer', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .addColumn('deleted_at', 'text')
          .execute()
        // Slugs are unique among live elements of a circle; circle slugs among live circles.
        await sql`CREATE UNIQUE INDEX elements_live_slug ON elements (circle_id, slug) WHERE deleted_at IS NULL AND parent_id IS NOT NULL`.execute(
          db,
        )
        await sql`CREATE UNIQUE INDEX elements_live_circle ON elements (slug) WHERE deleted_at IS NULL AND parent_id IS NULL`.execute(
          db,
        )
        await db.schema.createIndex('elements_parent').on('elements').columns(['parent_id']).execute()
        await db.schema.createIndex('elements_circle').on('elements').columns(['circle_id']).execute()

        await db.schema
          .createTable('element_versions')
          .addColumn('element_id', 'text', (c) => c.notNull())
          .addColumn('version', 'integer', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('intention', 'text', (c) => c.notNull())
          .addColumn('spec', 'text', (c) => c.notNull())
          .addColumn('message', 'text', (c) => c.notNull())
          .addColumn('created_by', 'text')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('element_versions_pk', ['element_id', 'version'])
          .execute()

        await db.schema
          .createTable('api_keys')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('circle_id', 'text', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('prefix', 'text', (c) => c.notNull())
          .addColumn('hash', 'text', (c) => c.notNull().unique())
          .addColumn('scopes', 'text', (c) => c.notNull())
          .addColumn('created_by', 'text')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('revoked_at', 'text')
          .execute()
        await db.schema.createIndex('api_keys_circle').on('api_keys').columns(['circle_id']).execute()

        await db.schema
          .createTable('activity')
          .addColumn('seq', seqColumn, (c) => c.primaryKey())
          .addColumn('circle_id', 'text', (c) => c.notNull())
          .addColumn('element_id', 'text')
          .addColumn('action', 'text', (c) => c.notNull())
          .addColumn('actor', 'text')
          .addColumn('details', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .execute()
        await db.schema.createIndex('activity_circle').on('activity').columns(['circle_id', 'seq']).execute()
        await db.schema
          .createIndex('activity_element')
          .on('activity')
          .columns(['element_id', 'seq'])
          .execute()

        await db.schema
          .createTable('attachments')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('circle_id', 'text', (c) => c.notNull())
          .addColumn('source_id', 'text', (c) => c.notNull())
          .addColumn('target_id', 'text', (c) => c.notNull())
          .addColumn('priority', 'integer', (c) => c.notNull())
          .addColumn('cascade_policy', 'text', (c) => c.notNull())
          .addColumn('version_pin', 'integer')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addUniqueConstraint('attachments_pair', ['source_id', 'target_id'])
          .execute()
        await db.schema.createIndex('attachments_target').on('attachments').columns(['target_id']).execute()

        await db.schema
          .createTable('runs')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('circle_id', 'text', (c) => c.notNull())
          .addColumn('element_id', 'text', (c) => c.notNull())
          .addColumn('element_version', 'integer', (c) => c.notNull())
          .addColumn('operation', 'text', (c) => c.notNull())
          .addColumn('trigger', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('input', 'text', (c) => c.notNull())
          .addColumn('output', 'text', (c) => c.notNull())
          .addColumn('error', 'text')
          .addColumn('attempts', 'integer', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('started_at', 'text')
          .addColumn('completed_at', 'text')
          .addColumn('duration_ms', dialect === 'postgres' ? 'double precision' : 'real')
          .execute()
        await db.schema.createIndex('runs_element').on('runs').columns(['element_id', 'created_at']).execute()
        await db.schema.createIndex('runs_circle').on('runs').columns(['circle_id', 'created_at']).execute()
      },
    },
    '0002_run_details': {
      async up(db: Kysely<unknown>) {
        for (const [name, type] of [
          ['cold_start', 'integer'],
          ['memory_used_mb', dialect === 'postgres' ? 'double precision' : 'real'],
          ['logs_truncated', 'integer'],
          ['trigger_info', 'text'],
        ] as const) {
          await db.schema.alterTable('runs').addColumn(name, type).execute()
        }
        await db.schema
          .createTable('run_logs')
          .addColumn('run_id', 'text', (c) => c.notNull())
          .addColumn('seq', 'integer', (c) => c.notNull())
          .addColumn('stream', 'text', (c) => c.notNull())
          .addColumn('data', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('run_logs_pk', ['run_id', 'seq'])
          .execute()
      },
    },
    '0003_idempotency_keys': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('idempotency_keys')
          .addColumn('circle_id', 'text', (c) => c.notNull())
          .addColumn('key', 'text', (c) => c.notNull())
          .addColumn('request_hash', 'text', (c) => c.notNull())
          .addColumn('run_id', 'text')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('expires_at', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('idempotency_keys_pk', ['circle_id', 'key'])
          .execute()
        await db.schema
          .createIndex('idempotency_keys_expiry')
          .on('idempotency_keys')
          .columns(['expires_at'])
          .execute()
        // Listing by trigger and by completion time across a circle.
        await db.schema
          .createIndex('runs_completed')
          .on('runs')
          .columns(['circle_id', 'completed_at'])
          .execute()
      },
    },
    // Feedback and expected output of a run (the runs API's annotations); rows go with the run id.
    '0004_run_feedback_expected': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('run_feedback')
          .addColumn('run_id', 'text', (c) => c.primaryKey())
          .addColumn('circle_id', 'text', (c) => c.notNull())
          .addColumn('rating', 'integer')
          .addColumn('comment', 'text')
          .addColumn('labels', 'text', (c) => c.notNull())
          .addColumn('updated_by', 'text')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .execute()
        await db.schema
          .createTable('run_expected')
          .addColumn('run_id', 'text', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('content', 'text', (c) => c.notNull())
          .addColumn('size_bytes', 'integer', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('run_expected_pk', ['run_id', 'name'])
          .execute()
      },
    },
    // The engine's state and stream items (one table: state uses an empty group), the cron
    // ticks claimed by a node so a schedule fires once per tick across nodes, and queue jobs.
    '0007_engine_state': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('engine_items')
          .addColumn('circle_id', 'text', (c) => c.notNull())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('scope', 'text', (c) => c.notNull())
          .addColumn('grp', 'text', (c) => c.notNull())
          .addColumn('item_key', 'text', (c) => c.notNull())
          .addColumn('value', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('engine_items_pk', ['circle_id', 'kind', 'scope', 'grp', 'item_key'])
          .execute()
        await db.schema
          .createTable('engine_cron_ticks')
          .addColumn('trigger_key', 'text', (c) => c.notNull())
          .addColumn('tick_at', 'text', (c) => c.notNull())
          .addColumn('node', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('engine_cron_ticks_pk', ['trigger_key', 'tick_at'])
          .execute()
        await db.schema
          .createTable('engine_queue_jobs')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('circle_id', 'text', (c) => c.notNull())
          .addColumn('circle_slug', 'text', (c) => c.notNull())
          .addColumn('queue', 'text', (c) => c.notNull())
          .addColumn('function_id', 'text', (c) => c.notNull())
          .addColumn('data', 'text', (c) => c.notNull())
          .addColumn('metadata', 'text')
          .addColumn('attempts', 'integer', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('available_at', 'text', (c) => c.notNull())
          .addColumn('last_error', 'text')
          .addColumn('enqueued_at', 'text', (c) => c.notNull())
          .addColumn('failed_at', 'text')
          .addColumn('lease_until', 'text')
          .addColumn('node', 'text')
          .execute()
        // Claims look for due ready jobs of one queue.
        await db.schema
          .createIndex('engine_queue_jobs_due')
          .on('engine_queue_jobs')
          .columns(['circle_id', 'queue', 'status', 'available_at'])
          .execute()
      },
    },
    // Secrets at rest: per-element data keys wrapped by a master key. (The cookie jar's table,
    // created here before 0011, is the jar type's own now: elements/cookie-jar/jar-tables.ts.)
    '0005_cookie_jar_keys': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('data_keys')
          .addColumn('element_id', 'text', (c) => c.primaryKey())
          .addColumn('master_key_id', 'integer', (c) => c.notNull())
          .addColumn('wrapped', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .execute()
        await db.schema.createIndex('data_keys_master').on('data_keys').columns(['master_key_id']).execute()
      },
    },
    // W3C trace context of each run: its trace, its own span and the caller's span.
    '0008_run_trace': {
      async up(db: Kysely<unknown>) {
        // One column a statement: SQLite's ALTER TABLE adds a single column.
        for (const column of ['trace_id', 'span_id', 'parent_span_id'])
          await db.schema.alterTable('runs').addColumn(column, 'text').execute()
        await db.schema.createIndex('runs_trace').on('runs').columns(['trace_id']).execute()
      },
    },
    // The enqueuer's trace context ({traceparent, baggage} as JSON): a job's run continues it.
    '0009_engine_queue_trace': {
      async up(db: Kysely<unknown>) {
        await db.schema.alterTable('engine_queue_jobs').addColumn('trace', 'text').execute()
      },
    },
    // The durable run queue: a run belongs to the node that claimed it (`node_id`; null while it
    // waits in the queue), and a node's claims last as long as its heartbeat row is fresh.
    // Runs left active by a process that stopped before this migration are marked as claimed by
    // a node that no longer exists, so recovery finishes them instead of running them again.
    '0010_run_queue': {
      async up(db: Kysely<unknown>) {
        for (const column of ['node_id', 'cancel_requested_at'])
          await db.schema.alterTable('runs').addColumn(column, 'text').execute()
        await db.schema
          .createTable('run_nodes')
          .addColumn('id', 'text', (c) => c.primaryKey())
          // Where the node's process runs (host, boot, pid namespace) and its pid: a node on
          // the same machine whose pid is gone is known dead without waiting out its lease.
          .addColumn('machine', 'text')
          .addColumn('pid', 'integer')
          .addColumn('started_at', 'text', (c) => c.notNull())
          .addColumn('heartbeat_at', 'text', (c) => c.notNull())
          .execute()
        await sql`create index runs_active_node on runs (node_id) where status in ('queued', 'running')`.execute(
          db,
        )
        await sql`create index runs_unclaimed on runs (element_id, created_at) where node_id is null and status = 'queued'`.execute(
          db,
        )
        await sql`update runs set node_id = 'before-0010' where status in ('queued', 'running')`.execute(db)
      },
    },
    // The enqueuer's scopes (JSON array): a job runs with no more (null: rows from before, all).
    '0011_engine_queue_job_scopes': {
      async up(db: Kysely<unknown>) {
        await db.schema.alterTable('engine_queue_jobs').addColumn('scopes', 'text').execute()
      },
    },
    // The Source commit a run executed and the branch, tag or commit its caller named (or the
    // default branch); null on runs from before.
    '0012_run_source': {
      async up(db: Kysely<unknown>) {
        for (const column of ['source_commit', 'source_ref'])
          await db.schema.alterTable('runs').addColumn(column, 'text').execute()
      },
    },
    // What the run list filters on besides the core columns: how a run was started, by which
    // key, and the batch and example ids its starter gave; and the resolution of run feedback.
    '0013_run_list_columns': {
      async up(db: Kysely<unknown>) {
        for (const column of ['source', 'triggered_by', 'batch_id', 'example_id'])
          await db.schema.alterTable('runs').addColumn(column, 'text').execute()
        await db.schema.createIndex('runs_batch').on('runs').columns(['batch_id', 'created_at']).execute()
        await db.schema.createIndex('runs_example').on('runs').columns(['example_id', 'created_at']).execute()
        for (const column of ['resolved_at', 'resolved_by', 'resolution_note'])
          await db.schema.alterTable('run_feedback').addColumn(column, 'text').execute()
      },
    },
    // Fewer index pages in each run's write (every run is one insert on the invoke hot path): no
    // query looks runs up by trace id, and batch and example ids are set on few runs, so their
    // indexes keep only those (a query's `batch_id = ?` implies the index's condition).
    '0014_run_index_pages': {
      async up(db: Kysely<unknown>) {
        await db.schema.dropIndex('runs_trace').execute()
        for (const column of ['batch_id', 'example_id']) {
          const name = column === 'batch_id' ? 'runs_batch' : 'runs_example'
          await db.schema.dropIndex(name).execute()
          await db.schema
            .createIndex(name)
            .on('runs')
            .columns([column, 'created_at'])
            .where(sql.ref(column), 'is not', null)
            .execute()
        }
      },
    },
  }
}

export function migrateToLatest(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  return runMigrations(db, dialect, migrations(dialect), 'periodic_migrations')
}

/** Each type's own migrations, after the core ones, in their own migration tables. */
export async function migrateTypeTables(
  db: Kysely<unknown>,
  dialect: Dialect,
  tables: TypeTables<unknown>[],
): Promise<void> {
  for (const t of tables) {
    if (!/^[a-z][a-z0-9_]*$/.test(t.name))
      throw new Error(`type tables "${t.name}": name must be [a-z][a-z0-9_]*`)
    await runMigrations(db, dialect, t.migrations(dialect), `periodic_migrations_${t.name}`)
  }
}

async function runMigrations(
  db: Kysely<unknown>,
  dialect: Dialect,
  all: Record<string, Migration>,
  table: string,
): Promise<void> {
  const provider: MigrationProvider = { getMigrations: async () => all }
  // Kysely decides whether its migration tables exist by looking through every schema unless it
  // is told which one: with several schemas in one database (tests, shared installs) it would
  // find another schema's table and skip creating its own.
  const schema =
    dialect === 'postgres'
      ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema
      : undefined
  const migrator = new Migrator({
    db,
    provider,
    migrationTableName: table,
    migrationLockTableName: `${table}_lock`,
    ...(schema ? { migrationTableSchema: schema } : {}),
  })
  const { error, results } = await migrator.migrateToLatest()
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')
    throw new Error(`migration ${failed?.migrationName ?? '?'} failed: ${String(error)}`, { cause: error })
  }
}
