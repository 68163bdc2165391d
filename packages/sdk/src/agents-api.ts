// client.agents: the agent elements of the key's circle (/api/v1/agents) — list, get, create,
// update, their Source files (listFiles; putFile and uploadFiles are deprecated: agent source is
// Git, clone and push) and versions. client.agents.emailTriggers: agent-email-triggers-api.ts.
import { AgentEmailTriggersApi } from './agent-email-triggers-api.ts'
import type { components, operations } from './generated/openapi.ts'
import type { HttpTransport, RequestOptions } from './http-transport.ts'
import { PaginatedList } from './paginated-list.ts'

type Schemas = components['schemas']
type JsonBody<K extends keyof operations> = operations[K] extends {
  requestBody: { content: { 'application/json': infer B } }
}
  ? B
  : never

export type AgentSummary = Schemas['AgentSummary']
export type AgentDetail = Schemas['AgentDetail']
export type AgentList = Schemas['AgentList']
export type AgentModel = Schemas['AgentModel']
export type AgentFile = Schemas['AgentFile']
export type AgentFileList = Schemas['AgentFileList']
export type AgentFileContent = Schemas['AgentFileContent']
export type AgentFilesWritten = Schemas['AgentFilesWritten']
export type AgentVersion = Schemas['AgentVersion']
export type AgentVersionList = Schemas['AgentVersionList']
/** What `create` sends: slug and model required; instructions default to a starter AGENT.md. */
export type CreateAgentBody = JsonBody<'agents_create'>
/** What `update` sends: any of the fields; `model` fields merge (null removes one). */
export type UpdateAgentBody = JsonBody<'agents_update'>

const AGENTS_PATH = '/api/v1/agents'

export interface ListAgentsOptions extends RequestOptions {
  /** Case-insensitive substring of slug, name, path, description, instructions' first line, model. */
  search?: string | undefined
  /** Exactly this slug. */
  slug?: string | undefined
  /** Disabled agents too. */
  includeArchived?: boolean | undefined
  /** Platform admin only: one circle by slug. */
  circle?: string | undefined
  /** Page size (server default 50, max 100). */
  limit?: number | undefined
  offset?: number | undefined
}

export interface GetAgentOptions extends RequestOptions {
  /** Add the Source file list (`files`). */
  includeFiles?: boolean | undefined
}

export interface AgentFilesOptions extends RequestOptions {
  /** A branch (`draft`, `demo`, `live`; `main` is draft), a release tag or a commit. */
  ref?: string | undefined
}

export interface WriteAgentFilesOptions extends RequestOptions {
  /** The version's message. */
  message?: string | undefined
  /** Refuse (409) unless the agent is still at this version. */
  expectedVersion?: number | undefined
}

export class AgentsApi {
  /** The agents' email aliases: list, get, update, createAlias, updateAlias, deleteAlias. */
  readonly emailTriggers: AgentEmailTriggersApi

  constructor(private readonly transport: HttpTransport) {
    this.emailTriggers = new AgentEmailTriggersApi(transport)
  }

  private path(agent: string, rest = ''): string {
    return `${AGENTS_PATH}/${encodeURIComponent(agent)}${rest}`
  }

  /** The agents of the key's circle by path: `await` for a page, `for await` for all. */
  list(options: ListAgentsOptions = {}): PaginatedList<AgentList, AgentSummary> {
    const {
      idempotencyKey: _unused,
      timeoutMs,
      signal,
      headers,
      includeArchived,
      offset: first,
      ...query
    } = options
    return new PaginatedList({
      fetchPage: async (cursor) =>
        (
          await this.transport.request<AgentList>({
            method: 'GET',
            path: AGENTS_PATH,
            query: {
              ...query,
              include_archived: includeArchived,
              offset: cursor === undefined ? first : Number(cursor),
            },
            timeoutMs,
            signal,
            headers,
          })
        ).body,
      itemsOf: (page) => page.agents,
      nextCursorOf: (page) => (page.has_more ? String(page.offset + page.agents.length) : undefined),
    })
  }

  /** One agent; `agent` is a path (`acme/invoice-triage`), an id or a slug. The model key is never shown. */
  async get(agent: string, options: GetAgentOptions = {}): Promise<AgentDetail> {
    const { includeFiles, ...request } = options
    const response = await this.transport.request<AgentDetail>({
      ...request,
      method: 'GET',
      path: this.path(agent),
      query: { include: includeFiles ? 'files' : undefined },
    })
    return response.body
  }

  /** Creates the agent and its Git source package (AGENT.md, .periodic/spec.yaml, README.md). */
  async create(body: CreateAgentBody, options: RequestOptions = {}): Promise<AgentDetail> {
    const response = await this.transport.request<AgentDetail>({
      ...options,
      method: 'POST',
      path: AGENTS_PATH,
      body,
    })
    return response.body
  }

  /** Updates configuration and metadata (a new version; 409 ConflictError on a stale `expected_version`). */
  async update(agent: string, body: UpdateAgentBody, options: RequestOptions = {}): Promise<AgentDetail> {
    const response = await this.transport.request<AgentDetail>({
      ...options,
      method: 'PATCH',
      path: this.path(agent),
      body,
    })
    return response.body
  }

  /** The agent's Source files (under `prefix`), or — given `path` — that file's content. */
  async listFiles(
    agent: string,
    options?: AgentFilesOptions & { prefix?: string | undefined },
  ): Promise<AgentFileList>
  async listFiles(agent: string, options: AgentFilesOptions & { path: string }): Promise<AgentFileContent>
  async listFiles(
    agent: string,
    options: AgentFilesOptions & { path?: string | undefined; prefix?: string | undefined } = {},
  ): Promise<AgentFileList | AgentFileContent> {
    const { ref, path, prefix, ...request } = options
    const response = await this.transport.request<AgentFileList | AgentFileContent>({
      ...request,
      method: 'GET',
      path: this.path(agent, '/files'),
      query: { ref, path, prefix },
    })
    return response.body
  }

  /** @deprecated Agent source is Git-backed: clone and push. Writes one file to draft. */
  async putFile(
    agent: string,
    path: string,
    content: string,
    options: WriteAgentFilesOptions = {},
  ): Promise<AgentFilesWritten> {
    const { message, expectedVersion, ...request } = options
    const response = await this.transport.request<AgentFilesWritten>({
      ...request,
      method: 'PUT',
      path: this.path(agent, '/files'),
      query: { path },
      body: { content, message, expected_version: expectedVersion },
    })
    return response.body
  }

  /** @deprecated Agent source is Git-backed: clone and push. Writes several files (path → text) to draft in one version. */
  async uploadFiles(
    agent: string,
    files: Record<string, string>,
    options: WriteAgentFilesOptions = {},
  ): Promise<AgentFilesWritten> {
    const { message, expectedVersion, ...request } = options
    const response = await this.transport.request<AgentFilesWritten>({
      ...request,
      method: 'POST',
      path: this.path(agent, '/files'),
      body: { files, message, expected_version: expectedVersion },
    })
    return response.body
  }

  /** Its versions, newest first, with the release tags (`v1` …) naming them. */
  async versions(
    agent: string,
    options: RequestOptions & { limit?: number | undefined; offset?: number | undefined } = {},
  ): Promise<AgentVersionList> {
    const { limit, offset, ...request } = options
    const response = await this.transport.request<AgentVersionList>({
      ...request,
      method: 'GET',
      path: this.path(agent, '/versions'),
      query: { limit, offset },
    })
    return response.body
  }
}
