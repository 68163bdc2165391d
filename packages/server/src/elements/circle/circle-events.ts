// The circle runtime's part of the live events stream (events-operation.ts): the event log fed
// from the bus (in memory, or the Redis streams every node shares when REDIS_URL is set), the
// open streams per key (capped), and how an event is presented: the circle's slug, the element's
// path and type, the version it reached.
import type { WatchCredential } from '../../engine/credential-watch.ts'
import { feedEventLog } from '../../events/circle-event-feed.ts'
import { type CircleEventLog, type LoggedEvent, MemoryEventLog } from '../../events/circle-event-log.ts'
import type { CircleEventFrame } from '../../events/circle-events-stream.ts'
import { RedisEventLog } from '../../events/redis-event-log.ts'
import type { ElementRow } from '../../storage/storage.ts'
import type { ElementsPort, PlatformContext } from '../element.ts'

/** Open event streams one API key may hold at once. */
export const MAX_STREAMS_PER_KEY = 20
const CACHED_PATHS = 10_000

interface Place {
  path: string
  type: string
}

export class CircleEvents {
  readonly log: CircleEventLog
  readonly watch: WatchCredential | undefined
  private readonly stopFeed: () => void
  private readonly open = new Map<string, number>()
  private readonly places = new Map<string, Place>()
  private readonly streams = new Set<() => void>()
  private readonly elements: ElementsPort
  readonly onError: (err: unknown) => void

  constructor(p: PlatformContext) {
    this.elements = p.elements
    this.watch = p.watchCredential
    const onError = (err: unknown) => p.log.warn({ err }, 'circle event log')
    this.onError = onError
    this.log = p.config.redisUrl
      ? new RedisEventLog(p.config.redisUrl, p.config.redisPrefix, onError)
      : new MemoryEventLog()
    this.stopFeed = feedEventLog(p.bus, this.log)
  }

  /** Tracks an open stream, ended when the server shuts down; returns the forget function. */
  track(end: () => void): () => void {
    this.streams.add(end)
    return () => this.streams.delete(end)
  }

  /** Ends every open stream (the server is closing; clients resume elsewhere with Last-Event-ID). */
  endAll(): void {
    for (const end of [...this.streams]) end()
    this.streams.clear()
  }

  /** Counts a stream of `keyId` in; false when the key holds the most it may. */
  admit(keyId: string): boolean {
    const n = this.open.get(keyId) ?? 0
    if (n >= MAX_STREAMS_PER_KEY) return false
    this.open.set(keyId, n + 1)
    return true
  }

  release(keyId: string): void {
    const n = (this.open.get(keyId) ?? 1) - 1
    if (n <= 0) this.open.delete(keyId)
    else this.open.set(keyId, n)
  }

  async present({ id, event }: LoggedEvent): Promise<CircleEventFrame> {
    const d = event.data
    const place = event.element_id ? await this.placeOf(event.element_id, event.circle_id, d) : null
    return {
      id,
      type: event.type,
      circle: await this.elements.circleSlug(event.circle_id),
      element_id: event.element_id,
      element_path: place?.path ?? null,
      element_type: place?.type ?? (typeof d['element_type'] === 'string' ? d['element_type'] : null),
      ...(typeof d['version'] === 'number' ? { version: d['version'] } : {}),
      actor: event.actor,
      at: event.at,
      data: d,
    }
  }

  /** The element's path, cached (paths do not change: slugs and parents stay as created). */
  private async placeOf(
    elementId: string,
    circleId: string,
    d: Record<string, unknown>,
  ): Promise<Place | null> {
    const cached = this.places.get(elementId)
    if (cached) return cached
    const row = await this.elements.records.getElement(elementId)
    if (!row) {
      const slug = typeof d['slug'] === 'string' ? d['slug'] : null
      return slug
        ? { path: `${await this.elements.circleSlug(circleId)}/${slug}`, type: String(d['element_type']) }
        : null
    }
    const place = { path: await this.pathOf(row), type: row.element_type }
    this.places.set(elementId, place)
    if (this.places.size > CACHED_PATHS) this.places.delete(this.places.keys().next().value as string)
    return place
  }

  private async pathOf(row: ElementRow): Promise<string> {
    const circle = await this.elements.circleSlug(row.circle_id)
    if (row.parent_id === null) return circle
    return [circle, ...(await this.elements.lineage(row)), row.slug].join('/')
  }

  async close(): Promise<void> {
    this.endAll()
    this.stopFeed()
    await this.log.close()
  }
}
