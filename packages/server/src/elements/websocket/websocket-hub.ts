// The operations' view of all connections of an element, on every node: send, broadcast, close,
// join, leave and presence act here and, through the cluster, on the node holding a connection.
import { randomBytes } from 'node:crypto'
import { PlatformError } from '../../errors.ts'
import type { ElementRow, Json, JsonObject } from '../../storage/storage.ts'
import type { Cluster, ClusterRequest } from './cluster.ts'
import type { PresenceEntry } from './connection-registry.ts'
import type { LinkStatus } from './driven-link.ts'
import type { LinkManager } from './link-manager.ts'
import { type LocalNode, type RoomChange, roomRefusal } from './local-node.ts'
import { websocketSpecOf } from './spec.ts'
import type { TicketBody } from './upgrade-admission.ts'
import { WS } from './websocket-errors.ts'

const CONNECTION_ID = /^([0-9a-f]{8})\.[0-9a-f]{16}$/

const notFound = (id: string) =>
  new PlatformError(WS.WS_CONNECTION_NOT_FOUND, `connection ${id.slice(0, 64)} not found or already closed`, {
    connection_id: id.slice(0, 64),
  })

const isNotFound = (r: Json) =>
  r === 'not_found' ||
  r === false ||
  (typeof r === 'object' && r !== null && (r as JsonObject)['reason'] === 'not_found')

/** Exactly the reference text's three fields; the two extras appear only when they say something. */
export interface BroadcastResult {
  broadcast: true
  delivered_to: number
  subscriber_count: number
  /** Audience members over their buffer cap, not written to (only when > 0). */
  skipped_slow?: number
  /** Nodes that did not answer in time (only when some did not). */
  nodes_unreachable?: string[]
}

export class WebsocketHub {
  constructor(
    private readonly node: LocalNode,
    private readonly cluster: Cluster,
    private readonly links: LinkManager,
  ) {}

  /** Answers a request another node sent through the cluster. */
  handle = async (m: ClusterRequest): Promise<Json> => {
    const id = m.element_id
    const node = this.node
    switch (m.op) {
      case 'send':
        return node.send(id, String(m['connection_id']), Buffer.from(String(m['payload'])))
      case 'broadcast': {
        const r = node.broadcast(
          id,
          (m['room'] as string | null) ?? undefined,
          Buffer.from(String(m['payload'])),
        )
        return { ...r }
      }
      case 'close':
        return node.close(id, String(m['connection_id']), Number(m['code']), String(m['reason']))
      case 'join':
      case 'leave': {
        const c = node.find(id, String(m['connection_id']))
        if (!c) return { ok: false, reason: 'not_found' }
        return (m.op === 'join' ? node.join(c, String(m['room'])) : node.leave(c, String(m['room']))) as Json
      }
      case 'connections':
        return {
          connections: node.presence(id, (m['room'] as string | null) ?? undefined) as unknown as Json,
          link: (this.links.status(id) as unknown as Json) ?? null,
          node: node.nodeId,
        }
      case 'link_send':
        return this.links.send(id, String(m['payload']))
      default:
        return null
    }
  }

  private nodeOf(connectionId: string): string {
    const m = CONNECTION_ID.exec(connectionId)
    if (!m) throw notFound(connectionId)
    return m[1]!
  }

  /**
   * Runs `op` where the connection lives: the node named in its id (here or remote). A
   * connection opened with an accept ticket may live on another node than the one that chose
   * its id, so a miss asks every other node before it is reported as not found.
   */
  private async onOwner(
    el: ElementRow,
    connectionId: string,
    msg: JsonObject,
    local: () => Json,
  ): Promise<Json> {
    const owner = this.nodeOf(connectionId)
    const request = { ...msg, element_id: el.id } as ClusterRequest
    let r: Json = 'not_found'
    if (owner === this.node.nodeId) r = local()
    else if (this.cluster.distributed)
      r = (await this.cluster.request(owner, request)).replies[0] ?? 'not_found'
    if (!isNotFound(r) || !this.cluster.distributed) return r
    if (owner !== this.node.nodeId) {
      const here = local()
      if (!isNotFound(here)) return here
    }
    const g = await this.cluster.request('others', request)
    return g.replies.find((x) => !isNotFound(x)) ?? r
  }

