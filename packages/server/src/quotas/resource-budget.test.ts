// The budget on its own: reservations at both levels, FIFO waiting within a circle, refusals
// with their details, aborts, the queue bound, and relievers freeing idle capacity.
import { describe, expect, it } from 'vitest'
import { PlatformError } from '../errors.ts'
import { type Amounts, ResourceBudget } from './resource-budget.ts'

const amounts = (a: Partial<Amounts>): Amounts => ({
  workers: 100,
  memory_mb: 1000,
  browser_sessions: 10,
  runs_in_flight: 100,
  ...a,
})
const budget = (circle: Partial<Amounts>, server: Partial<Amounts> = {}, maxWaiting?: number) =>
  new ResourceBudget({ server: amounts(server), circle: amounts(circle) }, maxWaiting)
const settled = () => new Promise((r) => setImmediate(r))

describe('resource budget', () => {
  it('counts a reservation against both the circle and the server, and gives it back once', () => {
    const b = budget({ memory_mb: 100 })
    const lease = b.admit('a', { workers: 1, memory_mb: 64 })
    expect(b.usage('a').in_use).toMatchObject({ workers: 1, memory_mb: 64 })
    expect(b.usage().in_use).toMatchObject({ workers: 1, memory_mb: 64 })
    expect(b.hasRoom('a', { memory_mb: 64 })).toBe(false)
    expect(b.hasRoom('b', { memory_mb: 64 })).toBe(true)
    lease.release()
    lease.release()
    expect(b.usage().in_use.memory_mb).toBe(0)
  })

  it('refuses with QUOTA_EXCEEDED and says which resource, at which level, is short', () => {
    const b = budget({ runs_in_flight: 5 }, { runs_in_flight: 6 })
    for (let i = 0; i < 5; i++) b.admit('a', { runs_in_flight: 1 })
    const circle = (() => {
      try {
        b.admit('a', { runs_in_flight: 1 })
      } catch (e) {
        return e
      }
    })() as PlatformError
    expect(circle).toBeInstanceOf(PlatformError)
    expect({ code: circle.code, status: circle.status, details: circle.details }).toEqual({
      code: 'QUOTA_EXCEEDED',
      status: 429,
      details: { resource: 'runs_in_flight', scope: 'circle', limit: 5, in_use: 5, need: 1 },
    })
    b.admit('b', { runs_in_flight: 1 })
    expect(() => b.admit('c', { runs_in_flight: 1 })).toThrow(/runs_in_flight of this server/)
    expect(b.refusedCount).toBe(2)
  })

  it('queues reservations that do not fit and grants them in order as room comes back', async () => {
    const b = budget({ memory_mb: 128 })
    const first = b.admit('a', { memory_mb: 128 })
    const order: string[] = []
    const waiting = ['x', 'y'].map((name) =>
      b.reserve('a', { memory_mb: 64 }).then((l) => {
        order.push(name)
        return l
      }),
    )
    // Another circle is not held up by a's queue.
    const other = await b.reserve('b', { memory_mb: 64 })
    expect(b.usage('a').waiting).toBe(2)
    first.release()
    const [x, y] = await Promise.all(waiting)
    expect(order).toEqual(['x', 'y'])
    expect(b.usage('a').in_use.memory_mb).toBe(128)
    for (const l of [x!, y!, other]) l.release()
    expect(b.usage().in_use.memory_mb).toBe(0)
  })

  it('keeps a circle FIFO: a small reservation does not overtake a big one of the same circle', async () => {
    const b = budget({ memory_mb: 128 })
    const held = b.admit('a', { memory_mb: 64 })
    const got: string[] = []
    void b.reserve('a', { memory_mb: 128 }).then((l) => {
      got.push('big')
      l.release()
    })
    void b.reserve('a', { memory_mb: 32 }).then((l) => {
      got.push('small')
      l.release()
    })
    await settled()
    expect(got).toEqual([])
    held.release()
    await settled()
    expect(got).toEqual(['big', 'small'])
  })

  it('refuses at once what could never fit, and what would overflow the queue', async () => {
    const b = budget({ memory_mb: 128 }, {}, 1)
    await expect(b.reserve('a', { memory_mb: 256 })).rejects.toMatchObject({
      code: 'QUOTA_EXCEEDED',
      details: { resource: 'memory_mb', scope: 'circle', limit: 128, need: 256 },
    })
    b.admit('a', { memory_mb: 128 })
    void b.reserve('a', { memory_mb: 64 })
    await expect(b.reserve('a', { memory_mb: 64 })).rejects.toMatchObject({ code: 'QUOTA_EXCEEDED' })
  })

  it('leaves the queue when the wait is aborted', async () => {
    const b = budget({ workers: 1 })
    const held = b.admit('a', { workers: 1 })
    const ac = new AbortController()
    const waiting = b.reserve('a', { workers: 1 }, ac.signal)
    ac.abort(new Error('gone'))
    await expect(waiting).rejects.toThrow('gone')
    expect(b.usage('a').waiting).toBe(0)
    held.release()
    expect(b.usage('a').in_use.workers).toBe(0)
  })

  it('asks relievers to free idle capacity of the short circle (or of any, when the server is short)', async () => {
    const setup = (server: number) => {
      const b = budget({ workers: 2 }, { workers: server })
      const idle = [b.admit('a', { workers: 1 }), b.admit('a', { workers: 1 }), b.admit('b', { workers: 1 })]
      const asked: Array<string | null> = []
      b.addReliever((circle, resource) => {
        asked.push(circle)
        expect(resource).toBe('workers')
        const i = idle.findIndex((l) => circle === null || l.circleId === circle)
        if (i < 0) return false
        idle.splice(i, 1)[0]!.release()
        return true
      })
      return { b, idle, asked }
    }
    // The server is full: any circle's idle worker may go.
    const full = setup(3)
    await full.b.reserve('c', { workers: 1 })
    expect(full.asked).toEqual([null])
    expect(full.idle).toHaveLength(2)
    // Only circle a is full: one of a's idle workers goes, b's stays.
    const mine = setup(10)
    await mine.b.reserve('a', { workers: 1 })
    expect(mine.asked).toEqual(['a'])
    expect(mine.idle.map((l) => l.circleId).sort()).toEqual(['a', 'b'])
  })
})
