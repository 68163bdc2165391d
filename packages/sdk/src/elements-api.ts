// client.elements: create, get, list, update, delete and call any operation by name, for
// every element type; and ElementHandle, the base of the typed per-type helpers.

import { type CallOptions, callOperation } from './call-operation.ts'
import { elementUrl } from './element-paths.ts'
import type { HttpTransport, RequestOptions } from './http-transport.ts'
import { PaginatedList } from './paginated-list.ts'
import { SourceHandle } from './source-api.ts'
import type {
  CreateElementInput,
  DeletedElement,
  Element,
  ElementChildrenPage,
  UpdateElementInput,
} from './types.ts'

export interface ListChildrenOptions extends RequestOptions {
  element_type?: string | undefined
  /** Page size (server default 100, max 1000). */
  limit?: number | undefined
  offset?: number | undefined
}

export class ElementsApi {
  constructor(private readonly transport: HttpTransport) {}

  /** Creates a child of `parentPath` (a circle or project); `''` creates a circle. */
  async create(
    parentPath: string,
    input: CreateElementInput,
    options: RequestOptions = {},
  ): Promise<Element> {
    const response = await this.transport.request<Element>({
      ...options,
      method: 'POST',
      path: elementUrl(parentPath),
      body: input,
    })
    return response.body
  }

  async get(path: string, options: RequestOptions = {}): Promise<Element> {
    return (await this.transport.request<Element>({ ...options, method: 'GET', path: elementUrl(path) })).body
  }

  /**
   * Direct children of `parentPath` (the generic `children` operation): `await` for one page,
   * `for await` for every child across pages.
   */
  list(parentPath: string, options: ListChildrenOptions = {}): PaginatedList<ElementChildrenPage, Element> {
    const { element_type, limit, offset, ...request } = options
    return new PaginatedList({
      fetchPage: async (cursor) => {
        const response = await this.transport.request<ElementChildrenPage>({
          ...request,
          method: 'GET',
          path: elementUrl(parentPath, 'children'),
          query: { element_type, limit, offset: cursor ?? offset },
        })
        return response.body
      },
      itemsOf: (page) => page.children,
      nextCursorOf: (page) => {
        const next = page.offset + page.children.length
        return page.children.length > 0 && next < page.total ? String(next) : undefined
      },
    })
  }

  /** Deep-merges `patch.spec` (a new version every time); `expected_version` for compare-and-set. */
  async update(path: string, patch: UpdateElementInput, options: RequestOptions = {}): Promise<Element> {
    const response = await this.transport.request<Element>({
      ...options,
      method: 'PATCH',
      path: elementUrl(path),
      body: patch,
    })
    return response.body
  }

  /** Soft-deletes (the server wants `{"confirm": true}`, which this sends). */
  async delete(path: string, options: RequestOptions = {}): Promise<DeletedElement> {
    const response = await this.transport.request<DeletedElement>({
      ...options,
      method: 'DELETE',
      path: elementUrl(path),
      body: { confirm: true },
    })
    return response.body
  }

  /** Any operation by name: `call('acme/greeting', 'version', { history: true })`. */
  call<T = unknown>(path: string, operation: string, input?: unknown, options?: CallOptions): Promise<T> {
    return callOperation<T>(this.transport, path, operation, input, options)
  }
}

/** One element by path; per-type helpers (python, and later cookieJar, websocket) extend it. */
export class ElementHandle {
  constructor(
    protected readonly transport: HttpTransport,
    readonly path: string,
  ) {}

  get(options: RequestOptions = {}): Promise<Element> {
    return new ElementsApi(this.transport).get(this.path, options)
  }

  update(patch: UpdateElementInput, options: RequestOptions = {}): Promise<Element> {
    return new ElementsApi(this.transport).update(this.path, patch, options)
  }

  delete(options: RequestOptions = {}): Promise<DeletedElement> {
    return new ElementsApi(this.transport).delete(this.path, options)
  }

  call<T = unknown>(operation: string, input?: unknown, options?: CallOptions): Promise<T> {
    return callOperation<T>(this.transport, this.path, operation, input, options)
  }

  /** The element's Source (Git) repository: files, branches, promotion, bundles. */
  get source(): SourceHandle {
    return new SourceHandle(this.transport, this.path)
  }
}

export { type CallOptions, callOperation }