  async send(el: ElementRow, connectionId: string | undefined, message: Json): Promise<JsonObject> {
    const payload = JSON.stringify(message)
    if (connectionId === undefined) return this.sendToLink(el, payload)
    const r = await this.onOwner(el, connectionId, { op: 'send', connection_id: connectionId, payload }, () =>
      this.node.send(el.id, connectionId, Buffer.from(payload)),
    )
    if (isNotFound(r)) throw notFound(connectionId)
    this.node.elementEvent(el, 'ws.message.sent', {
      connection_id: connectionId,
      bytes: Buffer.byteLength(payload),
    })
    return {
      sent: r === 'sent',
      connection_id: connectionId,
      ...(r === 'slow' ? { skipped: 'slow_client' } : {}),
    }
  }

  private async sendToLink(el: ElementRow, payload: string): Promise<JsonObject> {
    const spec = websocketSpecOf(el)
    if (!spec.url)
      throw new PlatformError(
        WS.WS_NOT_DRIVEN,
        'this element has no spec.url: give a connection_id to send to a client',
      )
    let r: Json = this.links.send(el.id, payload)
    if (r === 'elsewhere' && this.cluster.distributed) {
      const holder = await this.cluster.lockHolder(`link:${el.id}`)
      if (holder && holder !== this.node.nodeId) {
        const g = await this.cluster.request(holder, { op: 'link_send', element_id: el.id, payload })
        r = g.replies[0] ?? 'elsewhere'
      }
    }
    if (r !== 'sent')
      throw new PlatformError(
        WS.WS_CONNECTION_FAILED,
        'the driven link is not open; see connections for its state',
        {
          link: r === 'down' ? 'reconnecting' : 'not held by any node',
        },
      )
    this.node.elementEvent(el, 'ws.message.sent', {
      connection_id: 'link',
      bytes: Buffer.byteLength(payload),
    })
    return { sent: true, connection_id: 'link' }
  }

  async broadcast(el: ElementRow, room: string | undefined, message: Json): Promise<BroadcastResult> {
    const spec = websocketSpecOf(el)
    if (room !== undefined) {
      const refusal = roomRefusal(spec, room)
      if (refusal) throw new PlatformError(WS.WS_ROOM_NOT_ALLOWED, refusal, { room: room.slice(0, 128) })
    }
    const payload = JSON.stringify(message)
    const local = this.node.broadcast(el.id, room, Buffer.from(payload))
    const result: BroadcastResult = {
      broadcast: true,
      delivered_to: local.delivered,
      subscriber_count: local.subscribers,
    }
    let skipped = local.skipped
    if (this.cluster.distributed) {
      const g = await this.cluster.request('others', {
        op: 'broadcast',
        element_id: el.id,
        room: room ?? null,
        payload,
      })
      for (const r of g.replies as unknown as Array<{
        delivered: number
        subscribers: number
        skipped: number
      }>) {
        result.delivered_to += r.delivered
        result.subscriber_count += r.subscribers
        skipped += r.skipped
      }
      if (g.missing.length) result.nodes_unreachable = g.missing
    }
    if (skipped) result.skipped_slow = skipped
    this.node.metrics.broadcasts.inc({ element: el.id })
    this.node.elementEvent(el, 'ws.broadcast.completed', {
      room: room ?? null,
      delivered_to: result.delivered_to,
      subscriber_count: result.subscriber_count,
      bytes: Buffer.byteLength(payload),
    })
    return result
  }

