// The client's options and how they are resolved: the argument wins, then PERIODIC_API_KEY /
// PERIODIC_BASE_URL from the environment, then the defaults.
import { DEFAULT_RETRY_TIMING, type RetryTiming } from './retry-policy.ts'

export const DEFAULT_BASE_URL = 'http://127.0.0.1:8420'
export const DEFAULT_TIMEOUT_MS = 60_000
export const DEFAULT_MAX_RETRIES = 2

export type FetchFunction = (input: string, init: RequestInit) => Promise<Response>

export interface PeriodicClientOptions {
  /** Bearer key; falls back to `PERIODIC_API_KEY`. */
  apiKey?: string | undefined
  /** Server address; falls back to `PERIODIC_BASE_URL`, then `http://127.0.0.1:8420`. */
  baseUrl?: string | undefined
  /** Per-request timeout (long polls extend it by their own wait). Default 60 000. */
  timeoutMs?: number | undefined
  /** Retries after the first attempt for retryable failures. Default 2. */
  maxRetries?: number | undefined
  /** Backoff tuning; mostly for tests. */
  retryTiming?: Partial<RetryTiming> | undefined
  /** Headers sent with every request. */
  headers?: Record<string, string> | undefined
  /** A fetch implementation; defaults to the global one. */
  fetch?: FetchFunction | undefined
}

export interface ResolvedClientOptions {
  apiKey: string | undefined
  baseUrl: string
  timeoutMs: number
  maxRetries: number
  retryTiming: RetryTiming
  headers: Record<string, string>
  fetch: FetchFunction
}

/** The environment when there is one (Node, Bun, Deno with --allow-env); never required. */
function environment(): Record<string, string | undefined> {
  const proc = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process
  return proc?.env ?? {}
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value
}

function nonNegative(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) throw new TypeError(`${name} must be a number >= 0`)
  return value
}

export function resolveClientOptions(options: PeriodicClientOptions = {}): ResolvedClientOptions {
  const env = environment()
  const baseUrl = nonEmpty(options.baseUrl) ?? nonEmpty(env['PERIODIC_BASE_URL']) ?? DEFAULT_BASE_URL
  try {
    new URL(baseUrl)
  } catch {
    throw new TypeError(`baseUrl is not a valid URL: ${baseUrl}`)
  }
  if (!options.fetch && typeof globalThis.fetch !== 'function')
    throw new TypeError('no global fetch: pass options.fetch')
  // Wrapped so the global is never called with another `this` (browsers refuse that).
  const fetchImpl: FetchFunction = options.fetch ?? ((input, init) => globalThis.fetch(input, init))
  return {
    apiKey: nonEmpty(options.apiKey) ?? nonEmpty(env['PERIODIC_API_KEY']),
    baseUrl: baseUrl.replace(/\/+$/, ''),
    timeoutMs: nonNegative('timeoutMs', options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    maxRetries: Math.floor(nonNegative('maxRetries', options.maxRetries ?? DEFAULT_MAX_RETRIES)),
    retryTiming: { ...DEFAULT_RETRY_TIMING, ...options.retryTiming },
    headers: { ...options.headers },
    fetch: fetchImpl,
  }
}
