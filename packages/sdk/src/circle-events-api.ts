// client.events(circle): a circle's live events (GET /api/{circle}/ops/events, docs/events.md)
// as an async iterable. Each item is one event in the circle's order; a `reset` item says the
// events after `lastEventId` are no longer kept (refetch what you show; live events follow);
// a `revoked` item ends the iteration (the key was revoked). Pass the last `id` you saw as
// `lastEventId` when you reconnect; `signal` stops the iteration.
import type { HttpTransport } from './http-transport.ts'
import { readServerSentEvents } from './sse-parser.ts'

/** One event of a circle, as the stream's `data` carries it. */
export interface CircleEvent {
  /** Opaque, ordered per circle; resume after it with `lastEventId`. Empty for `reset`/`revoked`. */
  id: string
  /** `element.created`, `element.updated`, `element.meta_updated`, `element.state_changed`,
   *  `element.deleted`, `run.queued`, `run.started`, `run.succeeded`, `run.failed`,
   *  `cookie_jar.changed`, `websocket.connections`, …, or `reset` / `revoked`. */
  type: string
  circle: string
  element_id: string | null
  element_path: string | null
  element_type: string | null
  /** The element version the write reached (element writes). */
  version?: number
  /** The key id that caused it; null for the platform's own events. */
  actor: string | null
  at: string
  data: Record<string, unknown>
}

export interface CircleEventsOptions {
  /** Resume after this event id (sent as Last-Event-ID). */
  lastEventId?: string
  /** Only these type prefixes, e.g. `['element.', 'run.']`. */
  types?: readonly string[]
  signal?: AbortSignal
}

/** Opens the stream and yields its events until it ends or `signal` aborts. */
export async function* circleEvents(
  transport: HttpTransport,
  circle: string,
  options: CircleEventsOptions = {},
): AsyncGenerator<CircleEvent, void, undefined> {
  const headers: Record<string, string> = { accept: 'text/event-stream' }
  if (options.lastEventId !== undefined) headers['last-event-id'] = options.lastEventId
  const query = options.types?.length ? { types: options.types.join(',') } : undefined
  const response = await transport.open({
    method: 'GET',
    path: `/api/${encodeURIComponent(circle)}/ops/events`,
    headers,
    ...(query ? { query } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  })
  if (!response.body) return
  for await (const frame of readServerSentEvents(response.body)) {
    let data: Record<string, unknown> = {}
    try {
      data = JSON.parse(frame.data) as Record<string, unknown>
    } catch {}
    if (frame.event === 'reset' || frame.event === 'revoked') {
      yield {
        id: '',
        type: frame.event,
        circle,
        element_id: null,
        element_path: null,
        element_type: null,
        actor: null,
        at: new Date().toISOString(),
        data: { reason: data['reason'] ?? null },
      }
      if (frame.event === 'revoked') return
      continue
    }
    yield { ...(data as unknown as CircleEvent), id: frame.id ?? String(data['id'] ?? '') }
  }
}
