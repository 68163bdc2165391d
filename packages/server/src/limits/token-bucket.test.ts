import { describe, expect, it } from 'vitest'
import { TokenBuckets, takeToken } from './token-bucket.ts'

function fakeClock(start = 1_000) {
  let t = start
  return { now: () => t, advance: (ms: number) => (t += ms) }
}

describe('token bucket', () => {
  it('starts full: allows `burst` calls at once, then refuses the next', () => {
    const clock = fakeClock()
    const b = new TokenBuckets(clock.now)
    const limit = { rate: 1, burst: 3 }
    expect([1, 2, 3].map(() => b.take('k', limit).allowed)).toEqual([true, true, true])
    expect(b.take('k', limit)).toEqual({ allowed: false, retryAfterMs: 1000 })
  })

  it('refills at `rate` tokens per second and never above `burst`', () => {
    const clock = fakeClock()
    const b = new TokenBuckets(clock.now)
    const limit = { rate: 2, burst: 2 }
    b.take('k', limit)
    b.take('k', limit)
    expect(b.take('k', limit)).toEqual({ allowed: false, retryAfterMs: 500 })
    clock.advance(250)
    expect(b.take('k', limit)).toEqual({ allowed: false, retryAfterMs: 250 })
    clock.advance(250)
    expect(b.take('k', limit).allowed).toBe(true)
    clock.advance(60_000)
    expect(b.take('k', limit)).toEqual({ allowed: true, remaining: 1 })
    expect(b.take('k', limit)).toEqual({ allowed: true, remaining: 0 })
    expect(b.take('k', limit).allowed).toBe(false)
  })

  it('keeps separate buckets per key', () => {
    const b = new TokenBuckets(fakeClock().now)
    const limit = { rate: 1, burst: 1 }
    expect(b.take('a', limit).allowed).toBe(true)
    expect(b.take('a', limit).allowed).toBe(false)
    expect(b.take('b', limit).allowed).toBe(true)
  })

  it('answers a slow rate with a long wait (0.1/s: ten seconds for a token)', () => {
    const first = takeToken(undefined, { rate: 0.1, burst: 1 }, 0)
    expect(first.result.allowed).toBe(true)
    const second = takeToken(first.state, { rate: 0.1, burst: 1 }, 0)
    expect(second.result).toEqual({ allowed: false, retryAfterMs: 10_000 })
  })

  it('does not refill when the clock goes backwards', () => {
    const s = takeToken({ tokens: 0, at: 5_000 }, { rate: 1, burst: 1 }, 4_000)
    expect(s.result.allowed).toBe(false)
  })

  it('evicts the least recently used bucket beyond maxKeys', () => {
    const b = new TokenBuckets(fakeClock().now, 2)
    const limit = { rate: 1, burst: 1 }
    b.take('a', limit)
    b.take('b', limit)
    b.take('a', limit)
    b.take('c', limit)
    expect(b.size).toBe(2)
    // `b` was evicted and comes back full; `a`, used more recently, is still empty.
    expect(b.take('a', limit).allowed).toBe(false)
    expect(b.take('b', limit).allowed).toBe(true)
  })
})
