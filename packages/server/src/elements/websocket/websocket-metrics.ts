// The websocket element's metrics, served at /metrics (events go through LocalNode to the bus).
import { Counter, Gauge, type Registry } from 'prom-client'

export class WebsocketMetrics {
  readonly connections: Counter
  readonly active: Gauge
  readonly sent: Counter
  readonly received: Counter
  readonly broadcasts: Counter
  readonly recipients: Counter
  readonly disconnects: Counter
  readonly rejected: Counter

  constructor(registry: Registry) {
    const registers = [registry]
    const labelNames = ['element']
    this.connections = new Counter({
      name: 'ws_connection_count',
      help: 'WebSocket connections opened',
      labelNames,
      registers,
    })
    this.active = new Gauge({
      name: 'ws_active_connections',
      help: 'WebSocket connections open on this node',
      labelNames,
      registers,
    })
    this.sent = new Counter({
      name: 'ws_message_sent_count',
      help: 'Messages written to clients (send, handler replies, broadcast deliveries)',
      labelNames,
      registers,
    })
    this.received = new Counter({
      name: 'ws_message_received_count',
      help: 'Messages received from clients and driven links',
      labelNames,
      registers,
    })
    this.broadcasts = new Counter({
      name: 'ws_broadcast_count',
      help: 'Broadcast operations',
      labelNames,
      registers,
    })
    this.recipients = new Counter({
      name: 'ws_broadcast_recipients',
      help: 'Sockets broadcasts were written to',
      labelNames,
      registers,
    })
    this.disconnects = new Counter({
      name: 'ws_disconnect_count',
      help: 'WebSocket connections closed',
      labelNames: [...labelNames, 'reason'],
      registers,
    })
    this.rejected = new Counter({
      name: 'ws_connection_rejected_count',
      help: 'Upgrades refused (auth, limit, unknown path)',
      labelNames: [...labelNames, 'code'],
      registers,
    })
  }
}
