// The websocket element's own operations: accept, send, broadcast, close, connections, join,
// leave, receive and test_connection, each with its auth level.
import { Type } from '@sinclair/typebox'
import { PlatformError } from '../../errors.ts'
import type { ElementRow, Json } from '../../storage/storage.ts'
import { receiveOperation, testConnectionOperation } from './receive-operations.ts'
import { websocketSpecOf } from './spec.ts'
import { WS } from './websocket-errors.ts'
import { websocketOperation } from './websocket-operation.ts'

const ConnectionId = Type.String({ minLength: 1, maxLength: 100 })
const Room = Type.String({ minLength: 1, maxLength: 128 })

/** The JSON text of an outbound message, refused when a client of this element could not send it. */
export function checkedSize(el: ElementRow, message: unknown): void {
  const bytes = Buffer.byteLength(JSON.stringify(message ?? null))
  const max = websocketSpecOf(el).connection.max_message_bytes
  if (bytes > max)
    throw new PlatformError(
      WS.WS_MESSAGE_TOO_LARGE,
      `the message is ${bytes} bytes; connection.max_message_bytes is ${max}`,
      {
        bytes,
        max_message_bytes: max,
      },
    )
}

export const websocketOperations = [
  websocketOperation({
    name: 'accept',
    method: 'POST',
    auth: 'execute',
    summary:
      'Issue a one-use connect ticket: the client connecting with ?ticket= gets this connection_id, user and rooms',
    description:
      'Upgrades are accepted at /ws/{circle}{path}; accept lets a backend that already authenticated a user hand the browser a URL carrying a ticket (valid ttl_ms, one use) instead of a shared token. The returned connection_id is the one the connection will have, so send/close/join can be prepared.',
    input: Type.Object(
      {
        user: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
        rooms: Type.Array(Room, { default: [], maxItems: 100 }),
        ttl_ms: Type.Integer({ minimum: 1000, maximum: 600_000, default: 60_000 }),
      },
      { additionalProperties: false },
    ),
    async handler(ctx) {
      const t = await ctx.runtime.withHub((hub) =>
        hub.ticket(ctx.element, ctx.input.user ?? null, ctx.input.rooms, ctx.input.ttl_ms, ctx.actor.keyId),
      )
      const circle = ctx.elementPath.split('/')[0]!
      return { ...t, url: `/ws/${circle}${ctx.spec.path}?ticket=${t['ticket']}` }
    },
  }),
  websocketOperation({
    name: 'send',
    method: 'POST',
    auth: 'execute',
    summary: 'Send a JSON message to one connection (no connection_id: to the driven link)',
    input: Type.Object(
      { connection_id: Type.Optional(ConnectionId), message: Type.Unknown() },
      { additionalProperties: false },
    ),
    async handler(ctx) {
      checkedSize(ctx.element, ctx.input.message)
      return ctx.runtime.withHub((hub) =>
        hub.send(ctx.element, ctx.input.connection_id, (ctx.input.message ?? null) as Json),
      )
    },
  }),
  websocketOperation({
    name: 'broadcast',
    method: 'POST',
    auth: 'execute',
    summary: 'Send a JSON message to every connection, or to one room’s members',
    description:
      'broadcast: true means the send path completed — the message was dispatched to every active subscriber — not that anyone received it. delivered_to is how many sockets it was written to (slow clients over connection.max_buffered_bytes are skipped and not counted), subscriber_count how many connections (or room members) there were. An empty audience (0 and 0) is a success: broadcasts are not queued for offline clients.',
    input: Type.Object(
      { room: Type.Optional(Room), message: Type.Unknown() },
      { additionalProperties: false },
    ),
    async handler(ctx) {
      checkedSize(ctx.element, ctx.input.message)
      return ctx.runtime.withHub((hub) =>
        hub.broadcast(ctx.element, ctx.input.room, (ctx.input.message ?? null) as Json),
      )
    },
  }),
  websocketOperation({
    name: 'close',
    method: 'POST',
    auth: 'execute',
    summary: 'Close one connection with a close frame (code 1000 or 4000-4999, optional reason)',
    input: Type.Object(
      {
        connection_id: ConnectionId,
        code: Type.Union([Type.Literal(1000), Type.Integer({ minimum: 4000, maximum: 4999 })], {
          default: 1000,
        }),
        reason: Type.String({ maxLength: 123, default: '' }),
      },
      { additionalProperties: false },
    ),
    async handler(ctx) {
      return ctx.runtime.withHub((hub) =>
        hub.close(ctx.element, ctx.input.connection_id, ctx.input.code, ctx.input.reason),
      )
    },
  }),
  websocketOperation({
    name: 'connections',
    method: 'GET',
    auth: 'read',
    summary:
      'Presence: every open connection on every node (id, user, rooms, connected_at), and the driven link’s state',
    input: Type.Object({ room: Type.Optional(Room) }, { additionalProperties: false }),
    allowWhenDisabled: true,
    async handler(ctx) {
      return ctx.runtime.withHub((hub) => hub.connections(ctx.element, ctx.input.room))
    },
  }),
  websocketOperation({
    name: 'join',
    method: 'POST',
    auth: 'execute',
    summary: 'Put a connection in a room',
    input: Type.Object({ connection_id: ConnectionId, room: Room }, { additionalProperties: false }),
    async handler(ctx) {
      return ctx.runtime.withHub((hub) =>
        hub.room(ctx.element, 'join', ctx.input.connection_id, ctx.input.room),
      )
    },
  }),
  websocketOperation({
    name: 'leave',
    method: 'POST',
    auth: 'execute',
    summary: 'Take a connection out of a room',
    input: Type.Object({ connection_id: ConnectionId, room: Room }, { additionalProperties: false }),
    async handler(ctx) {
      return ctx.runtime.withHub((hub) =>
        hub.room(ctx.element, 'leave', ctx.input.connection_id, ctx.input.room),
      )
    },
  }),
  receiveOperation,
  testConnectionOperation,
]
