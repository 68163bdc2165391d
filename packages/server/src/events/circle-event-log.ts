// Each circle's recent platform events, with ids ordered per circle, for the live events stream
// (circle-events-stream.ts): subscribers get the events after an id they already have, then the
// new ones as they happen. This file holds the shared shape and the in-memory log a single node
// uses; redis-event-log.ts is the one several nodes share (same ids on every node).
import type { PlatformEvent } from './event-bus.ts'

/** An event as the log keeps it: its id in the circle's order. */
export interface LoggedEvent {
  id: string
  event: PlatformEvent
}

/** What a subscriber is told: events in order, or that the events after its id are gone. */
export interface EventSink {
  event(e: LoggedEvent): void
  /** The id is unknown or older than the history kept: the subscriber should refetch; live events follow. */
  reset(reason: string): void
}

export interface CircleEventLog {
  /** Appends (cheap, never throws, never waits). */
  append(event: PlatformEvent): void
  /** Replays what follows `after` (nothing when undefined), then delivers live; returns the stop function. */
  subscribe(circleId: string, after: string | undefined, sink: EventSink): Promise<() => void>
  close(): Promise<void>
}

export interface EventLogLimits {
  /** Events kept per circle. */
  maxEvents: number
  /** How long an event is kept (the in-memory log; Redis keeps `maxEvents`). */
  maxAgeMs: number
}

export const DEFAULT_LIMITS: EventLogLimits = { maxEvents: 1000, maxAgeMs: 15 * 60_000 }

/** Ids are `<a>-<b>` (Redis stream ids; the memory log uses `<boot ms>-<seq>`). */
export function parseEventId(id: string): [bigint, bigint] | null {
  const m = /^(\d{1,20})-(\d{1,20})$/.exec(id)
  return m ? [BigInt(m[1]!), BigInt(m[2]!)] : null
}

/** Negative, zero or positive as `a` is before, equal to or after `b` (both valid ids). */
export function compareEventIds(a: string, b: string): number {
  const x = parseEventId(a)
  const y = parseEventId(b)
  if (!x || !y) return a < b ? -1 : a > b ? 1 : 0
  if (x[0] !== y[0]) return x[0] < y[0] ? -1 : 1
  return x[1] === y[1] ? 0 : x[1] < y[1] ? -1 : 1
}

interface CircleLog {
  entries: { id: string; seq: number; at: number; event: PlatformEvent }[]
  /** A client that has this sequence number (or a later one) missed nothing that was dropped. */
  floor: number
  sinks: Set<EventSink>
}

/**
 * One node's log: a ring of the last events per circle, ids `<boot ms>-<seq>` with one sequence
 * for the whole process (ordered within each circle, never reused, even when a quiet circle's
 * ring is dropped and made again).
 */
export class MemoryEventLog implements CircleEventLog {
  private readonly circles = new Map<string, CircleLog>()
  private readonly boot = String(Date.now())
  private seq = 0
  private readonly sweeper: NodeJS.Timeout

  constructor(
    private readonly limits: EventLogLimits = DEFAULT_LIMITS,
    private readonly now: () => number = Date.now,
  ) {
    // Quiet circles drop their aged events too (otherwise trimmed on their next append).
    this.sweeper = setInterval(() => this.sweep(), 60_000)
    this.sweeper.unref()
  }

  private sweep(): void {
    for (const [id, log] of this.circles) {
      this.trim(log)
      if (log.entries.length === 0 && log.sinks.size === 0) this.circles.delete(id)
    }
  }

  append(event: PlatformEvent): void {
    const log = this.circle(event.circle_id)
    const seq = ++this.seq
    const entry = { id: `${this.boot}-${seq}`, seq, at: this.now(), event }
    log.entries.push(entry)
    this.trim(log)
    for (const sink of log.sinks) sink.event(entry)
    if (event.type === 'element.deleted' && event.data['element_type'] === 'circle' && log.sinks.size === 0)
      this.circles.delete(event.circle_id)
  }

  async subscribe(circleId: string, after: string | undefined, sink: EventSink): Promise<() => void> {
    const log = this.circle(circleId)
    this.trim(log)
    if (after !== undefined) {
      // The events after `after` are all here when it is this process's, not ahead, and no
      // event the client lacks was dropped.
      const seq = after.startsWith(`${this.boot}-`) ? Number(after.slice(this.boot.length + 1)) : Number.NaN
      if (Number.isSafeInteger(seq) && seq <= this.seq && seq >= log.floor) {
        for (const e of log.entries) if (e.seq > seq) sink.event(e)
      } else sink.reset(resetReason(after, this.boot))
    }
    log.sinks.add(sink)
    return () => {
      log.sinks.delete(sink)
      if (log.sinks.size === 0 && log.entries.length === 0) this.circles.delete(circleId)
    }
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper)
    this.circles.clear()
  }

  private circle(id: string): CircleLog {
    // A new ring knows nothing of what came before it.
    const log = this.circles.get(id) ?? { entries: [], floor: this.seq + 1, sinks: new Set<EventSink>() }
    this.circles.set(id, log)
    return log
  }

  private trim(log: CircleLog): void {
    const oldest = this.now() - this.limits.maxAgeMs
    let drop = Math.max(0, log.entries.length - this.limits.maxEvents)
    while (drop < log.entries.length && log.entries[drop]!.at < oldest) drop++
    if (drop > 0) log.floor = Math.max(log.floor, log.entries.splice(0, drop).at(-1)!.seq)
  }
}

function resetReason(after: string, boot: string): string {
  if (!parseEventId(after)) return 'unknown event id'
  return after.startsWith(`${boot}-`) ? 'event id older than the history kept' : 'unknown event id'
}
