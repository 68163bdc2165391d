// What the cookie-jar's describe and the websocket element's broadcast and connections answer,
// as named schemas (set on their operations by operation id, like element-operation-schemas.ts).
import { Type } from '@sinclair/typebox'
import {
  AnyJsonObject,
  componentRef,
  NullableNumber,
  NullableString,
  NullableTimestamp,
  Timestamp,
} from './component-ref.ts'

export const JarDescription = Type.Object(
  {
    cookie_count: Type.Integer(),
    cookies_version: Type.Integer({
      description: 'Bumped by every write; compare-and-set with expected_version.',
    }),
    cookies_updated_at: Type.String({ description: 'ISO 8601; empty before the first write.' }),
    attached_browser_id: Type.String({ description: 'Empty when no browser is attached.' }),
    state: Type.Union([Type.Literal('empty'), Type.Literal('populated'), Type.Literal('orphaned')]),
    domains: Type.Array(Type.Object({ domain: Type.String(), count: Type.Integer() })),
    expired_count: Type.Integer(),
    session_count: Type.Integer({ description: 'Cookies without an expiration.' }),
    oldest_expiration: NullableNumber('Seconds since the epoch.'),
    newest_expiration: NullableNumber('Seconds since the epoch.'),
    oldest_expiration_at: NullableTimestamp(),
    newest_expiration_at: NullableTimestamp(),
    limit: Type.Integer({ description: 'Cookies a jar may hold.' }),
    near_capacity: Type.Boolean(),
  },
  { additionalProperties: true },
)

export const BroadcastResult = Type.Object({
  broadcast: Type.Literal(true, {
    description: 'The send path completed; an empty audience is still a success.',
  }),
  delivered_to: Type.Integer({ description: 'Sockets the message was written to.' }),
  subscriber_count: Type.Integer({ description: 'Connections (or room members) there were.' }),
  skipped_slow: Type.Optional(
    Type.Integer({ description: 'Members over their buffer cap (only when > 0).' }),
  ),
  nodes_unreachable: Type.Optional(
    Type.Array(Type.String(), { description: 'Nodes that did not answer in time (only when some did not).' }),
  ),
})

export const WebSocketConnection = Type.Object(
  {
    connection_id: Type.String(),
    connected_at: Timestamp(),
    user: NullableString(),
    rooms: Type.Array(Type.String()),
    remote: Type.String({ description: 'The client’s address.' }),
    node: Type.String({ description: 'The node holding the socket.' }),
    buffered_bytes: Type.Integer(),
  },
  { additionalProperties: true },
)

export const WebSocketConnections = Type.Object(
  {
    mode: Type.Union([Type.Literal('exposed'), Type.Literal('driven')]),
    count: Type.Integer(),
    max_connections: Type.Integer(),
    room: NullableString(),
    connections: Type.Array(componentRef('WebSocketConnection', WebSocketConnection)),
    link: Type.Optional(AnyJsonObject('Driven mode: the outbound link’s state and the node holding it.')),
    nodes_unreachable: Type.Array(Type.String()),
  },
  { additionalProperties: true },
)

export const jarWebSocketSchemas = {
  JarDescription,
  BroadcastResult,
  WebSocketConnection,
  WebSocketConnections,
}

export const jarWebSocketResponses: Record<string, Record<string, string>> = {
  cookie_jar_describe_get: { '200': 'JarDescription' },
  websocket_broadcast_post: { '200': 'BroadcastResult' },
  websocket_connections_get: { '200': 'WebSocketConnections' },
}
