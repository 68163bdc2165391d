// One subscriber's live events of a circle as Server-Sent Events (GET /api/{circle}/ops/events,
// docs/events.md): `id: <event id>`, `event: <type>`, `data: <the event as JSON>` per event, in
// the circle's order; a `reset` frame when the events after the client's Last-Event-ID are gone.
// Presenting an event (its element's path) may read the database, so frames are written one
// after the other through a promise chain, never out of order.
import { SSE_HEADERS, type SseStream, sseStream } from '../sse-stream.ts'
import type { CircleEventLog, LoggedEvent } from './circle-event-log.ts'
import type { PlatformEvent } from './event-bus.ts'

export { SSE_HEADERS }

/** A frame's data (docs/events.md). */
export interface CircleEventFrame {
  id: string
  type: string
  circle: string
  element_id: string | null
  element_path: string | null
  element_type: string | null
  version?: number
  actor: string | null
  at: string
  data: Record<string, unknown>
}

export interface CircleEventsOptions {
  circleId: string
  /** Resume after this id (Last-Event-ID). */
  after: string | undefined
  /** Type prefixes to keep (`element.`, `run.`); empty: all. */
  types: string[]
  /** False for events this subscriber may not see (another key's api_key.* events). */
  visible(event: PlatformEvent): boolean
  present(e: LoggedEvent): Promise<CircleEventFrame>
  onError(err: unknown): void
}

/** Opens the stream: resolves once the replay is queued and live events flow. */
export async function circleEventsStream(log: CircleEventLog, o: CircleEventsOptions): Promise<SseStream> {
  const sse = sseStream()
  let chain: Promise<void> = Promise.resolve()
  const wanted = (type: string) => o.types.length === 0 || o.types.some((p) => type.startsWith(p))
  const stop = await log.subscribe(o.circleId, o.after, {
    event: (e) => {
      if (!wanted(e.event.type) || !o.visible(e.event)) return
      chain = chain.then(async () => {
        if (sse.body.writableEnded) return
        try {
          const frame = await o.present(e)
          sse.send(frame.type, frame, frame.id)
        } catch (err) {
          o.onError(err)
        }
      })
    },
    reset: (reason) => {
      chain = chain.then(() => sse.send('reset', { type: 'reset', reason }))
    },
  })
  sse.onClose(stop)
  return sse
}

/** `?types=element.,run.` as a list of prefixes (at most 20, each at most 100 characters). */
export function typePrefixes(raw: unknown): string[] {
  if (typeof raw !== 'string' || raw.trim() === '') return []
  return raw
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t.length > 0)
    .slice(0, 20)
    .map((t) => t.slice(0, 100))
}
