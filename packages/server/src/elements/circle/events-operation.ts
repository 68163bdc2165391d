// GET /api/{circle}/ops/events: the circle's live events as Server-Sent Events (docs/events.md).
// Read scope; api_key.* events only for keys with admin scope. `Last-Event-ID` (or
// `?last_event_id=`) resumes after that event, `?types=element.,run.` keeps those type prefixes.
// A key holds at most MAX_STREAMS_PER_KEY open streams; revoking it (or deleting the circle)
// ends them at once, through the same registry that closes its WebSocket connections.
import { Type } from '@sinclair/typebox'
import { hasScope } from '../../auth/actor.ts'
import { E, PlatformError } from '../../errors.ts'
import { circleEventsStream, SSE_HEADERS, typePrefixes } from '../../events/circle-events-stream.ts'
import { MAX_STREAMS_PER_KEY } from './circle-events.ts'
import { circleOperation } from './circle-runtime.ts'

const eventsInput = Type.Object(
  {
    types: Type.Optional(
      Type.String({
        maxLength: 2000,
        description: 'Comma-separated event type prefixes, e.g. `element.,run.`',
      }),
    ),
    last_event_id: Type.Optional(
      Type.String({
        maxLength: 100,
        description: 'Resume after this event id (as the Last-Event-ID header)',
      }),
    ),
  },
  { additionalProperties: false },
)

export const eventsOperation = circleOperation({
  name: 'events',
  method: 'GET',
  auth: 'read',
  summary: "Follow the circle's events live (text/event-stream), resumable with Last-Event-ID",
  description:
    'Every platform event of the circle — element.created/updated/meta_updated/state_changed/deleted/…, run.queued/started/succeeded/failed/…, cookie_jar.changed, websocket.connections, … — as `id`, `event` (the type) and `data` (the event as JSON) frames. `Last-Event-ID` replays the events after that id from the recent history (the last 1,000 events per circle, 15 minutes without Redis); an id no longer known gets one `reset` frame (refetch, then live events follow). api_key.* events reach keys with admin scope only. See docs/events.md.',
  input: eventsInput,
  binary: 'text/event-stream',
  allowWhenDisabled: true,
  async handler(ctx) {
    const events = ctx.runtime.events
    const header = ctx.headers['last-event-id']
    const raw = (Array.isArray(header) ? header[0] : header) ?? ctx.input.last_event_id
    const after = raw === undefined || raw.trim() === '' ? undefined : raw.trim().slice(0, 100)
    const keyId = ctx.actor.keyId
    if (!events.admit(keyId))
      throw new PlatformError(
        E.EVENT_STREAMS_LIMIT,
        `this API key already holds ${MAX_STREAMS_PER_KEY} open event streams; close one first`,
        { limit: MAX_STREAMS_PER_KEY },
      )
    const admin = hasScope(ctx.actor, 'admin')
    let sse: Awaited<ReturnType<typeof circleEventsStream>>
    try {
      sse = await circleEventsStream(events.log, {
        circleId: ctx.element.id,
        after,
        types: typePrefixes(ctx.input.types),
        visible: (e) => admin || !e.type.startsWith('api_key.'),
        present: (e) => events.present(e),
        onError: (err) => events.onError(err),
      })
    } catch (err) {
      events.release(keyId)
      throw err
    }
    const unwatch = events.watch?.(
      { keyId: ctx.actor.platformAdmin ? null : keyId, circleId: ctx.element.id },
      (_code, reason) => sse.end('revoked', { type: 'revoked', reason }),
    )
    // At shutdown the connection goes too (an ended response would leave it open, kept alive).
    const untrack = events.track(() => sse.body.destroy())
    sse.onClose(() => {
      untrack()
      unwatch?.()
      events.release(keyId)
    })
    for (const [k, v] of Object.entries(SSE_HEADERS)) ctx.reply.header(k, v)
    // A first comment, so clients see the stream open before the first event.
    sse.body.write(': open\n\n')
    return sse.body
  },
})