  async close(el: ElementRow, connectionId: string, code: number, reason: string): Promise<JsonObject> {
    const r = await this.onOwner(
      el,
      connectionId,
      { op: 'close', connection_id: connectionId, code, reason },
      () => this.node.close(el.id, connectionId, code, reason),
    )
    if (r !== true) throw notFound(connectionId)
    return { closed: true, connection_id: connectionId, code }
  }

  async room(el: ElementRow, op: 'join' | 'leave', connectionId: string, room: string): Promise<JsonObject> {
    const refusal = roomRefusal(websocketSpecOf(el), room)
    if (refusal) throw new PlatformError(WS.WS_ROOM_NOT_ALLOWED, refusal, { room: room.slice(0, 128) })
    const r = (await this.onOwner(el, connectionId, { op, connection_id: connectionId, room }, () => {
      const c = this.node.find(el.id, connectionId)
      if (!c) return { ok: false, reason: 'not_found' }
      return (op === 'join' ? this.node.join(c, room) : this.node.leave(c, room)) as Json
    })) as RoomChange
    if (isNotFound(r as unknown as Json)) throw notFound(connectionId)
    if (!r.ok) throw new PlatformError(WS.WS_ROOM_NOT_ALLOWED, r.reason, { room: room.slice(0, 128) })
    return { connection_id: connectionId, room, rooms: r.rooms, changed: r.changed }
  }

  async connections(el: ElementRow, room: string | undefined): Promise<JsonObject> {
    const spec = websocketSpecOf(el)
    const all: PresenceEntry[] = this.node.presence(el.id, room)
    let link: LinkStatus | null = this.links.status(el.id) ?? null
    let linkNode: string | null = link ? this.node.nodeId : null
    let missing: string[] = []
    if (this.cluster.distributed) {
      const g = await this.cluster.request('others', {
        op: 'connections',
        element_id: el.id,
        room: room ?? null,
      })
      for (const r of g.replies as unknown as Array<{
        connections: PresenceEntry[]
        link: LinkStatus | null
        node: string
      }>) {
        all.push(...r.connections)
        if (r.link && !link) {
          link = r.link
          linkNode = r.node
        }
      }
      missing = g.missing
    }
    all.sort(
      (a, b) =>
        a.connected_at.localeCompare(b.connected_at) || a.connection_id.localeCompare(b.connection_id),
    )
    return {
      mode: spec.url ? 'driven' : 'exposed',
      count: all.length,
      max_connections: spec.max_connections,
      room: room ?? null,
      connections: all as unknown as Json,
      ...(spec.url
        ? { link: link ? ({ ...link, node: linkNode } as unknown as Json) : { state: 'not_held', url: null } }
        : {}),
      nodes_unreachable: missing,
    }
  }

  /**
   * A one-use connect ticket carrying a connection_id chosen now, a user and rooms (the accept
   * operation), and the key that asked for it: the connection lives only as long as that key.
   */
  async ticket(
    el: ElementRow,
    user: string | null,
    rooms: string[],
    ttlMs: number,
    keyId: string,
  ): Promise<JsonObject> {
    const spec = websocketSpecOf(el)
    for (const room of rooms) {
      const refusal = roomRefusal(spec, room)
      if (refusal) throw new PlatformError(WS.WS_ROOM_NOT_ALLOWED, refusal, { room: room.slice(0, 128) })
    }
    const ticket = randomBytes(24).toString('base64url')
    const body: TicketBody = {
      element_id: el.id,
      connection_id: `${this.node.nodeId}.${randomBytes(8).toString('hex')}`,
      user,
      rooms: [...new Set(rooms)],
      key_id: keyId,
    }
    await this.cluster.putTicket(ticket, JSON.stringify(body), ttlMs)
    return {
      ticket,
      connection_id: body.connection_id,
      expires_at: new Date(Date.now() + ttlMs).toISOString(),
    }
  }
}
