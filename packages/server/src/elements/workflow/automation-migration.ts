// The workflow tables' second migration: what an automation records of its firings (last run,
// last error, where it was synced from) and the claims that make one tick or event start one
// run across nodes (workflow_automation_claims: one row per automation and firing).
import type { Kysely, Migration } from 'kysely'

export const automationFiringsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    // One column per statement: SQLite's ALTER TABLE adds one at a time.
    for (const column of [
      'source_ref',
      'source_commit',
      'last_error',
      'last_fired_at',
      'last_run_id',
      'resumed_at',
    ])
      await db.schema.alterTable('workflow_automations').addColumn(column, 'text').execute()
    await db.schema
      .createTable('workflow_automation_claims')
      .addColumn('element_id', 'text', (c) => c.notNull())
      .addColumn('claim', 'text', (c) => c.notNull())
      .addColumn('node', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('workflow_automation_claims_pk', ['element_id', 'claim'])
      .execute()
    await db.schema
      .createIndex('workflow_automation_claims_time')
      .on('workflow_automation_claims')
      .column('created_at')
      .execute()
  },
}
