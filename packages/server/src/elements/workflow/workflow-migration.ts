// The workflow tables' first migration: runs' definition snapshots, steps (the checkpoint a
// resumed run replays), the circle's CloudEvents, and automations.
import type { Kysely, Migration } from 'kysely'

export const workflowTablesMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('workflow_runs')
      .addColumn('run_id', 'text', (c) => c.primaryKey())
      .addColumn('circle_id', 'text', (c) => c.notNull())
      .addColumn('element_id', 'text', (c) => c.notNull())
      .addColumn('definition', 'text', (c) => c.notNull())
      .addColumn('depth', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute()
    await db.schema
      .createTable('workflow_steps')
      .addColumn('run_id', 'text', (c) => c.notNull())
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('position', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('input', 'text', (c) => c.notNull())
      .addColumn('output', 'text', (c) => c.notNull())
      .addColumn('error', 'text')
      .addColumn('context', 'text')
      .addColumn('flow', 'text')
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('started_at', 'text', (c) => c.notNull())
      .addColumn('completed_at', 'text')
      .addColumn('duration_ms', 'real')
      .addColumn('child_run_id', 'text')
      .addColumn('wake_at', 'text')
      .addPrimaryKeyConstraint('workflow_steps_pk', ['run_id', 'key'])
      .execute()
    await db.schema
      .createIndex('workflow_steps_seq')
      .on('workflow_steps')
      .columns(['run_id', 'seq'])
      .execute()
    await db.schema
      .createTable('workflow_events')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('circle_id', 'text', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('event', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute()
    await db.schema
      .createIndex('workflow_events_circle_time')
      .on('workflow_events')
      .columns(['circle_id', 'created_at'])
      .execute()
    await db.schema
      .createTable('workflow_automations')
      .addColumn('element_id', 'text', (c) => c.primaryKey())
      .addColumn('circle_id', 'text', (c) => c.notNull())
      .addColumn('schedule', 'text', (c) => c.notNull())
      .addColumn('paused', 'integer', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute()
  },
}
