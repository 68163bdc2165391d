// What is retried, and the waits between attempts.
import { describe, expect, it } from 'vitest'
import { ConnectionError, errorFromResponse, parseRetryAfter, TimeoutError } from './errors.ts'
import { DEFAULT_RETRY_TIMING, isRetryable, retryDelayMs } from './retry-policy.ts'

const errorFor = (status: number, code?: string, retryable?: boolean) =>
  errorFromResponse(
    status,
    new Headers(),
    code ? { error: { code, message: 'm', ...(retryable === undefined ? {} : { retryable }) } } : undefined,
  )

describe('isRetryable', () => {
  it('retries 408, 409, 429, 5xx and connection failures; not other 4xx nor timeouts', () => {
    for (const status of [408, 409, 429, 500, 502, 503, 504])
      expect(isRetryable(errorFor(status)), `${status}`).toBe(true)
    for (const status of [400, 401, 403, 404, 413, 422])
      expect(isRetryable(errorFor(status)), `${status}`).toBe(false)
    expect(isRetryable(new ConnectionError('refused'))).toBe(true)
    expect(isRetryable(new TimeoutError('slow'))).toBe(false)
  })

  it('never retries a compare-and-set conflict', () => {
    expect(isRetryable(errorFor(409, 'VERSION_CONFLICT'))).toBe(false)
    expect(isRetryable(errorFor(409, 'JAR_VERSION_CONFLICT', true))).toBe(false)
    expect(isRetryable(errorFor(409, 'IDEMPOTENCY_KEY_IN_USE', true))).toBe(true)
  })

  it('lets the server’s retryable: false win over the status', () => {
    expect(isRetryable(errorFor(500, 'PYTHON_RUNTIME_ERROR', false))).toBe(false)
    expect(isRetryable(errorFor(409, 'SLUG_TAKEN', false))).toBe(false)
    expect(isRetryable(errorFor(503, 'STORAGE_UNAVAILABLE', true))).toBe(true)
  })
})

describe('retryDelayMs', () => {
  it('doubles per attempt with jitter between half and all of the step, up to the cap', () => {
    expect(retryDelayMs(0, undefined, DEFAULT_RETRY_TIMING, () => 0)).toBe(250)
    expect(retryDelayMs(0, undefined, DEFAULT_RETRY_TIMING, () => 1)).toBe(500)
    expect(retryDelayMs(2, undefined, DEFAULT_RETRY_TIMING, () => 1)).toBe(2000)
    expect(retryDelayMs(20, undefined, DEFAULT_RETRY_TIMING, () => 1)).toBe(8000)
  })

  it('uses Retry-After when given, and refuses to wait longer than a minute', () => {
    expect(retryDelayMs(5, 2)).toBe(2000)
    expect(retryDelayMs(0, 0)).toBe(0)
    expect(retryDelayMs(0, 61)).toBeUndefined()
  })
})

describe('parseRetryAfter', () => {
  it('reads delta-seconds and HTTP dates', () => {
    expect(parseRetryAfter('3')).toBe(3)
    expect(parseRetryAfter(null)).toBeUndefined()
    expect(parseRetryAfter('soon')).toBeUndefined()
    const now = Date.parse('2026-01-01T00:00:00Z')
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:10 GMT', now)).toBe(10)
  })
})
