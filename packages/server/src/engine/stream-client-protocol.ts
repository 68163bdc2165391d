// The stream client protocol's client -> server messages (iii engine / Motia stream clients):
// `{"type": "join"|"leave", "data": {subscriptionId, streamName, groupId, id?}}`, parsed into a
// join, a leave, or the error frame's code and message (a bad frame never closes the socket).
import { jsonTextTooDeep, tooDeepMessage } from '../json-depth.ts'
import type { JsonObject } from '../storage/storage.ts'
import { MAX_NAME_BYTES } from './state-functions.ts'

export interface JoinData {
  subscriptionId: string
  streamName: string
  groupId: string
  /** Set: the subscription covers this item only. */
  id: string | null
}

export type ClientMessage =
  | { type: 'join'; join: JoinData }
  | { type: 'leave'; subscriptionId: string }
  | {
      type: 'error'
      code: 'invalid_message' | 'unknown_message_type'
      message: string
      subscriptionId?: string
    }

const NAME_RULE = `must be a non-empty string of at most ${MAX_NAME_BYTES} bytes`

const invalid = (message: string, subscriptionId?: string): ClientMessage => ({
  type: 'error',
  code: 'invalid_message',
  message,
  ...(subscriptionId ? { subscriptionId } : {}),
})

function validName(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0 && Buffer.byteLength(v) <= MAX_NAME_BYTES
}

/** null for an empty frame (a keep-alive: ignored, as the iii engine ignores it). */
export function parseClientMessage(text: string): ClientMessage | null {
  if (!text.trim()) return null
  if (jsonTextTooDeep(text)) return invalid(tooDeepMessage('the frame'))
  let msg: unknown
  try {
    msg = JSON.parse(text)
  } catch {
    return invalid('the frame is not JSON')
  }
  if (!msg || typeof msg !== 'object' || Array.isArray(msg))
    return invalid('a message is {"type": "join"|"leave", "data": {…}}')
  const m = msg as { type?: unknown; data?: unknown }
  if (m.type !== 'join' && m.type !== 'leave')
    return {
      type: 'error',
      code: 'unknown_message_type',
      message: `unknown message type ${String(JSON.stringify(m.type)).slice(0, 100)}; send "join" or "leave"`,
    }
  const data = (m.data && typeof m.data === 'object' && !Array.isArray(m.data) ? m.data : {}) as JsonObject
  const { subscriptionId, streamName, groupId, id } = data
  if (!validName(subscriptionId)) return invalid(`data.subscriptionId ${NAME_RULE}`)
  if (m.type === 'leave') return { type: 'leave', subscriptionId }
  if (!validName(streamName)) return invalid(`data.streamName ${NAME_RULE}`, subscriptionId)
  if (!validName(groupId)) return invalid(`data.groupId ${NAME_RULE}`, subscriptionId)
  if (id !== undefined && id !== null && !validName(id))
    return invalid(`data.id (optional) ${NAME_RULE}`, subscriptionId)
  return {
    type: 'join',
    join: { subscriptionId, streamName, groupId, id: typeof id === 'string' ? id : null },
  }
}
