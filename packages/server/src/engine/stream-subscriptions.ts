// Stream subscriptions for clients (browsers): over WebSocket a client joins a stream group (or
// one item) with the iii engine's / Motia's stream client protocol, gets a `sync` of the current
// items, then every create/update/delete after the write commits, and the custom events of
// `stream::send` (stream-send.ts). Transport-free apart from the socket: the upgrade and its
// auth live in stream-client-port.ts.
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { type WebSocket, WebSocketServer } from 'ws'
import type { Json } from '../storage/storage.ts'
import type { TriggerFailureLog } from './change-triggers.ts'
import type { EndConnection } from './credential-watch.ts'
import type { Engine } from './engine.ts'
import type { ItemChangeEvent } from './state-functions.ts'
import type { StateStore } from './state-store.ts'
import { type JoinData, parseClientMessage } from './stream-client-protocol.ts'
import { JoinLeaveTriggers, type StreamJoinLeaveEvent } from './stream-join-triggers.ts'
import type { StreamCustomEvent } from './stream-send.ts'

/** Bounds: a client frame is small (close 1009 above it), and what one client may hold. */
export const STREAM_CLIENT_LIMITS = {
  maxFrameBytes: 64 * 1024,
  maxSubscriptionsPerConnection: 256,
  maxConnections: 10_000,
  /** A client that reads slower than changes arrive is closed (1013) rather than buffered forever. */
  maxBufferedBytes: 8 * 1024 * 1024,
}

export interface StreamCircle {
  circleId: string
  circleSlug: string
}

interface Subscription {
  conn: ClientConnection
  subscriptionId: string
  streamName: string
  groupId: string
  id: string | null
  /** Changes seen while the join was pending: sent right after the sync, so none is lost. */
  backlog: string[] | null
  /** Its join triggers accepted it (so leave triggers fire when it ends). */
  joined: boolean
  ended: boolean
}

interface ClientConnection {
  ws: WebSocket
  circle: StreamCircle
  context: Json
  subs: Map<string, Subscription>
  /** Joins whose triggers are still answering (a join left early no longer counts in `subs`). */
  pendingJoins: number
  closed: boolean
}

const groupKey = (circleId: string, stream: string, group: string) => `${circleId}\0${stream}\0${group}`

export class StreamSubscriptions {
  readonly joinTriggers: JoinLeaveTriggers
  readonly leaveTriggers: JoinLeaveTriggers
  private readonly wss = new WebSocketServer({
    noServer: true,
    maxPayload: STREAM_CLIENT_LIMITS.maxFrameBytes,
  })
  /** circle + stream + group -> the subscriptions there (group-wide and item-level). */
  private readonly byGroup = new Map<string, Set<Subscription>>()
  private readonly connections = new Set<ClientConnection>()
  private closing = false

  constructor(
    engine: Engine,
    private readonly store: StateStore,
    private readonly log: TriggerFailureLog,
    private readonly limits = STREAM_CLIENT_LIMITS,
  ) {
    this.joinTriggers = new JoinLeaveTriggers('stream:join', engine, log)
    this.leaveTriggers = new JoinLeaveTriggers('stream:leave', engine, log)
  }

