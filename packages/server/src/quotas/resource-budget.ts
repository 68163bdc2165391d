// Server-wide and per-circle budgets of Python workers, their memory, browser sessions and runs
// in flight, so that one circle (tenant) cannot take the whole host. A reservation holds its
// amounts at both levels until its lease is released. One that does not fit either waits in a
// bounded FIFO queue (`reserve`) or is refused at once with 429 QUOTA_EXCEEDED (`admit`).
import { PlatformError } from '../errors.ts'
import { QUOTA } from './quota-errors.ts'

export const RESOURCES = ['workers', 'memory_mb', 'browser_sessions', 'runs_in_flight'] as const
export type Resource = (typeof RESOURCES)[number]
export type Amounts = Record<Resource, number>
export type Need = Partial<Amounts>
export type QuotaScope = 'server' | 'circle'

export interface QuotaLimits {
  server: Amounts
  circle: Amounts
}

/** The first resource a reservation does not fit in, at which level. */
export interface Shortfall {
  resource: Resource
  scope: QuotaScope
  limit: number
  in_use: number
  need: number
}

export interface Lease {
  readonly circleId: string
  readonly need: Need
  /** Gives the amounts back; a second call does nothing. */
  release(): void
}

/**
 * Frees idle capacity when a reservation has to wait (e.g. stops an idle warm worker): called
 * with the circle whose quota is short, or null when the server budget is. True when it freed
 * something.
 */
export type Reliever = (circleId: string | null, resource: Resource) => boolean

interface Waiter {
  circleId: string
  need: Need
  grant(lease: Lease): void
}

export interface UsageView {
  in_use: Amounts
  limit: Amounts
  /** Reservations queued for room. */
  waiting: number
}

const zero = (): Amounts => ({ workers: 0, memory_mb: 0, browser_sessions: 0, runs_in_flight: 0 })

export class ResourceBudget {
  private readonly server = zero()
  private readonly circles = new Map<string, Amounts>()
  private readonly waiters: Waiter[] = []
  private readonly relievers = new Set<Reliever>()
  private refusals = 0

  /** `maxWaiting` bounds the queue of `reserve` (by default the server's runs in flight). */
  constructor(
    readonly limits: QuotaLimits,
    private readonly maxWaiting = limits.server.runs_in_flight,
  ) {}

  /** The first resource `need` does not fit in now, or undefined when it fits at both levels. */
  shortfall(circleId: string, need: Need): Shortfall | undefined {
    const mine = this.circles.get(circleId) ?? zero()
    for (const resource of RESOURCES) {
      const n = need[resource] ?? 0
      if (n <= 0) continue
      for (const [scope, used, limit] of [
        ['server', this.server[resource], this.limits.server[resource]],
        ['circle', mine[resource], this.limits.circle[resource]],
      ] as const) {
        if (used + n > limit) return { resource, scope, limit, in_use: used, need: n }
      }
    }
    return undefined
  }

  /** Would `need` fit now? For a dispatcher deciding whether to start a run or leave it queued. */
  hasRoom(circleId: string, need: Need): boolean {
    return this.shortfall(circleId, need) === undefined
  }

  /** A lease when `need` fits now, else undefined (nothing queued). */
  tryReserve(circleId: string, need: Need): Lease | undefined {
    return this.shortfall(circleId, need) ? undefined : this.take(circleId, need)
  }

  /** A lease now, or 429 QUOTA_EXCEEDED: for what cannot wait (a browser start, a new run). */
  admit(circleId: string, need: Need): Lease {
    const short = this.shortfall(circleId, need)
    if (short) throw this.refuse(short)
    return this.take(circleId, need)
  }

  /**
   * A lease as soon as `need` fits, in FIFO order within the circle (and across circles when the
   * server budget is short). Refused with QUOTA_EXCEEDED when `need` exceeds a limit outright
   * (it would never fit) or the queue is full. Aborting `signal` leaves the queue.
   */
  reserve(circleId: string, need: Need, signal?: AbortSignal): Promise<Lease> {
    const never = this.neverFits(need)
    if (never) return Promise.reject(this.refuse(never))
    const ahead = this.waiters.some((w) => w.circleId === circleId)
    if (!ahead && !this.shortfall(circleId, need)) return Promise.resolve(this.take(circleId, need))
    const short = this.shortfall(circleId, need)
    if (this.waiters.length >= this.maxWaiting)
      return Promise.reject(
        this.refuse(
          short ?? {
            resource: 'runs_in_flight',
            scope: 'server',
            limit: this.maxWaiting,
            in_use: 0,
            need: 1,
          },
        ),
      )
    return new Promise<Lease>((resolve, reject) => {
      const onAbort = () => {
        const i = this.waiters.indexOf(waiter)
        if (i >= 0) this.waiters.splice(i, 1)
        this.pump()
        reject(signal?.reason)
      }
      const waiter: Waiter = {
        circleId,
        need,
        grant: (lease) => {
          signal?.removeEventListener('abort', onAbort)
          resolve(lease)
        },
      }
      if (signal?.aborted) return reject(signal.reason)
      signal?.addEventListener('abort', onAbort, { once: true })
      this.waiters.push(waiter)
      this.relieve(waiter)
    })
  }

