// The rules of agents' email triggers: what an alias may be called, who may create one (the key
// that does is the one mail-started runs run as, so it needs `execute`, as wiring an element to
// run does), and what a recipient must pass before its mail is accepted — checked again for
// every message, so a disabled alias, agent or trigger, or a revoked creator key, stops mail at once.
import { randomBytes, randomUUID } from 'node:crypto'
import { type Actor, hasScope } from '../../../auth/actor.ts'
import { E, PlatformError } from '../../../errors.ts'
import type { ElementRow, JsonObject } from '../../../storage/storage.ts'
import type { ElementsPort } from '../../element.ts'
import { type AgentEmailStore, agentEmailTables, type EmailAliasRow } from './email-alias-tables.ts'
import { AGENT_EMAIL } from './email-errors.ts'

export const DEFAULT_RATE_LIMIT_PER_MINUTE = 60
export const MAX_RATE_LIMIT_PER_MINUTE = 10_000
const ALIAS = /^[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?$/
const RESERVED = new Set(['postmaster', 'abuse', 'mailer-daemon'])
const PLATFORM_ADMIN = 'platform-admin'

/** Lower-cases and checks an alias; AGENT_EMAIL_INVALID_ALIAS explains a bad one. */
export function normalizeAlias(raw: string): string {
  const alias = raw.trim().toLowerCase()
  if (!ALIAS.test(alias) || alias.includes('..') || RESERVED.has(alias))
    throw new PlatformError(
      AGENT_EMAIL.AGENT_EMAIL_INVALID_ALIAS,
      `"${raw.slice(0, 80)}" is not a usable alias: 1-64 of a-z, 0-9, ".", "_", "-", starting and ending with a letter or digit, no "..", not postmaster, abuse or mailer-daemon`,
      { alias: raw.slice(0, 80) },
    )
  return alias
}

/** A fresh alias for an agent: its slug (trimmed to fit) and six random characters. */
function generatedAlias(slug: string): string {
  const base = slug
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
  return `${base || 'agent'}-${randomBytes(4).toString('hex').slice(0, 6)}`
}

/** Why a recipient is refused (an SMTP reply code with it), or the alias and agent it reaches. */
export type RecipientCheck =
  | { ok: true; alias: EmailAliasRow; agent: ElementRow }
  | { ok: false; code: 550 | 451; message: string }

export interface AliasInput {
  alias?: string
  enabled?: boolean
  rate_limit_per_minute?: number
}

export class AgentEmailTriggers {
  constructor(
    private readonly elements: ElementsPort,
    /** The one mail domain this server receives for (PERIODIC_MAIL_DOMAIN). */
    readonly domain: string,
  ) {}

  private get store(): AgentEmailStore {
    return this.elements.storeOf(agentEmailTables)
  }

  async present(row: EmailAliasRow): Promise<JsonObject> {
    return {
      id: row.id,
      alias: row.alias,
      address: `${row.alias}@${this.domain}`,
      agent_id: row.agent_id,
      circle: await this.elements.circleSlug(row.circle_id),
      enabled: row.enabled,
      rate_limit_per_minute: row.rate_limit_per_minute,
      key_id: row.key_id,
      created_at: row.created_at,
      updated_at: row.updated_at,
    }
  }

  /** The agent's trigger: on unless switched off (creating an alias is the opt-in). */
  async config(agent: ElementRow): Promise<JsonObject> {
    const trigger = await this.store.getTrigger(agent.id)
    const aliases = await this.store.listAliases({ agentId: agent.id })
    return {
      agent_id: agent.id,
      enabled: trigger?.enabled ?? true,
      domain: this.domain,
      aliases: await Promise.all(aliases.map((a) => this.present(a))),
      updated_at: trigger?.updated_at ?? null,
    }
  }

  async setEnabled(agent: ElementRow, enabled: boolean): Promise<JsonObject> {
    await this.store.putTrigger({
      agent_id: agent.id,
      circle_id: agent.circle_id,
      enabled,
      updated_at: new Date().toISOString(),
    })
    return this.config(agent)
  }

  async list(circleIds: string[]): Promise<JsonObject[]> {
    const rows = await this.store.listAliases({ circleIds })
    return Promise.all(rows.map((r) => this.present(r)))
  }

  async create(agent: ElementRow, actor: Actor, input: AliasInput): Promise<EmailAliasRow> {
    mayStartRuns(actor)
    const now = new Date().toISOString()
    const given = input.alias !== undefined ? normalizeAlias(input.alias) : undefined
    for (let attempt = 0; attempt < 5; attempt++) {
      const row: EmailAliasRow = {
        id: randomUUID(),
        circle_id: agent.circle_id,
        agent_id: agent.id,
        alias: given ?? generatedAlias(agent.slug),
        enabled: input.enabled ?? true,
        key_id: actor.keyId,
        rate_limit_per_minute: input.rate_limit_per_minute ?? DEFAULT_RATE_LIMIT_PER_MINUTE,
        created_at: now,
        updated_at: now,
      }
      if (await this.store.insertAlias(row)) return row
      if (given) throw taken(given, this.domain)
    }
    throw new PlatformError(E.INTERNAL, 'no free generated alias after 5 attempts; name one')
  }

  /** The alias `emailId` of `agent` (another agent's is not found). */
  async aliasOf(agent: ElementRow, emailId: string): Promise<EmailAliasRow> {
    const row = await this.store.getAlias(emailId)
    if (!row || row.agent_id !== agent.id)
      throw new PlatformError(
        AGENT_EMAIL.AGENT_EMAIL_ALIAS_NOT_FOUND,
        `no email alias "${emailId.slice(0, 80)}" on this agent`,
      )
    return row
  }

  async update(agent: ElementRow, emailId: string, input: AliasInput): Promise<EmailAliasRow> {
    const row = await this.aliasOf(agent, emailId)
    const alias = input.alias !== undefined ? normalizeAlias(input.alias) : undefined
    const patch = {
      ...(alias !== undefined ? { alias } : {}),
      ...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
      ...(input.rate_limit_per_minute !== undefined
        ? { rate_limit_per_minute: input.rate_limit_per_minute }
        : {}),
      updated_at: new Date().toISOString(),
    }
    if (!(await this.store.updateAlias(row.id, patch))) throw taken(alias ?? row.alias, this.domain)
    return { ...row, ...patch }
  }

  async remove(agent: ElementRow, emailId: string): Promise<EmailAliasRow> {
    const row = await this.aliasOf(agent, emailId)
    await this.store.deleteAlias(row.id)
    return row
  }

  /**
   * Whether mail to `address` is accepted: the domain is ours, the alias (its `+tag` dropped)
   * exists and is on, its agent is there and enabled with its email trigger on, and the key
   * that created the alias is unrevoked and may still start runs.
   */
  async checkRecipient(address: string): Promise<RecipientCheck> {
    const refuse = (message: string): RecipientCheck => ({ ok: false, code: 550, message })
    const at = address.lastIndexOf('@')
    const local = (at < 0 ? address : address.slice(0, at)).toLowerCase()
    const domain = at < 0 ? '' : address.slice(at + 1).toLowerCase()
    if (domain !== this.domain.toLowerCase())
      return refuse(`<${address}>: this server accepts mail only for @${this.domain}`)
    const alias = await this.store.findAlias(local.split('+')[0] ?? local)
    if (!alias) return refuse(`<${address}>: no such alias`)
    if (!alias.enabled) return refuse(`<${address}>: this alias is disabled`)
    const agent = await this.elements.records.getElement(alias.agent_id)
    if (!agent || agent.deleted_at || agent.element_type !== 'agent')
      return refuse(`<${address}>: the agent of this alias no longer exists`)
    if (!agent.enabled) return refuse(`<${address}>: the agent "${agent.slug}" is disabled`)
    const trigger = await this.store.getTrigger(agent.id)
    if (trigger && !trigger.enabled)
      return refuse(`<${address}>: the email trigger of agent "${agent.slug}" is off`)
    const why = await this.keyProblem(alias)
    if (why) return refuse(`<${address}>: ${why}`)
    return { ok: true, alias, agent }
  }

  private async keyProblem(alias: EmailAliasRow): Promise<string | undefined> {
    if (alias.key_id === PLATFORM_ADMIN) return undefined
    const key = (await this.elements.apiKeys.listApiKeys(alias.circle_id)).find((k) => k.id === alias.key_id)
    if (!key || key.revoked_at !== null) return 'the API key that created this alias was revoked'
    if (!key.scopes.includes('execute') && !key.scopes.includes('admin'))
      return 'the API key that created this alias no longer holds the "execute" scope'
    return undefined
  }
}

function mayStartRuns(actor: Actor): void {
  if (hasScope(actor, 'execute')) return
  throw new PlatformError(
    E.FORBIDDEN,
    'mail to an alias starts agent runs with the scopes of the key that created it; creating an alias needs the "execute" scope too',
    { required_scope: 'execute', operation: 'create email alias' },
  )
}

const taken = (alias: string, domain: string) =>
  new PlatformError(AGENT_EMAIL.AGENT_EMAIL_ALIAS_TAKEN, `${alias}@${domain} is already taken`, { alias })
