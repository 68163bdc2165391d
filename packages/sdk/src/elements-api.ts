// client.elements: create, get, list, update, delete and call any operation by name, for
// every element type; and ElementHandle, the base of the typed per-type helpers.
import { elementUrl } from './element-paths.ts'
import type { HttpMethod, HttpTransport, Query, RequestOptions } from './http-transport.ts'
import { PaginatedList } from './paginated-list.ts'
import type {
  CreateElementInput,
  DeletedElement,
  Element,
  ElementChildrenPage,
  UpdateElementInput,
} from './types.ts'

export interface CallOptions extends RequestOptions {
  /** Default: GET when there is no input, else POST. */
  method?: HttpMethod | undefined
  /** Extra query parameters (POST operations read `wait_for_completion` from here). */
  query?: Query | undefined
}

export interface ListChildrenOptions extends RequestOptions {
  element_type?: string | undefined
  /** Page size (server default 100, max 1000). */
  limit?: number | undefined
  offset?: number | undefined
}

/** Calls one operation; for GET (and DELETE without a body) the input goes in the query. */
export async function callOperation<T>(
  transport: HttpTransport,
  path: string,
  operation: string,
  input: unknown,
  options: CallOptions = {},
): Promise<T> {
  const { method: given, query, ...request } = options
  const method = given ?? (input === undefined ? 'GET' : 'POST')
  const inQuery = method === 'GET'
  const response = await transport.request<T>({
    ...request,
    method,
    path: elementUrl(path, operation),
    query: inQuery ? { ...(input as Query | undefined), ...query } : query,
    body: inQuery ? undefined : input,
  })
  return response.body
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
}
