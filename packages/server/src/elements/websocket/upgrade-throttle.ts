// Failed upgrade auth per client address: after `maxFailures` failed tokens, JWTs or tickets
// within `windowMs`, the address gets 429 WS_AUTH_THROTTLED on every credentialed upgrade for
// `blockMs` (before its token is even looked at); a successful auth clears its record. Without
// it a client could try thousands of tokens a second. Per node, in memory, like the rate limits.
import { isIPv6 } from 'node:net'

export interface ThrottleLimits {
  /** Failures within the window that start the back-off; 0 turns throttling off. */
  maxFailures: number
  windowMs: number
  blockMs: number
}

export const DEFAULT_THROTTLE: Omit<ThrottleLimits, 'maxFailures'> = { windowMs: 60_000, blockMs: 60_000 }

interface Record {
  failures: number
  /** When the current window started. */
  since: number
  /** Until when the address is refused (0: not blocked). */
  blockedUntil: number
}

/**
 * The address a record is kept under: an IPv4-mapped IPv6 address as its IPv4 form, any other
 * IPv6 address as its /64 (one host usually holds a whole /64 and could rotate within it).
 */
export function throttleKey(address: string): string {
  if (/^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(address)) return address.slice(7)
  if (!isIPv6(address)) return address
  const [head = '', tail = ''] = address.split('::')
  const left = head ? head.split(':') : []
  const right = address.includes('::') && tail ? tail.split(':') : []
  const groups = address.includes('::')
    ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right]
    : left
  return `${groups
    .slice(0, 4)
    .map((g) => Number.parseInt(g, 16).toString(16))
    .join(':')}::/64`
}

export class UpgradeThrottle {
  private readonly records = new Map<string, Record>()

  constructor(
    private readonly limits: ThrottleLimits,
    private readonly now: () => number = Date.now,
    private readonly maxAddresses = 100_000,
  ) {}

  /** Milliseconds the address must still wait, 0 when it may try. */
  blockedFor(address: string): number {
    if (this.limits.maxFailures <= 0) return 0
    const r = this.records.get(throttleKey(address))
    return r ? Math.max(0, r.blockedUntil - this.now()) : 0
  }

  failed(address: string): void {
    if (this.limits.maxFailures <= 0) return
    const key = throttleKey(address)
    const now = this.now()
    let r = this.records.get(key)
    if (!r || now - r.since > this.limits.windowMs || (r.blockedUntil && now >= r.blockedUntil))
      r = { failures: 0, since: now, blockedUntil: 0 }
    r.failures++
    if (r.failures >= this.limits.maxFailures) r.blockedUntil = now + this.limits.blockMs
    // Re-inserting keeps Map order = recency order, so the first key is the least recent.
    this.records.delete(key)
    this.records.set(key, r)
    if (this.records.size > this.maxAddresses) this.records.delete(this.records.keys().next().value!)
  }

  succeeded(address: string): void {
    this.records.delete(throttleKey(address))
  }
}
