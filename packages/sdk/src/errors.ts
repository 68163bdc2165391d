// The errors the client throws: one PeriodicError base carrying the server's envelope, and one
// subclass per kind of failure a caller may want to catch on its own.

/** The server's error body: `{"error": {code, message, class, retryable, details}, "request_id"}`. */
export interface ErrorEnvelope {
  error: {
    code: string
    message: string
    class?: string
    retryable?: boolean
    details?: Record<string, unknown>
  }
  request_id?: string
}

export interface PeriodicErrorInit {
  status?: number | undefined
  code: string
  requestId?: string | undefined
  envelope?: ErrorEnvelope | undefined
  cause?: unknown
}

export class PeriodicError extends Error {
  /** HTTP status; undefined when no response arrived (timeouts, connection failures). */
  readonly status: number | undefined
  /** The catalogue code (`VERSION_CONFLICT`, `AUTH_INVALID`, …) or a client code (`TIMEOUT`). */
  readonly code: string
  /** The `x-request-id` response header, else the body's `request_id`. */
  readonly requestId: string | undefined
  /** The parsed error body when the server sent one. */
  readonly envelope: ErrorEnvelope | undefined

  constructor(message: string, init: PeriodicErrorInit) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause })
    this.name = new.target.name
    this.status = init.status
    this.code = init.code
    this.requestId = init.requestId
    this.envelope = init.envelope
  }

  /** The envelope's `details`, or an empty object. */
  get details(): Record<string, unknown> {
    return this.envelope?.error.details ?? {}
  }

  /** The server's own verdict on whether retrying can help, when it gave one. */
  get retryable(): boolean | undefined {
    return this.envelope?.error.retryable
  }
}

/** 400 (and 422): the request is malformed or breaks a rule; `details.field` often names the field. */
export class ValidationError extends PeriodicError {}
/** 401: no key, or an unknown or revoked key. */
export class AuthError extends PeriodicError {}
/** 403: the key lacks a scope; `details.required_scope` names it. */
export class ForbiddenError extends PeriodicError {}
/** 404: no such element, run or route — or one the key's circle cannot see. */
export class NotFoundError extends PeriodicError {}
/** 409: a slug taken, a stale `expected_version`, a disabled element, … */
export class ConflictError extends PeriodicError {}
/** 5xx: the server failed; retried automatically when the server says it may help. */
export class ServerError extends PeriodicError {}

/** 429: over a rate limit. `retryAfter` is the server's `Retry-After`, in seconds. */
export class RateLimitError extends PeriodicError {
  readonly retryAfter: number | undefined

  constructor(message: string, init: PeriodicErrorInit & { retryAfter?: number | undefined }) {
    super(message, init)
    this.retryAfter = init.retryAfter
  }
}

/** The request took longer than the client's `timeoutMs` (or a wait's deadline passed). */
export class TimeoutError extends PeriodicError {
  constructor(message: string, init: Partial<PeriodicErrorInit> = {}) {
    super(message, { ...init, code: init.code ?? 'TIMEOUT' })
  }
}

/** No HTTP response at all: connection refused or reset, DNS failure, TLS failure. */
export class ConnectionError extends PeriodicError {
  constructor(message: string, init: Partial<PeriodicErrorInit> = {}) {
    super(message, { ...init, code: init.code ?? 'CONNECTION_ERROR' })
  }
}

export function isErrorEnvelope(body: unknown): body is ErrorEnvelope {
  if (typeof body !== 'object' || body === null) return false
  const error = (body as { error?: unknown }).error
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { code?: unknown }).code === 'string' &&
    typeof (error as { message?: unknown }).message === 'string'
  )
}

/** `Retry-After` as seconds: either delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined
  const seconds = Number(value)
  if (Number.isFinite(seconds)) return Math.max(0, seconds)
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, (date - now) / 1000)
}

/** Builds the error for a non-2xx response from its status, headers and (parsed) body. */
export function errorFromResponse(status: number, headers: Headers, body: unknown): PeriodicError {
  const envelope = isErrorEnvelope(body) ? body : undefined
  const requestId = headers.get('x-request-id') ?? envelope?.request_id
  const code = envelope?.error.code ?? `HTTP_${status}`
  const message = envelope
    ? `${envelope.error.code}: ${envelope.error.message}`
    : `HTTP ${status}${typeof body === 'string' && body ? `: ${body.slice(0, 200)}` : ''}`
  const init: PeriodicErrorInit = { status, code, requestId, envelope }
  if (status === 400 || status === 422) return new ValidationError(message, init)
  if (status === 401) return new AuthError(message, init)
  if (status === 403) return new ForbiddenError(message, init)
  if (status === 404) return new NotFoundError(message, init)
  if (status === 409) return new ConflictError(message, init)
  if (status === 429)
    return new RateLimitError(message, { ...init, retryAfter: parseRetryAfter(headers.get('retry-after')) })
  if (status >= 500) return new ServerError(message, init)
  return new PeriodicError(message, init)
}