  /**
   * Asks relievers again for the oldest waiter of each circle: capacity that was busy when it
   * started waiting (a worker then running) may be idle now.
   */
  relieveWaiting(): void {
    const seen = new Set<string>()
    for (const w of [...this.waiters]) {
      if (seen.has(w.circleId)) continue
      seen.add(w.circleId)
      this.relieve(w)
    }
  }

  /** Registers a way to free idle capacity under pressure; returns its removal. */
  addReliever(r: Reliever): () => void {
    this.relievers.add(r)
    return () => this.relievers.delete(r)
  }

  /** Usage and limits of one circle, or of the whole server without a circle id. */
  usage(circleId?: string): UsageView {
    if (circleId === undefined)
      return { in_use: { ...this.server }, limit: { ...this.limits.server }, waiting: this.waiters.length }
    return {
      in_use: { ...(this.circles.get(circleId) ?? zero()) },
      limit: { ...this.limits.circle },
      waiting: this.waiters.filter((w) => w.circleId === circleId).length,
    }
  }

  /** QUOTA_EXCEEDED answers given since start (for /metrics). */
  get refusedCount(): number {
    return this.refusals
  }

  private neverFits(need: Need): Shortfall | undefined {
    for (const resource of RESOURCES) {
      const n = need[resource] ?? 0
      for (const scope of ['server', 'circle'] as const)
        if (n > this.limits[scope][resource])
          return { resource, scope, limit: this.limits[scope][resource], in_use: 0, need: n }
    }
    return undefined
  }

  private refuse(s: Shortfall): PlatformError {
    this.refusals++
    const whose = s.scope === 'server' ? 'this server' : 'this circle'
    return new PlatformError(
      QUOTA.QUOTA_EXCEEDED,
      `quota exceeded: ${s.resource} of ${whose} (limit ${s.limit}, in use ${s.in_use}, needed ${s.need})`,
      { ...s },
    )
  }

  private take(circleId: string, need: Need): Lease {
    const held = this.circles.get(circleId) ?? zero()
    this.circles.set(circleId, held)
    for (const r of RESOURCES) {
      this.server[r] += need[r] ?? 0
      held[r] += need[r] ?? 0
    }
    let released = false
    return {
      circleId,
      need,
      release: () => {
        if (released) return
        released = true
        for (const r of RESOURCES) {
          this.server[r] -= need[r] ?? 0
          held[r] -= need[r] ?? 0
        }
        if (RESOURCES.every((r) => held[r] === 0) && this.circles.get(circleId) === held)
          this.circles.delete(circleId)
        this.pump()
      },
    }
  }

  /**
   * Grants waiters that fit, oldest first. A circle's waiters are served in order; one short
   * of the server budget stops the scan, so a big reservation is not starved by small ones.
   */
  private pump(): void {
    const blocked = new Set<string>()
    for (let i = 0; i < this.waiters.length; ) {
      const w = this.waiters[i]!
      if (blocked.has(w.circleId)) {
        i++
        continue
      }
      const short = this.shortfall(w.circleId, w.need)
      if (!short) {
        this.waiters.splice(i, 1)
        w.grant(this.take(w.circleId, w.need))
        continue
      }
      if (short.scope === 'server') return
      blocked.add(w.circleId)
      i++
    }
  }

  /** Asks relievers to free idle capacity until the waiter fits or nothing more can be freed. */
  private relieve(w: Waiter): void {
    for (;;) {
      if (!this.waiters.includes(w)) return
      const short = this.shortfall(w.circleId, w.need)
      if (!short) {
        this.pump()
        return
      }
      const circle = short.scope === 'circle' ? w.circleId : null
      if (![...this.relievers].some((r) => r(circle, short.resource))) return
    }
  }
}
