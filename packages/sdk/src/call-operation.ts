// Calling one element operation by name: the path, the method, and where the input goes.
import { elementUrl } from './element-paths.ts'
import type { HttpMethod, HttpTransport, Query, RequestOptions } from './http-transport.ts'

export interface CallOptions extends RequestOptions {
  /** Default: GET when there is no input, else POST. */
  method?: HttpMethod | undefined
  /** Extra query parameters (POST operations read `wait_for_completion` from here). */
  query?: Query | undefined
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
