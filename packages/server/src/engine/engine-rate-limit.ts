// The per-key rate limit on calls workers make (`--engine-rate-limit`): one token bucket per API
// key, shared by every connection of that key, checked on each invokefunction of the API-key
// worker port. A call over the limit is answered with RATE_LIMITED in the iii error shape; the
// connection stays open. The bootstrap admin key is exempt, as on HTTP.
import { type BucketLimit, TokenBuckets } from '../limits/token-bucket.ts'
import { EngineError } from './engine-error.ts'
import type { EngineCaller } from './worker-connection.ts'

/** The keyId the Authenticator gives the bootstrap admin key. */
const ADMIN_KEY_ID = 'platform-admin'

export interface EngineRateLimitConfig {
  /** Calls per second per key; 0 turns the limit off. */
  perSecond: number
  burst: number
}

export class EngineRateLimit {
  private readonly limit: BucketLimit

  constructor(
    config: EngineRateLimitConfig,
    private readonly buckets: TokenBuckets = new TokenBuckets(),
  ) {
    this.limit = { rate: config.perSecond, burst: config.burst }
  }

  /** null when the call may go ahead, else the error to answer it with. */
  admit(caller: EngineCaller): EngineError | null {
    if (this.limit.rate <= 0 || caller.keyId === ADMIN_KEY_ID) return null
    const r = this.buckets.take(caller.keyId, this.limit)
    if (r.allowed) return null
    return new EngineError(
      'RATE_LIMITED',
      `this API key is over its engine rate limit (${this.limit.rate}/s, burst ${this.limit.burst}); retry in ${r.retryAfterMs} ms`,
    )
  }
}