  /**
   * Completes an authorized upgrade; `context` is what the auth function answered. `watch`
   * registers the connection's credential (returning the deregistration): when it is revoked the
   * client stops getting events at once and is closed.
   */
  accept(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    circle: StreamCircle,
    context: Json,
    watch?: (end: EndConnection) => () => void,
  ): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('error', () => {})
      if (this.closing || this.connections.size >= this.limits.maxConnections) {
        // Browsers cannot read a refused upgrade's status, so the refusal is a close code.
        ws.close(1013, 'too_many_connections')
        return
      }
      const conn: ClientConnection = { ws, circle, context, subs: new Map(), pendingJoins: 0, closed: false }
      this.connections.add(conn)
      const unwatch = watch?.((code, reason) => {
        this.onClose(conn)
        ws.close(code, reason)
        setTimeout(() => ws.terminate(), 1000).unref()
      })
      // Binary frames are read as JSON too, as the iii engine does.
      ws.on('message', (data) => {
        if (!conn.closed) this.onMessage(conn, data.toString())
      })
      ws.on('close', () => {
        unwatch?.()
        this.onClose(conn)
      })
    })
  }

  /** After a write committed (this node's or, through Redis, another's). */
  onChange(e: ItemChangeEvent): void {
    if (e.ref.kind !== 'stream') return
    const subs = this.byGroup.get(groupKey(e.ref.circleId, e.ref.scope, e.ref.group))
    if (!subs?.size) return
    const type = e.change === 'created' ? 'create' : e.change === 'updated' ? 'update' : 'delete'
    const frame = JSON.stringify({
      type: 'stream',
      streamName: e.ref.scope,
      groupId: e.ref.group,
      id: e.ref.key,
      timestamp: Date.now(),
      event: { type, data: (e.change === 'deleted' ? e.old_value : e.new_value) ?? null },
    })
    this.deliver(subs, e.ref.key, frame)
  }

  /**
   * A `stream::send` event (this node's or, through Redis, another's). As on iii, group
   * subscriptions get every event of the group and an item subscription only those sent with
   * its item's id (not the group-wide ones).
   */
  onCustomEvent(e: StreamCustomEvent): void {
    const subs = this.byGroup.get(groupKey(e.circleId, e.streamName, e.groupId))
    if (!subs?.size) return
    const frame = JSON.stringify({
      type: 'stream',
      streamName: e.streamName,
      groupId: e.groupId,
      id: e.id,
      timestamp: Date.now(),
      event: { type: 'event', event: { type: e.type, data: e.data ?? null } },
    })
    this.deliver(subs, e.id, frame)
  }

  /** To the group's subscriptions and those of item `id`; a pending join keeps it for after its sync. */
  private deliver(subs: Set<Subscription>, id: string | null, frame: string): void {
    for (const s of subs) {
      if (s.id !== null && s.id !== id) continue
      if (s.backlog) s.backlog.push(frame)
      else this.send(s.conn, frame)
    }
  }

  /** Says 1001 to every client (cut after 1 s); no leave triggers fire: the server is stopping. */
  async close(): Promise<void> {
    this.closing = true
    await Promise.all(
      [...this.connections].map(
        (c) =>
          new Promise<void>((resolve) => {
            c.ws.once('close', () => resolve())
            c.ws.close(1001, 'server_shutdown')
            setTimeout(() => c.ws.terminate(), 1000).unref()
          }),
      ),
    )
  }

  /** Ends every client at once (the HTTP server waits for its sockets). */
  terminate(): void {
    this.closing = true
    for (const c of this.connections) c.ws.terminate()
  }

  private onMessage(conn: ClientConnection, text: string): void {
    const m = parseClientMessage(text)
    if (m === null) return
    if (m.type === 'join') void this.join(conn, m.join)
    else if (m.type === 'leave') this.leave(conn, m.subscriptionId)
    else this.error(conn, m.code, m.message, m.subscriptionId)
  }

  private async join(conn: ClientConnection, j: JoinData): Promise<void> {
    const refusal = conn.subs.has(j.subscriptionId)
      ? (['subscription_exists', 'this connection already has a subscription with that id'] as const)
      : conn.subs.size >= this.limits.maxSubscriptionsPerConnection ||
          conn.pendingJoins >= this.limits.maxSubscriptionsPerConnection
        ? ([
            'too_many_subscriptions',
            `a connection holds at most ${this.limits.maxSubscriptionsPerConnection} subscriptions`,
          ] as const)
        : null
    if (refusal) {
      this.error(conn, refusal[0], refusal[1], j.subscriptionId)
      return
    }
    const sub: Subscription = { conn, ...j, backlog: [], joined: false, ended: false }
    conn.subs.set(j.subscriptionId, sub)
    const event = this.eventOf(sub)
    conn.pendingJoins++
    const verdict = await this.joinTriggers.authorize(conn.circle.circleId, event)
    conn.pendingJoins--
    if (!verdict.ok) {
      this.drop(sub)
      // iii's own refusal (what iii clients watch for), then the error frame naming the subscription.
      this.send(conn, this.wrapped(sub, { type: 'unauthorized' }))
      this.error(conn, verdict.code, verdict.message, j.subscriptionId)
      return
    }
    sub.joined = true
    if (sub.ended || conn.closed) {
      // Left (or gone) while its join triggers ran: they saw the join, so they see the leave.
      this.leaveTriggers.fire(conn.circle.circleId, event)
      return
    }
    // Listen before reading, so no change between the read and the sync goes missing.
    const key = groupKey(conn.circle.circleId, sub.streamName, sub.groupId)
    const subs = this.byGroup.get(key) ?? new Set()
    this.byGroup.set(key, subs)
    subs.add(sub)
    let data: Json
    try {
      data = await this.syncData(conn.circle.circleId, sub)
    } catch (err) {
      this.log({ err: (err as Error).message }, 'engine: stream subscription sync failed')
      this.end(sub)
      this.error(conn, 'internal_error', 'reading the stream failed', j.subscriptionId)
      return
    }
    if (sub.ended) return
    this.send(conn, this.wrapped(sub, { type: 'sync', data }))
    const backlog = sub.backlog ?? []
    sub.backlog = null
    for (const frame of backlog) this.send(conn, frame)
  }

  private async syncData(circleId: string, sub: Subscription): Promise<Json> {
    if (sub.id !== null)
      return (
        (await this.store.get({
          circleId,
          kind: 'stream',
          scope: sub.streamName,
          group: sub.groupId,
          key: sub.id,
        })) ?? null
      )
    const rows = await this.store.list(circleId, 'stream', sub.streamName, sub.groupId)
    return rows.map((r) => r.value)
  }

  private leave(conn: ClientConnection, subscriptionId: string): void {
    const sub = conn.subs.get(subscriptionId)
    if (sub) this.end(sub)
    else this.error(conn, 'subscription_not_found', 'no subscription with that id', subscriptionId)
  }

  /** Ends a subscription; its leave triggers fire once it was joined. */
  private end(sub: Subscription): void {
    if (sub.ended) return
    this.drop(sub)
    if (sub.joined && !this.closing) this.leaveTriggers.fire(sub.conn.circle.circleId, this.eventOf(sub))
  }

  private drop(sub: Subscription): void {
    sub.ended = true
    sub.backlog = null
    if (sub.conn.subs.get(sub.subscriptionId) === sub) sub.conn.subs.delete(sub.subscriptionId)
    const key = groupKey(sub.conn.circle.circleId, sub.streamName, sub.groupId)
    const subs = this.byGroup.get(key)
    if (subs?.delete(sub) && subs.size === 0) this.byGroup.delete(key)
  }

  private onClose(conn: ClientConnection): void {
    if (conn.closed) return
    conn.closed = true
    this.connections.delete(conn)
    for (const sub of [...conn.subs.values()]) {
      // A pending join fires its leave itself once its triggers answer.
      if (sub.joined) this.end(sub)
      else sub.ended = true
    }
  }

  /** iii's StreamWrapperMessage for one subscription (`id` null for a group). */
  private wrapped(sub: Subscription, event: Json): string {
    return JSON.stringify({
      type: 'stream',
      timestamp: Date.now(),
      streamName: sub.streamName,
      groupId: sub.groupId,
      id: sub.id,
      event,
    })
  }

  private eventOf(sub: Subscription): StreamJoinLeaveEvent {
    return {
      subscription_id: sub.subscriptionId,
      stream_name: sub.streamName,
      group_id: sub.groupId,
      id: sub.id,
      context: sub.conn.context,
    }
  }

  private send(conn: ClientConnection, frame: string): void {
    if (conn.closed) return
    if (conn.ws.bufferedAmount > this.limits.maxBufferedBytes) {
      conn.ws.close(1013, 'slow_consumer')
      return
    }
    conn.ws.send(frame)
  }

  /** Error frames carry no streamName/groupId, so clients' group listeners never take them. */
  private error(conn: ClientConnection, code: string, message: string, subscriptionId?: string): void {
    this.send(
      conn,
      JSON.stringify({ type: 'error', ...(subscriptionId ? { subscriptionId } : {}), code, message }),
    )
  }
}
