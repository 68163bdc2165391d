// Stream change events between engines, as iii's stream bridge carries them: every change is one
// iii StreamWrapperMessage `{type: "stream", timestamp, streamName, groupId, id, event: {type:
// create|update|delete, data}}` published on the pub/sub topic `stream.events` of the engine that
// holds the items. A bridge publishes the changes it made there itself (iii's `emit_event`) and
// subscribes to the topic to hear everyone else's. Periodic adds `origin` (the bridge's id) to
// what it publishes so it can skip its own echo (iii ignores the extra field), and, holding the
// items, publishes the changes made directly on it (iii's engine does not), leaving out the writes
// of a bridge (a connection subscribed to the topic), which relays its own.
import type { Json, JsonObject } from '../storage/storage.ts'
import type { ItemChangeEvent } from './state-functions.ts'
import type { ItemRef } from './state-store.ts'

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

const str = (v: Json | undefined): string | null => (typeof v === 'string' && v.length > 0 ? v : null)

/**
 * The change a `stream.events` message received over a bridge reports, for `circleId`'s stream
 * items; null for one this bridge published itself (`origin`) or that is not an item change
 * (custom `event`s, malformed). An update's old value is not in the message (undefined here).
 */
export function changeOfStreamEvent(circleId: string, data: Json, origin: string): ItemChangeEvent | null {
  if (!data || typeof data !== 'object' || Array.isArray(data) || data['origin'] === origin) return null
  const scope = str(data['streamName'])
  const group = str(data['groupId'])
  const key = str(data['id'])
  const ev = data['event']
  if (!scope || !group || !key || !ev || typeof ev !== 'object' || Array.isArray(ev)) return null
  const ref: ItemRef = { circleId, kind: 'stream', scope, group, key }
  const value = ev['data'] ?? null
  if (ev['type'] === 'create')
    return { ref, change: 'created', old_value: undefined, new_value: value, bridged: true }
  if (ev['type'] === 'update')
    return { ref, change: 'updated', old_value: undefined, new_value: value, bridged: true }
  if (ev['type'] === 'delete')
    return { ref, change: 'deleted', old_value: value, new_value: undefined, bridged: true }
  return null
}
