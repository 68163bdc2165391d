// Per-alias message rate on this node: a token bucket holding a minute's allowance, refilled
// continuously, so a burst up to the limit passes and the next waits for a token. In memory:
// with several nodes each admits its own share (a sender retries a 451 anyway).
const MAX_BUCKETS = 100_000

export class AliasRateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>()

  constructor(private readonly now: () => number = Date.now) {}

  /** True (and one token taken) when alias `id` may receive one more message now. */
  admit(id: string, perMinute: number): boolean {
    const t = this.now()
    const b = this.buckets.get(id) ?? { tokens: perMinute, at: t }
    b.tokens = Math.min(perMinute, b.tokens + ((t - b.at) / 60_000) * perMinute)
    b.at = t
    if (this.buckets.size >= MAX_BUCKETS && !this.buckets.has(id)) this.buckets.clear()
    this.buckets.set(id, b)
    if (b.tokens < 1) return false
    b.tokens -= 1
    return true
  }
}
