// The circle event log several nodes share (REDIS_URL): one Redis stream per circle
// (`<prefix>events:<circle id>`, XADD … MAXLEN ~ 1000), so every node sees the same events with
// the same ids in the same order. Appends are pipelined and never awaited by the publisher (an
// error is logged); each append also PUBLISHes the circle id on `<prefix>events:notify`, and a
// node whose streams follow that circle reads the new entries (XRANGE after its cursor), in the
// stream's order. A node with no subscriber for a circle reads nothing for it.
import { Redis } from 'ioredis'
import {
  type CircleEventLog,
  compareEventIds,
  DEFAULT_LIMITS,
  type EventLogLimits,
  type EventSink,
  type LoggedEvent,
  parseEventId,
} from './circle-event-log.ts'
import type { PlatformEvent } from './event-bus.ts'

/** Idle circles' streams go away after a day without events. */
const KEY_TTL_SECONDS = 24 * 3600
const PAGE = 500

interface Subscriber {
  sink: EventSink
  /** Events at or before this id were delivered (or replayed) already. */
  last: string | null
  /** Live events held while the replay is read. */
  held: LoggedEvent[] | null
}

interface Tail {
  cursor: string | null
  subs: Set<Subscriber>
  reading: boolean
  again: boolean
}

type Entry = [id: string, fields: string[]]

export class RedisEventLog implements CircleEventLog {
  private readonly cmd: Redis
  private readonly sub: Redis
  private readonly tails = new Map<string, Tail>()
  private readonly channel: string

  constructor(
    url: string,
    private readonly prefix: string,
    private readonly onError: (err: unknown) => void,
    private readonly limits: EventLogLimits = DEFAULT_LIMITS,
  ) {
    const opts = { maxRetriesPerRequest: 2, enableOfflineQueue: true }
    this.cmd = new Redis(url, opts)
    this.sub = new Redis(url, opts)
    this.cmd.on('error', onError)
    this.sub.on('error', onError)
    this.channel = `${prefix}events:notify`
    this.sub.on('message', (_channel: string, circleId: string) => this.kick(circleId))
    this.sub.subscribe(this.channel).catch(onError)
  }

  private key(circleId: string): string {
    return `${this.prefix}events:${circleId}`
  }

  append(event: PlatformEvent): void {
    const key = this.key(event.circle_id)
    this.cmd
      .pipeline()
      .xadd(key, 'MAXLEN', '~', String(this.limits.maxEvents), '*', 'e', JSON.stringify(event))
      .expire(key, KEY_TTL_SECONDS)
      .publish(this.channel, event.circle_id)
      .exec()
      .then((results) => {
        const failed = results?.find(([err]) => err)
        if (failed) this.onError(failed[0])
      })
      .catch(this.onError)
  }

  async subscribe(circleId: string, after: string | undefined, sink: EventSink): Promise<() => void> {
    const fresh = !this.tails.has(circleId)
    const tail = this.tails.get(circleId) ?? { cursor: null, subs: new Set(), reading: false, again: false }
    this.tails.set(circleId, tail)
    const s: Subscriber = { sink, last: null, held: after === undefined ? null : [] }
    tail.subs.add(s)
    const stop = () => {
      tail.subs.delete(s)
      if (tail.subs.size === 0 && this.tails.get(circleId) === tail) this.tails.delete(circleId)
    }
    try {
      if (fresh) {
        const newest = (await this.cmd.xrevrange(this.key(circleId), '+', '-', 'COUNT', 1)) as Entry[]
        tail.cursor = newest[0]?.[0] ?? '0-0'
        this.kick(circleId)
      }
      if (after !== undefined) await this.replay(circleId, after, s)
    } catch (err) {
      stop()
      throw err
    }
    return stop
  }

  /** Sends what follows `after` to one subscriber, then what was held meanwhile. */
  private async replay(circleId: string, after: string, s: Subscriber): Promise<void> {
    const key = this.key(circleId)
    const known = parseEventId(after) && ((await this.cmd.xrange(key, after, after)) as Entry[]).length > 0
    if (!known) {
      s.sink.reset(parseEventId(after) ? 'event id older than the history kept' : 'unknown event id')
    } else {
      s.last = after
      let from = after
      for (;;) {
        const page = (await this.cmd.xrange(key, `(${from}`, '+', 'COUNT', PAGE)) as Entry[]
        for (const entry of page) {
          const e = decode(entry)
          if (e) deliver(s, e)
          from = entry[0]
        }
        if (page.length < PAGE) break
      }
    }
    const held = s.held ?? []
    s.held = null
    for (const e of held) deliver(s, e)
  }

  /** Reads a followed circle's new entries (one read at a time per circle, again if asked meanwhile). */
  private kick(circleId: string): void {
    const tail = this.tails.get(circleId)
    if (!tail || tail.cursor === null) return
    if (tail.reading) {
      tail.again = true
      return
    }
    tail.reading = true
    void this.readTail(circleId, tail)
      .catch(this.onError)
      .finally(() => {
        tail.reading = false
        if (tail.again) {
          tail.again = false
          this.kick(circleId)
        }
      })
  }

  private async readTail(circleId: string, tail: Tail): Promise<void> {
    for (;;) {
      const page = (await this.cmd.xrange(
        this.key(circleId),
        `(${tail.cursor}`,
        '+',
        'COUNT',
        PAGE,
      )) as Entry[]
      for (const entry of page) {
        tail.cursor = entry[0]
        const e = decode(entry)
        if (!e) continue
        for (const s of tail.subs) {
          if (s.held) s.held.push(e)
          else deliver(s, e)
        }
      }
      if (page.length < PAGE) return
    }
  }

  async close(): Promise<void> {
    this.tails.clear()
    this.sub.disconnect()
    await this.cmd.quit().catch(() => this.cmd.disconnect())
  }
}

function deliver(s: Subscriber, e: LoggedEvent): void {
  if (s.last !== null && compareEventIds(e.id, s.last) <= 0) return
  s.last = e.id
  s.sink.event(e)
}

function decode([id, fields]: Entry): LoggedEvent | null {
  const at = fields.indexOf('e')
  try {
    return at >= 0 ? { id, event: JSON.parse(fields[at + 1]!) as PlatformEvent } : null
  } catch {
    return null
  }
}
