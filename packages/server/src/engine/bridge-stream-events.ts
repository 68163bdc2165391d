// Stream change events between engines, as iii's stream bridge carries them: every change is one
// iii StreamWrapperMessage `{type: "stream", timestamp, streamName, groupId, id, event: {type:
// create|update|delete, data}}` (or a `stream::send` event: `event: {type: "event", event: {type,
// data}}`) published on the pub/sub topic `stream.events` of the engine that holds the items. A bridge publishes the changes it made there itself (iii's `emit_event`) and
// subscribes to the topic to hear everyone else's. Periodic adds `origin` (the bridge's id) to
// what it publishes so it can skip its own echo (iii ignores the extra field), and, holding the
// items, publishes the changes made directly on it (iii's engine does not), leaving out the writes
// of a bridge (a connection subscribed to the topic), which relays its own.
import type { Json, JsonObject } from '../storage/storage.ts'
import type { BridgeClient } from './bridge-client.ts'
import type { ItemChangeEvent } from './state-functions.ts'
import type { ItemRef } from './state-store.ts'
import type { StreamCustomEvent } from './stream-send.ts'

export const STREAM_EVENTS_TOPIC = 'stream.events'

/** iii's StreamWrapperMessage of a stream item's change (`origin`: the bridge that made it). */
export function streamEventOf(e: ItemChangeEvent, origin?: string): JsonObject {
  const type = e.change === 'created' ? 'create' : e.change === 'updated' ? 'update' : 'delete'
  return {
    type: 'stream',
    timestamp: Date.now(),
    streamName: e.ref.scope,
    groupId: e.ref.group,
    id: e.ref.key,
    event: { type, data: (e.change === 'deleted' ? e.old_value : e.new_value) ?? null },
    ...(origin ? { origin } : {}),
  }
}

/** iii's StreamWrapperMessage of a `stream::send` event. */
export function customStreamEventOf(e: StreamCustomEvent, origin?: string): JsonObject {
  return {
    type: 'stream',
    timestamp: Date.now(),
    streamName: e.streamName,
    groupId: e.groupId,
    id: e.id,
    event: { type: 'event', event: { type: e.type, data: e.data ?? null } },
    ...(origin ? { origin } : {}),
  }
}

/** iii's `emit_event` over a bridge: fire and forget (a lost publish loses the event, not the write). */
export function publishStreamEvent(client: BridgeClient, data: JsonObject): void {
  client.call('publish', { topic: STREAM_EVENTS_TOPIC, data }).catch(() => {})
}

const str = (v: Json | undefined): string | null => (typeof v === 'string' && v.length > 0 ? v : null)

/**
 * What a `stream.events` message received over a bridge reports for `circleId`'s streams: an item
 * change or a `stream::send` event; null for one this bridge published itself (`origin`) or a
 * malformed one. An update's old value is not in the message (undefined here).
 */
export function fromStreamEvent(
  circleId: string,
  data: Json,
  origin: string,
): { change: ItemChangeEvent } | { custom: StreamCustomEvent } | null {
  if (!data || typeof data !== 'object' || Array.isArray(data) || data['origin'] === origin) return null
  const scope = str(data['streamName'])
  const group = str(data['groupId'])
  const key = str(data['id'])
  const ev = data['event']
  if (!scope || !group || !ev || typeof ev !== 'object' || Array.isArray(ev)) return null
  const inner = ev['event']
  if (ev['type'] === 'event' && inner && typeof inner === 'object' && !Array.isArray(inner)) {
    const type = str(inner['type'])
    if (!type) return null
    const custom = { circleId, streamName: scope, groupId: group, id: key, type, data: inner['data'] ?? null }
    return { custom: { ...custom, bridged: true } }
  }
  if (!key) return null
  const ref: ItemRef = { circleId, kind: 'stream', scope, group, key }
  const value = ev['data'] ?? null
  const at = { ref, old_value: undefined, new_value: undefined, bridged: true } as const
  if (ev['type'] === 'create') return { change: { ...at, change: 'created', new_value: value } }
  if (ev['type'] === 'update') return { change: { ...at, change: 'updated', new_value: value } }
  if (ev['type'] === 'delete') return { change: { ...at, change: 'deleted', old_value: value } }
  return null
}
