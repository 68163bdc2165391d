// The DSL's retry policies: how long before attempt n + 1, and whether attempts are left.
import type { JsonObject } from '../storage/storage.ts'
import { durationMs } from './dsl-schedule.ts'

export interface RetryPolicy {
  delayMs: number
  backoff: 'constant' | 'linear' | 'exponential'
  /** Retries allowed after the first attempt (limit.attempt.count counts every attempt). */
  maxAttempts: number
  /** Time allowed across every attempt, from the first. */
  maxDurationMs: number
  jitterFromMs: number
  jitterToMs: number
  when?: string
  exceptWhen?: string
}

/** The hard ceiling on attempts when a policy sets no limit (a documented bound). */
export const MAX_RETRY_ATTEMPTS = 100

export function retryPolicyOf(p: JsonObject): RetryPolicy {
  const backoff = (p['backoff'] ?? {}) as JsonObject
  const limit = (p['limit'] ?? {}) as JsonObject
  const attempt = (limit['attempt'] ?? {}) as JsonObject
  const jitter = (p['jitter'] ?? {}) as JsonObject
  const count = typeof attempt['count'] === 'number' ? attempt['count'] : MAX_RETRY_ATTEMPTS
  return {
    delayMs: durationMs(p['delay']) ?? 0,
    backoff: 'exponential' in backoff ? 'exponential' : 'linear' in backoff ? 'linear' : 'constant',
    maxAttempts: Math.max(1, Math.min(count, MAX_RETRY_ATTEMPTS)),
    maxDurationMs: durationMs(limit['duration']) ?? Number.POSITIVE_INFINITY,
    jitterFromMs: durationMs(jitter['from']) ?? 0,
    jitterToMs: durationMs(jitter['to']) ?? 0,
    ...(typeof p['when'] === 'string' ? { when: p['when'] } : {}),
    ...(typeof p['exceptWhen'] === 'string' ? { exceptWhen: p['exceptWhen'] } : {}),
  }
}

/** Milliseconds to wait after failed attempt `attempt` (1-based) before the next one. */
export function retryDelayMs(p: RetryPolicy, attempt: number, random = Math.random): number {
  const base =
    p.backoff === 'exponential'
      ? p.delayMs * 2 ** (attempt - 1)
      : p.backoff === 'linear'
        ? p.delayMs * attempt
        : p.delayMs
  const jitter =
    p.jitterToMs > p.jitterFromMs ? p.jitterFromMs + random() * (p.jitterToMs - p.jitterFromMs) : 0
  return Math.round(base + jitter)
}
