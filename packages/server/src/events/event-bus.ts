// The in-process event bus: element lifecycle events and whatever later subsystems publish
// (runs, engine triggers, WebSocket fan-out). Listeners run after the write has committed;
// a throwing listener is reported and never breaks the publisher.
import { EventEmitter } from 'node:events'
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

export class EventBus {
  private readonly emitter = new EventEmitter()

  constructor(private readonly onListenerError: (err: unknown, event: PlatformEvent) => void = () => {}) {
    this.emitter.setMaxListeners(0)
  }

  publish(event: PlatformEvent): void {
    for (const listener of [...this.emitter.listeners(event.type), ...this.emitter.listeners('*')]) {
      try {
        ;(listener as EventListener)(event)
      } catch (err) {
        this.onListenerError(err, event)
      }
    }
  }

  /** Subscribes to one event type, or `*` for all; returns the unsubscribe function. */
  subscribe(type: string, listener: EventListener): () => void {
    this.emitter.on(type, listener)
    return () => this.emitter.off(type, listener)
  }
}
