// One error class for the whole platform, and the catalogue of platform-level codes.
// Element types declare their own codes with `defineErrorCodes` (see elements/element.ts);
// every code, platform or element, is registered here so a test can check the catalogue.

export type ErrorClass =
  | 'validation'
  | 'auth'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'limit'
  | 'unavailable'
  | 'timeout'
  | 'internal'

export interface ErrorCodeDef {
  code: string
  status: number
  class: ErrorClass
  retryable: boolean
  description: string
}

const catalogue = new Map<string, ErrorCodeDef>()

/** Registers codes; a duplicate code is a programming error and throws at import time. */
export function defineErrorCodes<const T extends Record<string, Omit<ErrorCodeDef, 'code'>>>(
  defs: T,
): { [K in keyof T]: ErrorCodeDef } {
  const out = {} as { [K in keyof T]: ErrorCodeDef }
  for (const [code, def] of Object.entries(defs)) {
    if (catalogue.has(code)) throw new Error(`error code ${code} is defined twice`)
    const full = { code, ...def }
    catalogue.set(code, full)
    ;(out as Record<string, ErrorCodeDef>)[code] = full
  }
  return out
}

/** The definition of a registered code (e.g. a run error's code, to answer it as an error). */
export function errorCodeDef(code: string): ErrorCodeDef | undefined {
  return catalogue.get(code)
}

/** Every code, sorted by name: module import order differs between the CLI and tests. */
export function errorCatalogue(): ErrorCodeDef[] {
  return [...catalogue.values()].sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0))
}

export class PlatformError extends Error {
  readonly code: string
  readonly status: number
  readonly class: ErrorClass
  readonly retryable: boolean
  readonly details: Record<string, unknown>

  constructor(def: ErrorCodeDef, message?: string, details: Record<string, unknown> = {}) {
    super(message ?? def.description)
    this.name = 'PlatformError'
    this.code = def.code
    this.status = def.status
    this.class = def.class
    this.retryable = def.retryable
    this.details = details
  }

  toJSON(): { code: string; message: string; class: ErrorClass; retryable: boolean; details: object } {
    return {
      code: this.code,
      message: this.message,
      class: this.class,
      retryable: this.retryable,
      details: this.details,
    }
  }
}

