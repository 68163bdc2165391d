// The WebSocket operations' answers, by the fields the panel reads (docs/elements/websocket.md).

export interface WsConnection {
  connection_id: string
  connected_at: string
  user: string | null
  rooms: string[]
  remote: string
  node: string
  buffered_bytes?: number
}

export interface WsConnections {
  mode: 'exposed' | 'driven'
  count: number
  max_connections: number
  connections: WsConnection[]
  link?: {
    state: string
    url: string | null
    retry_count?: number
    last_error?: string | null
    node?: string | null
  }
  nodes_unreachable?: string[]
}

/** The user the panel's own tail connection carries, so it can be told apart in presence. */
export const TAIL_USER = 'portal-tail'
