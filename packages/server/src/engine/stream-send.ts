// iii's `stream::send`: a custom event ({type, data}) for the clients subscribed to a stream
// group, or to one item of it, stored nowhere. The payload is iii's StreamSendInput
// `{stream_name, group_id, id?, type, data}`; clients get it as Motia's `{type: "event", event:
// {type, data}}` inside the usual stream frame (stream-subscriptions.ts delivers it, Redis carries
// it to the other nodes).
import type { Json, JsonObject } from '../storage/storage.ts'
import type { Engine } from './engine.ts'
import { EngineError } from './engine-error.ts'
import { MAX_ITEM_BYTES, MAX_NAME_BYTES } from './state-functions.ts'

export const MAX_EVENT_TYPE_CHARS = 256

/** One custom event as the hub (and Redis) carries it. */
export interface StreamCustomEvent {
  circleId: string
  streamName: string
  groupId: string
  /** Set: only the subscriptions of this item (and the group's) get it. */
  id: string | null
  type: string
  data: Json
  /** The connected worker that sent it (this node's worker id). */
  writer?: string
  /** Sent by, or received from, a bridge to another engine: not relayed on `stream.events`. */
  bridged?: true
}

const invalid = (message: string) => new EngineError('invalid_payload', message)

function name(input: JsonObject, field: string): string {
  const v = input[field]
  if (typeof v !== 'string' || v.length === 0 || Buffer.byteLength(v) > MAX_NAME_BYTES)
    throw invalid(`${field} must be a non-empty string of at most ${MAX_NAME_BYTES} bytes`)
  return v
}

/** Checks a `stream::send` payload; throws `invalid_payload` (or `value_too_large` for data). */
export function parseStreamSend(circleId: string, input: Json): StreamCustomEvent {
  if (!input || typeof input !== 'object' || Array.isArray(input))
    throw invalid('the payload must be a JSON object {stream_name, group_id, id?, type, data}')
  const type = input['type']
  if (typeof type !== 'string' || type.length === 0 || type.length > MAX_EVENT_TYPE_CHARS)
    throw invalid(`type must be a non-empty string of at most ${MAX_EVENT_TYPE_CHARS} characters`)
  const id = input['id'] ?? null
  if (id !== null && (typeof id !== 'string' || id.length === 0 || Buffer.byteLength(id) > MAX_NAME_BYTES))
    throw invalid(`id, when given, must be a non-empty string of at most ${MAX_NAME_BYTES} bytes`)
  const data = input['data'] ?? null
  // The same bound (and code) as a stream item written with stream::set.
  const bytes = Buffer.byteLength(JSON.stringify(data))
  if (bytes > MAX_ITEM_BYTES)
    throw new EngineError(
      'value_too_large',
      `data is ${bytes} bytes; an event carries at most ${MAX_ITEM_BYTES}`,
    )
  return {
    circleId,
    streamName: name(input, 'stream_name'),
    groupId: name(input, 'group_id'),
    id,
    type,
    data,
  }
}

/** Registers `stream::send`; `deliver` hands the event to this node's clients and the others. */
export function addStreamSendFunction(engine: Engine, deliver: (e: StreamCustomEvent) => void): void {
  engine.addBuiltin({
    id: 'stream::send',
    description: 'Send a custom event {type, data} to the clients subscribed to a stream group or item',
    scope: 'write',
    handler: (input, { caller }) => {
      const e = parseStreamSend(caller.circleId, input)
      deliver(caller.workerId ? { ...e, writer: caller.workerId } : e)
      // iii answers nothing: the event is not stored and nobody acknowledges it.
      return null
    },
  })
}
