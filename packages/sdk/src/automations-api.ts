// client.automations (/api/v1/automations): the workflows' schedules as automations — list
// (a page, or every one with `for await`), get, pause, resume, and sync (reconcile one from its
// workflow's latest released definition; never enqueues a run).

import type { components } from './generated/openapi.ts'
import type { HttpTransport, RequestOptions } from './http-transport.ts'
import { PaginatedList } from './paginated-list.ts'

type Schemas = components['schemas']

export type Automation = Schemas['Automation']
export type AutomationsPage = Schemas['AutomationsPage']
export type AutomationSyncResponse = Schemas['AutomationSyncResponse']

export interface AutomationFilters extends RequestOptions {
  /** A circle slug (the platform admin key; a circle key lists its own circle). */
  circle?: string | undefined
  /** Page size (1–200). */
  limit?: number | undefined
  /** Start from this page instead of the first. */
  cursor?: string | undefined
}

const AUTOMATIONS_PATH = '/api/v1/automations'
/** An automation's id, or its workflow's path (`acme/nightly`), as one path segment. */
const automationPath = (automation: string) => `${AUTOMATIONS_PATH}/${encodeURIComponent(automation)}`

export class AutomationsApi {
  constructor(private readonly transport: HttpTransport) {}

  /** The automations the key can see, by id: `await` for a page, `for await` for all. */
  list(filters: AutomationFilters = {}): PaginatedList<AutomationsPage, Automation> {
    const { idempotencyKey: _unused, timeoutMs, signal, headers, cursor: first, ...query } = filters
    return new PaginatedList({
      fetchPage: async (cursor) => {
        const response = await this.transport.request<AutomationsPage>({
          method: 'GET',
          path: AUTOMATIONS_PATH,
          query: { ...query, cursor: cursor ?? first },
          timeoutMs,
          signal,
          headers,
        })
        return response.body
      },
      itemsOf: (page) => page.automations,
      nextCursorOf: (page) => (page.has_more && page.next_cursor ? page.next_cursor : undefined),
    })
  }

  /** One automation, by id or by its workflow's path (`acme/nightly`). */
  async get(automation: string, options: RequestOptions = {}): Promise<Automation> {
    return (
      await this.transport.request<Automation>({
        ...options,
        method: 'GET',
        path: automationPath(automation),
      })
    ).body
  }

  /** Stops the automation firing until it is resumed. */
  pause(automation: string, options: RequestOptions = {}): Promise<Automation> {
    return this.post<Automation>(automation, 'pause', options)
  }

  /** Lets a paused automation fire again. */
  resume(automation: string, options: RequestOptions = {}): Promise<Automation> {
    return this.post<Automation>(automation, 'resume', options)
  }

  /**
   * Reconciles the automation from its workflow's latest released definition (live once
   * promoted, else draft) and answers what changed. This does not enqueue executions.
   */
  sync(automation: string, options: RequestOptions = {}): Promise<AutomationSyncResponse> {
    return this.post<AutomationSyncResponse>(automation, 'sync', options)
  }

  private async post<T>(automation: string, action: string, options: RequestOptions): Promise<T> {
    return (
      await this.transport.request<T>({
        ...options,
        method: 'POST',
        path: `${automationPath(automation)}/${action}`,
      })
    ).body
  }
}
