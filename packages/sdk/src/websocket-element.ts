// client.websocket('acme/chat'): the websocket element's own operations (broadcast, send,
// close, connections, join, leave) on top of ElementHandle.
import { ElementHandle } from './elements-api.ts'
import type { components } from './generated/openapi.ts'
import type { RequestOptions } from './http-transport.ts'

type Schemas = components['schemas']

/** `broadcast: true`: the send path completed; an empty audience is still a success. */
export type BroadcastResult = Schemas['BroadcastResult']
export type WebSocketConnection = Schemas['WebSocketConnection']
/** `connections()`: the live connections (on every node when the server runs several). */
export type WebSocketConnections = Schemas['WebSocketConnections']

export class WebSocketElement extends ElementHandle {
  /** Sends `message` to every connection, or to one room's members. */
  broadcast(message: unknown, options: RequestOptions & { room?: string } = {}): Promise<BroadcastResult> {
    const { room, ...request } = options
    return this.call('broadcast', room === undefined ? { message } : { message, room }, {
      ...request,
      method: 'POST',
    })
  }

  /** To one connection; without a connection id, to a driven element's outbound link. */
  send(
    message: unknown,
    options: RequestOptions & { connectionId?: string } = {},
  ): Promise<Record<string, unknown>> {
    const { connectionId, ...request } = options
    const input = connectionId === undefined ? { message } : { message, connection_id: connectionId }
    return this.call('send', input, { ...request, method: 'POST' })
  }

  /** Live connections (on every node when the server runs several). */
  connections(options: RequestOptions & { room?: string } = {}): Promise<WebSocketConnections> {
    const { room, ...request } = options
    return this.call('connections', room === undefined ? undefined : { room }, { ...request, method: 'GET' })
  }

  close(
    connectionId: string,
    options: RequestOptions & { code?: number; reason?: string } = {},
  ): Promise<Record<string, unknown>> {
    const { code, reason, ...request } = options
    const input: Record<string, unknown> = { connection_id: connectionId }
    if (code !== undefined) input['code'] = code
    if (reason !== undefined) input['reason'] = reason
    return this.call('close', input, { ...request, method: 'POST' })
  }
}
