// client.agents.emailTriggers (/api/v1/agents/…/triggers/email): the agents' email aliases — each
// message to alias@<mail domain> starts a run of its agent. list (the key's circle), get and
// update (an agent's trigger switch), createAlias, updateAlias, deleteAlias.

import type { components } from './generated/openapi.ts'
import type { HttpTransport, RequestOptions } from './http-transport.ts'

type Schemas = components['schemas']

export type AgentEmailAlias = Schemas['AgentEmailAlias']
export type AgentEmailTrigger = Schemas['AgentEmailTrigger']
export type AgentEmailAliasList = Schemas['AgentEmailAliasList']
export type AgentEmailAliasDeleted = Schemas['AgentEmailAliasDeleted']

export interface CreateEmailAliasInput {
  /** The local part (lower-cased); generated from the agent's slug when absent. */
  alias?: string | undefined
  /** Messages a minute the alias accepts (default 60); beyond, senders get 451 and retry. */
  rate_limit_per_minute?: number | undefined
  enabled?: boolean | undefined
}

export type UpdateEmailAliasInput = CreateEmailAliasInput

const triggerPath = (agent: string) => `/api/v1/agents/${encodeURIComponent(agent)}/triggers/email`
const aliasPath = (agent: string, emailId: string) => `${triggerPath(agent)}/${encodeURIComponent(emailId)}`

export class AgentEmailTriggersApi {
  constructor(private readonly transport: HttpTransport) {}

  /** Every email alias of the key's circle (the platform admin: of `circle`, or all). */
  async list(options: RequestOptions & { circle?: string | undefined } = {}): Promise<AgentEmailAliasList> {
    const { circle, ...rest } = options
    return (
      await this.transport.request<AgentEmailAliasList>({
        ...rest,
        method: 'GET',
        path: '/api/v1/agents/triggers/email',
        query: { circle },
      })
    ).body
  }

  /** An agent's email trigger (by id or path `acme/invoice-triage`): on or off, and its aliases. */
  async get(agent: string, options: RequestOptions = {}): Promise<AgentEmailTrigger> {
    return (
      await this.transport.request<AgentEmailTrigger>({ ...options, method: 'GET', path: triggerPath(agent) })
    ).body
  }

  /** Switches the agent's email trigger on or off (off: every alias refuses mail). */
  async update(
    agent: string,
    input: { enabled: boolean },
    options: RequestOptions = {},
  ): Promise<AgentEmailTrigger> {
    return (
      await this.transport.request<AgentEmailTrigger>({
        ...options,
        method: 'PATCH',
        path: triggerPath(agent),
        body: input,
      })
    ).body
  }

  /** A new alias; mail to its `address` starts runs as the key that created it. */
  async createAlias(
    agent: string,
    input: CreateEmailAliasInput = {},
    options: RequestOptions = {},
  ): Promise<AgentEmailAlias> {
    return (
      await this.transport.request<AgentEmailAlias>({
        ...options,
        method: 'POST',
        path: triggerPath(agent),
        body: input,
      })
    ).body
  }

  async updateAlias(
    agent: string,
    emailId: string,
    input: UpdateEmailAliasInput,
    options: RequestOptions = {},
  ): Promise<AgentEmailAlias> {
    return (
      await this.transport.request<AgentEmailAlias>({
        ...options,
        method: 'PATCH',
        path: aliasPath(agent, emailId),
        body: input,
      })
    ).body
  }

  async deleteAlias(
    agent: string,
    emailId: string,
    options: RequestOptions = {},
  ): Promise<AgentEmailAliasDeleted> {
    return (
      await this.transport.request<AgentEmailAliasDeleted>({
        ...options,
        method: 'DELETE',
        path: aliasPath(agent, emailId),
      })
    ).body
  }
}
