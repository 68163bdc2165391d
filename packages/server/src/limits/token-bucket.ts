// Token buckets kept in memory, one per key, with an injected clock so tests never sleep.
// Single node only: every API node keeps its own buckets (documented in docs/limits.md).

/** A bucket holds up to `burst` tokens and refills at `rate` tokens per second. */
export interface BucketLimit {
  rate: number
  burst: number
}

export interface BucketState {
  tokens: number
  /** Clock reading (ms) when `tokens` was last computed. */
  at: number
}

export type TakeResult = { allowed: true; remaining: number } | { allowed: false; retryAfterMs: number }

/** Pure: the bucket after refilling to `now` and trying to take one token. */
export function takeToken(
  state: BucketState | undefined,
  limit: BucketLimit,
  now: number,
): { state: BucketState; result: TakeResult } {
  const elapsed = state ? Math.max(0, now - state.at) : 0
  const tokens = state ? Math.min(limit.burst, state.tokens + (elapsed * limit.rate) / 1000) : limit.burst
  if (tokens >= 1) {
    return {
      state: { tokens: tokens - 1, at: now },
      result: { allowed: true, remaining: Math.floor(tokens - 1) },
    }
  }
  const retryAfterMs = Math.max(1, Math.ceil(((1 - tokens) * 1000) / limit.rate))
  return { state: { tokens, at: now }, result: { allowed: false, retryAfterMs } }
}

/**
 * Buckets by key, least recently used evicted beyond `maxKeys` (an evicted bucket comes back
 * full, which only ever errs towards letting a request through).
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, BucketState>()

  constructor(
    private readonly now: () => number = () => performance.now(),
    private readonly maxKeys = 100_000,
  ) {}

  take(key: string, limit: BucketLimit): TakeResult {
    const prior = this.buckets.get(key)
    const { state, result } = takeToken(prior, limit, this.now())
    // Re-inserting keeps Map order = recency order, so the first key is the least recent.
    if (prior) this.buckets.delete(key)
    this.buckets.set(key, state)
    if (this.buckets.size > this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!)
    return result
  }

  get size(): number {
    return this.buckets.size
  }
}
