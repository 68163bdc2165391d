// The agent type's email trigger tables: aliases (`invoices` → invoices@<mail domain>) that start
// an agent run for each message, and each agent's trigger switch. Rows only; the rules (alias
// syntax, who may create, what a delivery checks) live in email-aliases.ts.
import type { Kysely } from 'kysely'
import type { TypeTables } from '../../../storage/type-tables.ts'
import { agentEmailTablesMigration } from './email-alias-migration.ts'

export interface EmailAliasRow {
  id: string
  circle_id: string
  agent_id: string
  /** The local part, lower-case; unique on this server (its one mail domain). */
  alias: string
  enabled: boolean
  /** The API key that created it: runs started by mail run with its scopes. */
  key_id: string
  rate_limit_per_minute: number
  created_at: string
  updated_at: string
}

export interface EmailTriggerRow {
  agent_id: string
  circle_id: string
  enabled: boolean
  updated_at: string
}

export type EmailAliasPatch = Partial<Pick<EmailAliasRow, 'alias' | 'enabled' | 'rate_limit_per_minute'>> & {
  updated_at: string
}

export interface AgentEmailStore {
  /** False when the alias is taken (the unique index decides, also between nodes). */
  insertAlias(row: EmailAliasRow): Promise<boolean>
  getAlias(id: string): Promise<EmailAliasRow | undefined>
  findAlias(alias: string): Promise<EmailAliasRow | undefined>
  listAliases(filter: { agentId?: string; circleIds?: string[] }): Promise<EmailAliasRow[]>
  /** False when a new alias name is taken. */
  updateAlias(id: string, patch: EmailAliasPatch): Promise<boolean>
  deleteAlias(id: string): Promise<void>
  getTrigger(agentId: string): Promise<EmailTriggerRow | undefined>
  putTrigger(row: EmailTriggerRow): Promise<void>
}

type AliasColumns = Omit<EmailAliasRow, 'enabled'> & { enabled: number }
interface Tables {
  agent_email_aliases: AliasColumns
  agent_email_triggers: Omit<EmailTriggerRow, 'enabled'> & { enabled: number }
}

const toAlias = (r: AliasColumns): EmailAliasRow => ({
  ...r,
  enabled: Number(r.enabled) === 1,
  rate_limit_per_minute: Number(r.rate_limit_per_minute),
})

/** A unique-index violation, in SQLite's words or PostgreSQL's code. */
function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string }
  return e?.code === '23505' || /UNIQUE constraint failed/i.test(String(e?.message))
}

class KyselyAgentEmailStore implements AgentEmailStore {
  constructor(private readonly db: Kysely<Tables>) {}

  async insertAlias(row: EmailAliasRow): Promise<boolean> {
    const taken = await this.findAlias(row.alias)
    if (taken) return false
    try {
      await this.db
        .insertInto('agent_email_aliases')
        .values({ ...row, enabled: row.enabled ? 1 : 0 })
        .execute()
      return true
    } catch (err) {
      if (isUniqueViolation(err)) return false
      throw err
    }
  }

  async getAlias(id: string): Promise<EmailAliasRow | undefined> {
    const r = await this.db
      .selectFrom('agent_email_aliases')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst()
    return r && toAlias(r)
  }

  async findAlias(alias: string): Promise<EmailAliasRow | undefined> {
    const r = await this.db
      .selectFrom('agent_email_aliases')
      .selectAll()
      .where('alias', '=', alias)
      .executeTakeFirst()
    return r && toAlias(r)
  }

  async listAliases(filter: { agentId?: string; circleIds?: string[] }): Promise<EmailAliasRow[]> {
    let q = this.db.selectFrom('agent_email_aliases').selectAll()
    if (filter.agentId) q = q.where('agent_id', '=', filter.agentId)
    if (filter.circleIds) {
      if (filter.circleIds.length === 0) return []
      q = q.where('circle_id', 'in', filter.circleIds)
    }
    return (await q.orderBy('created_at').orderBy('id').execute()).map(toAlias)
  }

  async updateAlias(id: string, patch: EmailAliasPatch): Promise<boolean> {
    const { enabled, ...rest } = patch
    if (rest.alias !== undefined) {
      const other = await this.findAlias(rest.alias)
      if (other && other.id !== id) return false
    }
    try {
      await this.db
        .updateTable('agent_email_aliases')
        .set({ ...rest, ...(enabled === undefined ? {} : { enabled: enabled ? 1 : 0 }) })
        .where('id', '=', id)
        .execute()
      return true
    } catch (err) {
      if (isUniqueViolation(err)) return false
      throw err
    }
  }

  async deleteAlias(id: string): Promise<void> {
    await this.db.deleteFrom('agent_email_aliases').where('id', '=', id).execute()
  }

  async getTrigger(agentId: string): Promise<EmailTriggerRow | undefined> {
    const r = await this.db
      .selectFrom('agent_email_triggers')
      .selectAll()
      .where('agent_id', '=', agentId)
      .executeTakeFirst()
    return r && { ...r, enabled: Number(r.enabled) === 1 }
  }

  async putTrigger(row: EmailTriggerRow): Promise<void> {
    const values = { ...row, enabled: row.enabled ? 1 : 0 }
    await this.db
      .insertInto('agent_email_triggers')
      .values(values)
      .onConflict((oc) =>
        oc.column('agent_id').doUpdateSet({ enabled: values.enabled, updated_at: values.updated_at }),
      )
      .execute()
  }
}

export const agentEmailTables: TypeTables<AgentEmailStore> = {
  name: 'agent_email',
  migrations: () => ({ '0001_agent_email_aliases_triggers': agentEmailTablesMigration }),
  store: (db) => new KyselyAgentEmailStore(db as Kysely<Tables>),
}
