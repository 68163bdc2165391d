// The email trigger tables' first migration: the aliases mail is accepted for (one row each,
// unique local part server-wide) and each agent's email trigger switch.
import type { Kysely, Migration } from 'kysely'

export const agentEmailTablesMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('agent_email_aliases')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('circle_id', 'text', (c) => c.notNull())
      .addColumn('agent_id', 'text', (c) => c.notNull())
      .addColumn('alias', 'text', (c) => c.notNull().unique())
      .addColumn('enabled', 'integer', (c) => c.notNull())
      .addColumn('key_id', 'text', (c) => c.notNull())
      .addColumn('rate_limit_per_minute', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute()
    await db.schema
      .createIndex('agent_email_aliases_agent')
      .on('agent_email_aliases')
      .columns(['agent_id', 'created_at'])
      .execute()
    await db.schema
      .createIndex('agent_email_aliases_circle')
      .on('agent_email_aliases')
      .columns(['circle_id', 'created_at'])
      .execute()
    await db.schema
      .createTable('agent_email_triggers')
      .addColumn('agent_id', 'text', (c) => c.primaryKey())
      .addColumn('circle_id', 'text', (c) => c.notNull())
      .addColumn('enabled', 'integer', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute()
  },
}