export const E = defineErrorCodes({
  INVALID_JSON: {
    status: 400,
    class: 'validation',
    retryable: false,
    description: 'The request body is not valid JSON.',
  },
  FORBIDDEN_KEY: {
    status: 400,
    class: 'validation',
    retryable: false,
    description: 'The body contains a `__proto__` or `constructor.prototype` key, which is refused.',
  },
  VALIDATION_FAILED: {
    status: 400,
    class: 'validation',
    retryable: false,
    description: 'The input does not match the schema or violates a rule; `details.field` names the field.',
  },
  INVALID_SLUG: {
    status: 400,
    class: 'validation',
    retryable: false,
    description:
      'Slugs are 1–63 characters of lower-case `a-z`, `0-9` and `-`, not starting or ending with `-`.',
  },
  SLUG_IMMUTABLE: {
    status: 400,
    class: 'validation',
    retryable: false,
    description: 'An element slug cannot be changed after creation.',
  },
  UNKNOWN_ELEMENT_TYPE: {
    status: 400,
    class: 'validation',
    retryable: false,
    description: 'The `element_type` is not registered; `details.known` lists the types.',
  },
  NOT_A_CONTAINER: {
    status: 400,
    class: 'validation',
    retryable: false,
    description: 'Children can only be created under a circle or a project.',
  },
  INVALID_CURSOR: {
    status: 400,
    class: 'validation',
    retryable: false,
    description: 'The pagination cursor is malformed or was issued for other filters.',
  },
  PAYLOAD_TOO_LARGE: {
    status: 413,
    class: 'limit',
    retryable: false,
    description: 'The request body exceeds the size limit.',
  },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    class: 'validation',
    retryable: false,
    description: 'The request content type is not supported; send application/json.',
  },
  AUTH_REQUIRED: {
    status: 401,
    class: 'auth',
    retryable: false,
    description: 'No `Authorization: Bearer <key>` header was sent.',
  },
  AUTH_INVALID: {
    status: 401,
    class: 'auth',
    retryable: false,
    description: 'The API key is unknown or revoked.',
  },
  FORBIDDEN: {
    status: 403,
    class: 'forbidden',
    retryable: false,
    description: 'The API key lacks the scope this operation needs; `details.required_scope` names it.',
  },
  NOT_FOUND: { status: 404, class: 'not_found', retryable: false, description: 'No such route.' },
  ELEMENT_NOT_FOUND: {
    status: 404,
    class: 'not_found',
    retryable: false,
    description: 'No element at this path in a circle the key can see.',
  },
  CIRCLE_NOT_FOUND: {
    status: 404,
    class: 'not_found',
    retryable: false,
    description: 'No such circle, or not one the key can see.',
  },
  OPERATION_NOT_FOUND: {
    status: 404,
    class: 'not_found',
    retryable: false,
    description: 'The element type has no such operation for this method; `details.operations` lists them.',
  },
  VERSION_NOT_FOUND: {
    status: 404,
    class: 'not_found',
    retryable: false,
    description: 'The element has no such version.',
  },
  ATTACHMENT_NOT_FOUND: {
    status: 404,
    class: 'not_found',
    retryable: false,
    description: 'No such attachment on this element.',
  },
  API_KEY_NOT_FOUND: {
    status: 404,
    class: 'not_found',
    retryable: false,
    description: 'No such API key in this circle.',
  },
  METHOD_NOT_ALLOWED: {
    status: 405,
    class: 'validation',
    retryable: false,
    description: 'The operation exists but not for this HTTP method.',
  },
  SLUG_TAKEN: {
    status: 409,
    class: 'conflict',
    retryable: false,
    description: 'An element with this slug already exists in the circle.',
  },
  VERSION_CONFLICT: {
    status: 409,
    class: 'conflict',
    retryable: false,
    description: '`expected_version` does not match the current version; `details.current_version` has it.',
  },
  CONFIRMATION_REQUIRED: {
    status: 400,
    class: 'validation',
    retryable: false,
    description: 'This destructive operation needs `{"confirm": true}`.',
  },
  ELEMENT_HAS_CHILDREN: {
    status: 409,
    class: 'conflict',
    retryable: false,
    description: 'The element still has children; delete them first.',
  },
  ELEMENT_HAS_ACTIVE_RUNS: {
    status: 409,
    class: 'conflict',
    retryable: true,
    description: 'The element has queued or running runs; cancel them or wait.',
  },
  ELEMENT_DISABLED: {
    status: 409,
    class: 'conflict',
    retryable: false,
    description: 'The element is disabled; enable it before using its operations.',
  },
  ATTACHMENT_EXISTS: {
    status: 409,
    class: 'conflict',
    retryable: false,
    description: 'This element is already attached to that target.',
  },
  INVALID_ATTACHMENT: {
    status: 400,
    class: 'validation',
    retryable: false,
    description: 'This attachment is not allowed (self, circle or cross-circle target).',
  },
  RATE_LIMITED: {
    status: 429,
    class: 'limit',
    retryable: true,
    description: 'Too many requests; retry after `Retry-After` seconds.',
  },
  EVENT_STREAMS_LIMIT: {
    status: 429,
    class: 'limit',
    retryable: true,
    description:
      'This API key already holds the most open event streams a key may (`details.limit`); close one first.',
  },
  STORAGE_UNAVAILABLE: {
    status: 503,
    class: 'unavailable',
    retryable: true,
    description: 'The database could not be reached.',
  },
  INTERNAL: {
    status: 500,
    class: 'internal',
    retryable: true,
    description: 'An unexpected error; the request id identifies it in the server log.',
  },
})

export function validationError(
  field: string,
  message: string,
  extra: Record<string, unknown> = {},
): PlatformError {
  return new PlatformError(E.VALIDATION_FAILED, `${field}: ${message}`, { field, ...extra })
}
