// What goes from the in-process event bus into the circle event log: every platform event of a
// circle except the per-frame WebSocket message events (`ws.message.*`, too many to keep; the
// throttled `websocket.connections` count stands for the traffic), plus `websocket.connections`
// derived here from the connection opened/closed events: at most one per element per second,
// the latest count winning.
import type { CircleEventLog } from './circle-event-log.ts'
import type { EventBus, PlatformEvent } from './event-bus.ts'

const LEFT_OUT = ['ws.message.']
const CONNECTION_EVENTS = new Set(['ws.connection.opened', 'ws.connection.closed'])
export const CONNECTION_COUNT_INTERVAL_MS = 1000

/** Feeds `log` from `bus`; returns the stop function. */
export function feedEventLog(bus: EventBus, log: CircleEventLog): () => void {
  const counts = new ConnectionCounts(bus)
  const off = bus.subscribe('*', (e) => {
    if (LEFT_OUT.some((p) => e.type.startsWith(p))) return
    log.append(e)
    if (CONNECTION_EVENTS.has(e.type)) counts.changed(e)
  })
  return () => {
    off()
    counts.stop()
  }
}

/** `websocket.connections` {count}, throttled per element; the count is this node's. */
class ConnectionCounts {
  private readonly last = new Map<string, number>()
  private readonly pending = new Map<string, { timer: NodeJS.Timeout; event: PlatformEvent }>()

  constructor(private readonly bus: EventBus) {}

  changed(e: PlatformEvent): void {
    const count = e.data['count']
    if (!e.element_id || typeof count !== 'number') return
    const id = e.element_id
    const event: PlatformEvent = {
      type: 'websocket.connections',
      circle_id: e.circle_id,
      element_id: id,
      actor: null,
      at: e.at,
      data: { count, ...(typeof e.data['node'] === 'string' ? { node: e.data['node'] } : {}) },
    }
    const held = this.pending.get(id)
    if (held) {
      held.event = event
      return
    }
    const wait = (this.last.get(id) ?? 0) + CONNECTION_COUNT_INTERVAL_MS - Date.now()
    if (wait <= 0) {
      this.emit(id, event)
      return
    }
    const timer = setTimeout(() => {
      const p = this.pending.get(id)
      this.pending.delete(id)
      if (p) this.emit(id, p.event)
    }, wait)
    timer.unref()
    this.pending.set(id, { timer, event })
  }

  private emit(id: string, event: PlatformEvent): void {
    this.last.set(id, Date.now())
    if (this.last.size > 10_000) this.last.delete(this.last.keys().next().value as string)
    this.bus.publish(event)
  }

  stop(): void {
    for (const p of this.pending.values()) clearTimeout(p.timer)
    this.pending.clear()
  }
}
