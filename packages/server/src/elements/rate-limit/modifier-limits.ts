// Enforces the rate-limit elements attached to a target: one token from each enabled limit per
// type operation call or run start, else 429 RATE_LIMITED. Buckets live in memory (one node).

import type { Actor } from '../../auth/actor.ts'
import { E, PlatformError } from '../../errors.ts'
import { type BucketLimit, TokenBuckets } from '../../limits/token-bucket.ts'
import type { ElementRow, JsonObject } from '../../storage/storage.ts'
import type { ElementsPort } from '../element.ts'
import { rateLimitType } from './definition.ts'

interface AttachedLimit extends BucketLimit {
  bucket: string
  element: ElementRow
  per: 'key' | 'circle'
}

export class RateLimitModifiers {
  constructor(
    private readonly elements: ElementsPort,
    private readonly buckets: TokenBuckets = new TokenBuckets(),
  ) {}

  /** Takes a token from every enabled rate limit on `target`; throws RATE_LIMITED when one is empty. */
  async admit(target: ElementRow, actor: Actor): Promise<void> {
    const limits = await this.attachedLimits(target, actor)
    // Check every bucket before failing so the answer names the longest wait.
    let refused: { limit: AttachedLimit; retryAfterMs: number } | undefined
    for (const limit of limits) {
      const r = this.buckets.take(limit.bucket, limit)
      if (!r.allowed && (!refused || r.retryAfterMs > refused.retryAfterMs))
        refused = { limit, retryAfterMs: r.retryAfterMs }
    }
    if (!refused) return
    const { limit, retryAfterMs } = refused
    throw new PlatformError(
      E.RATE_LIMITED,
      `"${target.slug}" is rate limited by "${limit.element.slug}" (${limit.rate}/s, burst ${limit.burst}, per ${limit.per}); retry in ${Math.ceil(retryAfterMs / 1000)} s`,
      {
        limit: { rate: limit.rate, burst: limit.burst, per: limit.per, scope: 'element' },
        rate_limit_id: limit.element.id,
        rate_limit: limit.element.slug,
        retry_after_ms: retryAfterMs,
      },
    )
  }

  private async attachedLimits(target: ElementRow, actor: Actor): Promise<AttachedLimit[]> {
    const records = this.elements.records
    const out: AttachedLimit[] = []
    for (const a of await records.listAttachments({ targetId: target.id })) {
      const source = await records.getElement(a.source_id)
      if (!source || source.element_type !== rateLimitType.type || !source.enabled) continue
      let spec: JsonObject = source.spec
      let version = source.version
      if (a.version_pin !== null) {
        const pinned = await records.getVersion(source.id, a.version_pin)
        if (pinned) {
          spec = pinned.spec
          version = pinned.version
        }
      }
      const per = spec['per'] === 'circle' ? 'circle' : 'key'
      const who = per === 'key' ? `key:${actor.keyId}` : `circle:${target.circle_id}`
      out.push({
        rate: Number(spec['rate']),
        burst: Number(spec['burst']),
        per,
        element: source,
        // The version is in the key so an edited limit starts from a full bucket.
        bucket: `${source.id}@${version}|${target.id}|${who}`,
      })
    }
    return out
  }
}
