// The in-process event bus: element lifecycle events and whatever later subsystems publish
// (runs, engine triggers, WebSocket fan-out). Listeners run after the write has committed;
// a throwing listener is reported and never breaks the publisher.
import type { JsonObject } from '../storage/storage.ts'

export interface PlatformEvent {
  /** e.g. `element.created`, `element.updated`, `api_key.revoked`. */
  type: string
  circle_id: string
  element_id: string | null
  actor: string | null
  at: string
  data: JsonObject
}

export type EventListener = (event: PlatformEvent) => void

/**
 * Listeners by type: an exact type, a family (`element.*`: every type starting `element.`) or
 * `*`. A run publishes several events on the invoke hot path, so publishing calls only the
 * listeners of the event's type and family (most subsystems watch `element.*` only), and the
 * listener lists are replaced on change rather than copied on every publish.
 */
export class EventBus {
  private readonly listeners = new Map<string, readonly EventListener[]>()

  constructor(private readonly onListenerError: (err: unknown, event: PlatformEvent) => void = () => {}) {}

  publish(event: PlatformEvent): void {
    const { type } = event
    const dot = type.indexOf('.')
    // The lists as they are now: a listener subscribed meanwhile hears the next event.
    const exact = this.listeners.get(type)
    const family = dot > 0 ? this.listeners.get(`${type.slice(0, dot)}.*`) : undefined
    const all = this.listeners.get('*')
    this.call(exact, event)
    this.call(family, event)
    this.call(all, event)
  }

  /** Subscribes to one event type, a family (`element.*`) or `*` for all; returns the unsubscribe function. */
  subscribe(type: string, listener: EventListener): () => void {
    if (type.endsWith('*') && type !== '*' && !/^[^.*]+\.\*$/.test(type))
      throw new Error(`event family "${type}": write it as "<prefix>.*" (one level)`)
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener])
    return () => {
      const now = this.listeners.get(type) ?? []
      const at = now.lastIndexOf(listener)
      if (at < 0) return
      const rest = [...now.slice(0, at), ...now.slice(at + 1)]
      if (rest.length) this.listeners.set(type, rest)
      else this.listeners.delete(type)
    }
  }

  private call(listeners: readonly EventListener[] | undefined, event: PlatformEvent): void {
    if (!listeners) return
    for (const listener of listeners) {
      try {
        listener(event)
      } catch (err) {
        this.onListenerError(err, event)
      }
    }
  }
}
