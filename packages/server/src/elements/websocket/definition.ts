// websocket: the platform's persistent, full-duplex connections — exposed endpoints with rooms,
// presence and broadcast, or a driven outbound link — across nodes through Redis.
import { defineElement } from '../element.ts'
import { deleteOperation } from './delete-operation.ts'
import { sealJwtSecret } from './jwt-secret.ts'
import {
  finalizeWebsocketSpec,
  presentWebsocketSpec,
  websocketAdvisories,
  websocketRules,
  websocketSpec,
  wiredHandlers,
} from './spec.ts'
import { WS } from './websocket-errors.ts'
import { websocketOperations } from './websocket-operations.ts'
import { WebsocketRuntime } from './websocket-runtime.ts'

export const websocketType = defineElement({
  type: 'websocket',
  name: 'WebSocket',
  description:
    'Real-time bidirectional connections: exposed at /ws/{circle}{path} with rooms, presence and broadcast, or driven to an external spec.url.',
  symbol: 'Ws',
  category: 'io',
  form: 'atom',
  spec: websocketSpec,
  rules: websocketRules,
  advisories: websocketAdvisories,
  finalizeSpec: finalizeWebsocketSpec,
  presentSpec: presentWebsocketSpec,
  sealSpec: sealJwtSecret,
  wiredElements: wiredHandlers,
  states: ['ready', 'disabled', 'deleted'],
  initialState: 'ready',
  errors: WS,
  capabilities: ['websocket', 'rooms', 'broadcast', 'presence', 'heartbeat'],
  metrics: [
    'connection_count',
    'active_connections',
    'message_sent_count',
    'broadcast_count',
    'broadcast_recipients',
    'disconnect_count',
    'message_received_count',
  ],
  events: [
    'ws.connection.opened',
    'ws.connection.closed',
    'ws.message.received',
    'ws.message.sent',
    'ws.broadcast.completed',
    'ws.connection.rejected',
  ],
  runtime: (platform) => new WebsocketRuntime(platform),
  operations: [...websocketOperations, deleteOperation],
})
