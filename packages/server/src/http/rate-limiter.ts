// The per-key rate limit (`--rate-limit`): one token bucket per API key, checked right after
// authentication so every authenticated route counts. The bootstrap admin key is exempt: it is
// the operator's way in while an application key is misbehaving.
import type { Actor } from '../auth/actor.ts'
import { E, PlatformError } from '../errors.ts'
import { type BucketLimit, TokenBuckets } from '../limits/token-bucket.ts'

export interface KeyRateLimit {
  /** Requests per second per key; 0 turns the limit off. */
  perSecond: number
  burst: number
}

export class KeyRateLimiter {
  private readonly limit: BucketLimit

  constructor(
    config: KeyRateLimit,
    private readonly buckets: TokenBuckets = new TokenBuckets(),
  ) {
    this.limit = { rate: config.perSecond, burst: config.burst }
  }

  /** Throws RATE_LIMITED when `actor`'s key has no token left. */
  admit(actor: Actor): void {
    if (this.limit.rate <= 0 || actor.platformAdmin) return
    const r = this.buckets.take(actor.keyId, this.limit)
    if (r.allowed) return
    throw new PlatformError(
      E.RATE_LIMITED,
      `this API key is over its rate limit (${this.limit.rate}/s, burst ${this.limit.burst}); retry in ${Math.ceil(r.retryAfterMs / 1000)} s`,
      {
        limit: { rate: this.limit.rate, burst: this.limit.burst, scope: 'key' },
        retry_after_ms: r.retryAfterMs,
      },
    )
  }
}
