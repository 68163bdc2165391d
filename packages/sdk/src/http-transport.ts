// Sends one API call: builds the URL and headers, applies the timeout, turns failures into
// PeriodicError subclasses and retries the retryable ones with one Idempotency-Key per call.
import type { ResolvedClientOptions } from './client-options.ts'
import { ConnectionError, errorFromResponse, PeriodicError, parseRetryAfter, TimeoutError } from './errors.ts'
import { isRetryable, retryDelayMs } from './retry-policy.ts'

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
export type QueryValue = string | number | boolean | null | undefined | readonly string[]
export type Query = Record<string, QueryValue>

export interface RequestOptions {
  /** Sent as `Idempotency-Key` on every attempt of a non-GET call; one is made when absent. */
  idempotencyKey?: string | undefined
  /** Overrides the client's timeout for this call. */
  timeoutMs?: number | undefined
  /** Aborts the call (and any wait between retries). */
  signal?: AbortSignal | undefined
  headers?: Record<string, string> | undefined
}

export interface RequestSpec extends RequestOptions {
  method: HttpMethod
  /** Starts with `/`; already percent-encoded. */
  path: string
  query?: Query | undefined
  /** JSON-encoded when present; a FormData is sent as multipart/form-data. */
  body?: unknown
}

export interface ApiResponse<T> {
  status: number
  headers: Headers
  body: T
  requestId: string | undefined
}

type Attempt =
  | { ok: true; response: Response; body?: unknown }
  | { ok: false; error: PeriodicError; retryAfter?: number | undefined }

const isFormData = (body: unknown): body is FormData =>
  typeof FormData !== 'undefined' && body instanceof FormData

function newIdempotencyKey(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto
  if (c?.randomUUID) return c.randomUUID()
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal?.reason)
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text()
  if (text === '') return undefined
  if (!(response.headers.get('content-type') ?? '').includes('json')) return text
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

function describeCause(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause
  if (typeof cause?.code === 'string') return cause.code
  if (typeof cause?.message === 'string') return cause.message
  return error instanceof Error ? error.message : String(error)
}

export class HttpTransport {
  constructor(readonly options: ResolvedClientOptions) {}

  url(path: string, query?: Query): string {
    const params = new URLSearchParams()
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value === undefined || value === null) continue
      params.append(name, Array.isArray(value) ? value.join(',') : String(value))
    }
    const search = params.toString()
    return `${this.options.baseUrl}${path}${search ? `?${search}` : ''}`
  }

  /** One call with retries; the body is read and parsed (JSON when the server says so). */
  async request<T>(spec: RequestSpec): Promise<ApiResponse<T>> {
    const { response, body } = await this.send(spec, true)
    return {
      status: response.status,
      headers: response.headers,
      body: body as T,
      requestId: response.headers.get('x-request-id') ?? undefined,
    }
  }

  /**
   * One call with retries up to the response headers; the body is left for the caller to read
   * as a stream, and the timeout no longer applies once headers arrived.
   */
  async open(spec: RequestSpec): Promise<Response> {
    return (await this.send(spec, false)).response
  }

  private async send(
    spec: RequestSpec,
    bufferBody: boolean,
  ): Promise<{ response: Response; body?: unknown }> {
    const url = this.url(spec.path, spec.query)
    const idempotencyKey = spec.method === 'GET' ? undefined : (spec.idempotencyKey ?? newIdempotencyKey())
    for (let attempt = 0; ; attempt++) {
      const result = await this.attempt(url, spec, idempotencyKey, bufferBody)
      if (result.ok) return result
      const { error } = result
      if (attempt >= this.options.maxRetries || !isRetryable(error)) throw error
      const delay = retryDelayMs(attempt, result.retryAfter, this.options.retryTiming)
      if (delay === undefined) throw error
      await sleep(delay, spec.signal)
    }
  }

  private headersFor(spec: RequestSpec, idempotencyKey: string | undefined): Record<string, string> {
    // x-periodic-client: runs record how they were started (`source`); the CLI says `cli`.
    const headers: Record<string, string> = {
      accept: 'application/json',
      'x-periodic-client': 'sdk',
      ...this.options.headers,
    }
    if (this.options.apiKey) headers['authorization'] = `Bearer ${this.options.apiKey}`
    // fetch sets multipart/form-data with its boundary itself.
    if (spec.body !== undefined && !isFormData(spec.body)) headers['content-type'] = 'application/json'
    if (idempotencyKey) headers['idempotency-key'] = idempotencyKey
    return { ...headers, ...spec.headers }
  }

  private async attempt(
    url: string,
    spec: RequestSpec,
    idempotencyKey: string | undefined,
    bufferBody: boolean,
  ): Promise<Attempt> {
    const timeoutMs = spec.timeoutMs ?? this.options.timeoutMs
    const controller = new AbortController()
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      controller.abort()
    }, timeoutMs)
    const onAbort = () => controller.abort(spec.signal?.reason)
    spec.signal?.addEventListener('abort', onAbort, { once: true })
    if (spec.signal?.aborted) onAbort()
    // A stream handed to the caller stays tied to the caller's signal after this returns.
    let streaming = false
    try {
      const response = await this.options.fetch(url, {
        method: spec.method,
        headers: this.headersFor(spec, idempotencyKey),
        body: spec.body === undefined || isFormData(spec.body) ? spec.body : JSON.stringify(spec.body),
        signal: controller.signal,
      })
      if (response.ok) {
        if (bufferBody) return { ok: true, response, body: await readBody(response) }
        streaming = true
        return { ok: true, response }
      }
      const body = await readBody(response)
      return {
        ok: false,
        error: errorFromResponse(response.status, response.headers, body),
        retryAfter: parseRetryAfter(response.headers.get('retry-after')),
      }
    } catch (error) {
      if (timedOut) {
        return {
          ok: false,
          error: new TimeoutError(`${spec.method} ${spec.path} took longer than ${timeoutMs} ms`, {
            cause: error,
          }),
        }
      }
      if (spec.signal?.aborted) throw spec.signal.reason
      if (error instanceof PeriodicError) throw error
      return {
        ok: false,
        error: new ConnectionError(`cannot reach ${this.options.baseUrl}: ${describeCause(error)}`, {
          cause: error,
        }),
      }
    } finally {
      clearTimeout(timer)
      if (!streaming) spec.signal?.removeEventListener('abort', onAbort)
    }
  }
}
