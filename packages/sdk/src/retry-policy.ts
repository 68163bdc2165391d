// When a failed request is tried again, and how long to wait first.
import { ConnectionError, type PeriodicError } from './errors.ts'

export interface RetryTiming {
  /** First backoff step; doubled per attempt. */
  baseDelayMs: number
  /** Cap on one computed backoff step. */
  maxDelayMs: number
  /** A `Retry-After` longer than this is not waited for: the error is thrown instead. */
  maxRetryAfterMs: number
}

export const DEFAULT_RETRY_TIMING: RetryTiming = {
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 60_000,
}

/**
 * 408, 409, 429, 5xx and connection failures are retried. The server's own `retryable: false`
 * wins over the status: a 500 `PYTHON_RUNTIME_ERROR` or a 409 `SLUG_TAKEN` fails the same way
 * every time, and retrying a handler error would run the handler again. Compare-and-set
 * conflicts (`VERSION_CONFLICT`, `JAR_VERSION_CONFLICT`, …) are never retried: the caller has
 * to re-read before writing.
 */
export function isRetryable(error: PeriodicError): boolean {
  if (error instanceof ConnectionError) return true
  const status = error.status
  if (status === undefined) return false
  if (!(status === 408 || status === 409 || status === 429 || status >= 500)) return false
  if (status === 409 && error.code.endsWith('VERSION_CONFLICT')) return false
  return error.retryable !== false
}

/**
 * The wait before retry number `attempt` (0-based): the server's `Retry-After` when it sent
 * one, else exponential backoff with jitter (between half and all of the step, so many
 * clients failing together do not retry together). Undefined means "do not retry".
 */
export function retryDelayMs(
  attempt: number,
  retryAfterSeconds: number | undefined,
  timing: RetryTiming = DEFAULT_RETRY_TIMING,
  random: () => number = Math.random,
): number | undefined {
  if (retryAfterSeconds !== undefined) {
    const ms = retryAfterSeconds * 1000
    return ms <= timing.maxRetryAfterMs ? ms : undefined
  }
  const step = Math.min(timing.maxDelayMs, timing.baseDelayMs * 2 ** attempt)
  return step / 2 + (random() * step) / 2
}
