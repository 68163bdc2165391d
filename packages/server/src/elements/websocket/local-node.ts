// What one node does with the connections it holds: send, broadcast, close, join, leave and list.
// The hub calls it for this node, and the cluster handler for requests from other nodes.
import type { EventBus } from '../../events/event-bus.ts'
import type { Json, JsonObject } from '../../storage/storage.ts'
import type { ConnectionRegistry, LocalConnection, PresenceEntry } from './connection-registry.ts'
import type { ElementDirectory } from './element-directory.ts'
import { type FanOutResult, fanOut, type SlowPolicy, writeTo } from './frame-writer.ts'
import type { WebsocketSpec } from './spec.ts'
import { websocketSpecOf } from './spec.ts'
import type { WebsocketMetrics } from './websocket-metrics.ts'

export type RoomChange = { ok: true; rooms: string[]; changed: boolean } | { ok: false; reason: string }

/** 1-128 characters, none of them control characters. */
export const validRoomName = (room: string) =>
  room.length >= 1 &&
  room.length <= 128 &&
  ![...room].some((ch) => ch.charCodeAt(0) < 32 || ch.charCodeAt(0) === 127)

const DEFAULT_POLICY: SlowPolicy = { maxBufferedBytes: 1024 * 1024, slowTimeoutMs: 10_000 }

export class LocalNode {
  constructor(
    readonly nodeId: string,
    readonly registry: ConnectionRegistry,
    readonly directory: ElementDirectory,
    readonly metrics: WebsocketMetrics,
    readonly bus: EventBus,
  ) {}

  specOf(elementId: string): WebsocketSpec | undefined {
    const row = this.directory.row(elementId)
    return row && websocketSpecOf(row)
  }

  policyOf = (c: LocalConnection): SlowPolicy => this.elementPolicy(c.elementId)

  elementPolicy(elementId: string): SlowPolicy {
    const s = this.specOf(elementId)
    return s
      ? { maxBufferedBytes: s.connection.max_buffered_bytes, slowTimeoutMs: s.connection.slow_timeout_ms }
      : DEFAULT_POLICY
  }

  /** The connection when it is held here and belongs to `elementId`. */
  find(elementId: string, connectionId: string): LocalConnection | undefined {
    const c = this.registry.get(connectionId)
    return c && c.elementId === elementId ? c : undefined
  }

  /** Writes one message to one connection: 'sent', 'slow' (skipped) or 'not_found'. */
  send(elementId: string, connectionId: string, payload: Buffer): 'sent' | 'slow' | 'not_found' {
    const c = this.find(elementId, connectionId)
    if (!c) return 'not_found'
    if (!writeTo(c, payload, undefined, this.policyOf(c), Date.now()))
      return c.slowSince ? 'slow' : 'not_found'
    this.metrics.sent.inc({ element: elementId })
    return 'sent'
  }

  broadcast(elementId: string, room: string | undefined, payload: Buffer): FanOutResult {
    const r = fanOut(this.registry.audience(elementId, room), payload, this.elementPolicy(elementId))
    if (r.delivered) {
      this.metrics.sent.inc({ element: elementId }, r.delivered)
      this.metrics.recipients.inc({ element: elementId }, r.delivered)
    }
    return r
  }

  close(elementId: string, connectionId: string, code: number, reason: string): boolean {
    const c = this.find(elementId, connectionId)
    if (!c) return false
    c.ws.close(code, reason)
    // A client that never answers the close frame is cut off rather than held open.
    setTimeout(() => c.ws.terminate(), 5000).unref()
    return true
  }

  /** Checks a room against the spec (enabled, allowed list, per-connection cap) and joins it. */
  join(c: LocalConnection, room: string): RoomChange {
    const spec = this.specOf(c.elementId)
    const refusal = roomRefusal(spec, room)
    if (refusal) return { ok: false, reason: refusal }
    if (!c.rooms.has(room) && c.rooms.size >= (spec?.connection.max_rooms ?? 20))
      return {
        ok: false,
        reason: `the connection is in connection.max_rooms (${spec?.connection.max_rooms}) rooms already`,
      }
    const changed = this.registry.join(c, room)
    return { ok: true, rooms: [...c.rooms].sort(), changed }
  }

  leave(c: LocalConnection, room: string): RoomChange {
    const refusal = roomRefusal(this.specOf(c.elementId), room)
    if (refusal) return { ok: false, reason: refusal }
    const changed = this.registry.leave(c, room)
    return { ok: true, rooms: [...c.rooms].sort(), changed }
  }

  presence(elementId: string, room?: string): PresenceEntry[] {
    return this.registry.presence(elementId, this.nodeId, room)
  }

  elementEvent(element: { id: string; circle_id: string }, type: string, data: JsonObject): void {
    this.bus.publish({
      type,
      circle_id: element.circle_id,
      element_id: element.id,
      actor: null,
      at: new Date().toISOString(),
      data,
    })
  }

  event(c: LocalConnection, type: string, data: JsonObject): void {
    this.bus.publish({
      type,
      circle_id: c.circleId,
      element_id: c.elementId,
      actor: null,
      at: new Date().toISOString(),
      data: { connection_id: c.id, ...data },
    })
  }

  /** Sends a small JSON frame to one connection (welcome, acks, errors, handler replies). */
  reply(c: LocalConnection, body: Json): void {
    writeTo(c, Buffer.from(JSON.stringify(body)), undefined, this.policyOf(c), Date.now())
  }

  errorFrame(c: LocalConnection, code: string, message: string, extra: JsonObject = {}): void {
    this.reply(c, { type: 'error', error: { code, message, ...extra } })
  }
}

/** Why `room` cannot be used on this element, or null. */
export function roomRefusal(spec: WebsocketSpec | undefined, room: string): string | null {
  if (!spec?.rooms.enabled) return 'rooms are not enabled on this element (spec.rooms.enabled)'
  if (!validRoomName(room)) return 'room names are 1-128 characters without control characters'
  if (spec.rooms.allowed && !spec.rooms.allowed.includes(room))
    return `room "${room.slice(0, 128)}" is not in spec.rooms.allowed`
  return null
}
