// Exposed endpoints: takes HTTP upgrades under /ws/ (and only those), finds the element serving
// /ws/{circle}{path}, checks auth before the handshake (401), enforces max_connections counting
// upgrades in flight (1013), and wires each connection: size limit (1009), rooms, handlers.
import { randomBytes } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { type WebSocket, WebSocketServer } from 'ws'
import { JSON_DEPTH, jsonTextTooDeep, tooDeepMessage } from '../../json-depth.ts'
import type { ElementRow, Json, JsonObject } from '../../storage/storage.ts'
import type { PlatformContext } from '../element.ts'
import type { Cluster } from './cluster.ts'
import type { LocalConnection } from './connection-registry.ts'
import type { HandlerInvoker } from './handler-invoker.ts'
import { withOpenedJwtSecret } from './jwt-secret.ts'
import type { LocalNode } from './local-node.ts'
import { roomRefusal } from './local-node.ts'
import type { WebsocketSpec } from './spec.ts'
import { websocketSpecOf } from './spec.ts'
import type { Admitted, Refused, TicketBody } from './upgrade-admission.ts'
import { authenticateUpgrade, redactUrl, ticketKeyRevoked } from './upgrade-auth.ts'
import { refuse } from './upgrade-refusal.ts'
import { DEFAULT_THROTTLE, UpgradeThrottle } from './upgrade-throttle.ts'
import { WS } from './websocket-errors.ts'

export const WS_PREFIX = '/ws/'
const MAX_PENDING_MESSAGES = 100

export class EndpointServer {
  private readonly servers = new Map<string, WebSocketServer>()
  private readonly throttle: UpgradeThrottle

  constructor(
    private readonly p: PlatformContext,
    private readonly node: LocalNode,
    private readonly cluster: Cluster,
    private readonly invoker: HandlerInvoker,
  ) {
    this.throttle = new UpgradeThrottle({ ...DEFAULT_THROTTLE, maxFailures: p.config.wsAuthFailures ?? 10 })
  }

  /** The 'upgrade' listener: returns without touching the socket when the path is not ours. */
  onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (!req.url?.startsWith(WS_PREFIX)) return
    socket.on('error', () => {})
    this.upgrade(req, socket, head).catch((err: unknown) => {
      this.p.log.error({ err, url: redactUrl(req.url ?? '') }, 'websocket upgrade failed')
      refuse(socket, 500, 'INTERNAL', 'the upgrade failed')
    })
  }

  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = req.url!
    const q = url.indexOf('?')
    const query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1))
    let pathname: string
    try {
      pathname = decodeURIComponent(q < 0 ? url : url.slice(0, q))
    } catch {
      return refuse(socket, 400, 'VALIDATION_FAILED', 'the URL path is not valid percent-encoding')
    }
    const rest = pathname.slice(WS_PREFIX.length)
    const slash = rest.indexOf('/')
    const circle = slash < 0 ? rest : rest.slice(0, slash)
    const path = slash < 0 ? '/' : rest.slice(slash)
    const element = await this.node.directory.find(circle, path)
    if (!element)
      return refuse(socket, 404, 'NOT_FOUND', `no websocket endpoint at ${pathname.slice(0, 200)}`)
    this.node.directory.remember(element)
    const spec = websocketSpecOf(element)
    const registry = this.node.registry
    registry.beginUpgrade(element.id)
    let counted = true
    let reserved = false
    const settle = () => {
      if (counted) registry.endUpgrade(element.id)
      counted = false
    }
    // ws answers a malformed handshake itself and never calls back: the close releases the slot.
    socket.once('close', () => {
      settle()
      if (reserved) void this.cluster.release(element.id).catch(() => {})
      reserved = false
    })
    const admitted = await this.admit(req, query, element, spec)
    if ('refused' in admitted) {
      settle()
      this.node.metrics.rejected.inc({ element: element.id, code: admitted.code })
      this.node.elementEvent(element, 'ws.connection.rejected', {
        code: admitted.code,
        reason: admitted.refused,
        url: redactUrl(url, spec.auth.query_param),
      })
      this.p.log.info(
        { url: redactUrl(url, spec.auth.query_param), code: admitted.code },
        'websocket upgrade refused',
      )
      return refuse(socket, admitted.status, admitted.code, admitted.refused, admitted.retryAfterMs)
    }
    const over = registry.load(element.id) > spec.max_connections
    if (!over) reserved = await this.cluster.reserve(element.id, spec.max_connections)
    const wss = this.serverFor(spec)
    wss.handleUpgrade(req, socket, head, (ws) => {
      settle()
      if (over || !reserved) {
        if (reserved) void this.cluster.release(element.id).catch(() => {})
        reserved = false
        this.node.metrics.rejected.inc({ element: element.id, code: WS.WS_MAX_CONNECTIONS_REACHED.code })
        this.node.elementEvent(element, 'ws.connection.rejected', {
          code: WS.WS_MAX_CONNECTIONS_REACHED.code,
          max_connections: spec.max_connections,
        })
        // Browsers cannot read a refused upgrade's status, so the refusal is a close code.
        ws.close(1013, WS.WS_MAX_CONNECTIONS_REACHED.code)
        return
      }
      // From here the connection's own close handler gives the reservation back.
      reserved = false
      this.open(ws, socket, req, element, spec, admitted)
    })
  }

  private async admit(
    req: IncomingMessage,
    query: URLSearchParams,
    element: ElementRow,
    spec: WebsocketSpec,
  ): Promise<Admitted | Refused> {
    let admitted: Admitted
    const ticket = query.get('ticket')
    const address = req.socket.remoteAddress ?? ''
    // Opened before the throttle check, so the check, the token check and the failure count
    // run with no await between them (parallel guesses cannot all slip past the check).
    const opened = ticket ? spec : await withOpenedJwtSecret(this.p.elements, element, spec)
    // Only upgrades that present a credential can guess one: an open endpoint is never throttled.
    if (ticket || spec.auth.mode !== 'none') {
      const wait = this.throttle.blockedFor(address)
      if (wait > 0)
        return {
          refused: `too many failed upgrade tokens from this address; retry in ${Math.ceil(wait / 1000)} s`,
          status: 429,
          code: WS.WS_AUTH_THROTTLED.code,
          retryAfterMs: wait,
        }
    }
    if (ticket) {
      const raw = /^[A-Za-z0-9_-]{20,100}$/.test(ticket) ? await this.cluster.takeTicket(ticket) : null
      const body = raw ? (JSON.parse(raw) as TicketBody) : undefined
      if (!body || body.element_id !== element.id) {
        this.throttle.failed(address)
        return { refused: 'unknown, used or expired ticket', status: 401, code: WS.WS_UNAUTHORIZED.code }
      }
      const keyId = body.key_id
      if (keyId && (await ticketKeyRevoked(this.p.elements.apiKeys, element.circle_id, keyId)))
        return {
          refused: 'the key that issued the ticket was revoked',
          status: 401,
          code: WS.WS_UNAUTHORIZED.code,
        }
      this.throttle.succeeded(address)
      admitted = { id: body.connection_id, user: body.user, rooms: body.rooms, ...(keyId ? { keyId } : {}) }
    } else {
      const auth = authenticateUpgrade(req, query, opened)
      if (!auth.ok) {
        this.throttle.failed(address)
        return { refused: auth.reason, status: 401, code: WS.WS_UNAUTHORIZED.code }
      }
      if (spec.auth.mode !== 'none') this.throttle.succeeded(address)
      admitted = { id: `${this.node.nodeId}.${randomBytes(8).toString('hex')}`, user: auth.user, rooms: [] }
    }
    const rooms = [...new Set([...admitted.rooms, ...query.getAll('room')])]
    for (const room of rooms) {
      const refusal = roomRefusal(spec, room)
      if (refusal) return { refused: refusal, status: 400, code: WS.WS_ROOM_NOT_ALLOWED.code }
    }
    if (rooms.length > spec.connection.max_rooms)
      return {
        refused: `at most connection.max_rooms (${spec.connection.max_rooms}) rooms`,
        status: 400,
        code: WS.WS_ROOM_NOT_ALLOWED.code,
      }
    return { ...admitted, rooms }
  }

  /** One ws server per (size limit, compression, protocols): ws applies these per server. */
  private serverFor(spec: WebsocketSpec): WebSocketServer {
    const key = `${spec.connection.max_message_bytes}|${spec.connection.per_message_deflate}|${spec.protocols.join(',')}`
    let wss = this.servers.get(key)
    if (!wss) {
      const protocols = spec.protocols
      wss = new WebSocketServer({
        noServer: true,
        maxPayload: spec.connection.max_message_bytes,
        perMessageDeflate: spec.connection.per_message_deflate,
        clientTracking: false,
        handleProtocols: (offered) => protocols.find((p) => offered.has(p)) ?? false,
      })
      this.servers.set(key, wss)
    }
    return wss
  }

  private open(
    ws: WebSocket,
    socket: Duplex,
    req: IncomingMessage,
    element: ElementRow,
    spec: WebsocketSpec,
    admitted: Admitted,
  ): void {
    const node = this.node
    const c: LocalConnection = {
      id: admitted.id,
      elementId: element.id,
      circleId: element.circle_id,
      ws,
      socket,
      rawWrites: !spec.connection.per_message_deflate,
      user: admitted.user,
      rooms: new Set(admitted.rooms),
      connectedAt: new Date().toISOString(),
      remote: req.socket.remoteAddress ?? '',
      alive: true,
      slowSince: 0,
      chain: Promise.resolve(),
      pending: 0,
    }
    // ws closes an oversize message with 1009 and no reason; the reason names our code.
    const close = ws.close.bind(ws)
    ws.close = (code?: number, reason?: string | Buffer) =>
      close(code, code === 1009 && !reason ? WS.WS_MESSAGE_TOO_LARGE.code : reason)
    node.registry.add(c)
    // A ticket's key revoked (or the circle deleted): the client goes, with no more messages handled.
    const unwatch = this.p.watchCredential?.(
      { keyId: admitted.keyId ?? null, circleId: element.circle_id },
      (code, reason) => {
        ws.close(code, reason)
        setTimeout(() => ws.terminate(), 1000).unref()
      },
    )
    node.metrics.connections.inc({ element: element.id })
    node.metrics.active.inc({ element: element.id })
    // With this node's count of the element's connections (events/circle-event-feed.ts).
    const where = () => ({ node: node.nodeId, count: node.registry.count(element.id) })
    node.event(c, 'ws.connection.opened', { user: c.user, rooms: [...c.rooms], ...where() })
    ws.on('pong', () => {
      c.alive = true
    })
    ws.on('error', () => {})
    ws.on('message', (data, isBinary) => {
      // Once the server closed (a revocation, an element going), frames still in flight are dropped.
      if (ws.readyState === ws.OPEN) this.onMessage(c, data as Buffer, isBinary)
    })
    ws.once('close', (code, reason) => {
      unwatch?.()
      if (!node.registry.remove(c)) return
      void this.cluster.release(element.id).catch(() => {})
      node.metrics.active.dec({ element: element.id })
      const why = code === 1006 ? 'abnormal' : String(code)
      node.metrics.disconnects.inc({ element: element.id, reason: why })
      const data = { user: c.user, rooms: [...c.rooms], code, reason: reason.toString().slice(0, 123) }
      node.event(c, 'ws.connection.closed', { ...data, ...where() })
      this.callConnectionHandler(c, { event: 'disconnect', connection_id: c.id, ...data })
    })
    if (spec.connection.welcome)
      node.reply(c, { type: 'welcome', connection_id: c.id, user: c.user, rooms: [...c.rooms].sort() })
    this.callConnectionHandler(c, {
      event: 'connect',
      connection_id: c.id,
      user: c.user,
      rooms: [...c.rooms],
    })
  }

  private currentSpec(c: LocalConnection): WebsocketSpec | undefined {
    return this.node.specOf(c.elementId)
  }

  private callConnectionHandler(c: LocalConnection, input: JsonObject): void {
    const element = this.node.directory.row(c.elementId)
    if (!element) return
    const spec = websocketSpecOf(element)
    const slug = spec.handlers.connection
    if (!slug) return
    this.enqueue(c, async () => {
      const out = await this.invoker.invoke(element, slug, input, spec.handlers.timeout_ms, {
        connection_id: c.id,
        event: String(input['event']),
      })
      if (!out.ok) this.handlerFailed(c, 'connection', out.error, out.run_id)
      else if (out.output !== null && input['event'] === 'connect') this.node.reply(c, out.output)
    })
  }

  private handlerFailed(
    c: LocalConnection,
    which: string,
    error: { code: string; message: string } | null,
    runId: string | null,
  ): void {
    this.p.log.warn(
      { element: c.elementId, connection: c.id, run: runId, error },
      `websocket ${which} handler failed`,
    )
    // The client learns that its message was not handled, not the handler's internals.
    this.node.errorFrame(c, error?.code ?? 'INTERNAL', `the ${which} handler failed`, { run_id: runId })
  }

  private enqueue(c: LocalConnection, task: () => Promise<void>): boolean {
    if (c.pending >= MAX_PENDING_MESSAGES) return false
    c.pending++
    c.chain = c.chain
      .then(task)
      .catch((err: unknown) =>
        this.p.log.error({ err, connection: c.id }, 'websocket handler dispatch failed'),
      )
      .finally(() => {
        c.pending--
      })
    return true
  }

  private onMessage(c: LocalConnection, data: Buffer, _isBinary: boolean): void {
    const node = this.node
    node.metrics.received.inc({ element: c.elementId })
    let value: unknown
    const text = data.toString('utf8')
    if (jsonTextTooDeep(text)) {
      node.errorFrame(c, JSON_DEPTH.JSON_TOO_DEEP.code, tooDeepMessage('the frame'))
      return
    }
    try {
      value = JSON.parse(text)
    } catch {
      node.errorFrame(
        c,
        'INVALID_JSON',
        'frames must be JSON (e.g. {"text":"hi"} or {"type":"join","room":"lobby"})',
      )
      return
    }
    node.event(c, 'ws.message.received', { bytes: data.length })
    const spec = this.currentSpec(c)
    if (!spec) return
    const frame = value as { type?: unknown; room?: unknown }
    if (
      spec.rooms.enabled &&
      frame &&
      typeof frame === 'object' &&
      (frame.type === 'join' || frame.type === 'leave')
    ) {
      node.reply(c, this.roomFrame(c, spec, frame.type, frame.room))
      return
    }
    const slug = spec.handlers.message
    if (!slug) return
    const queued = this.enqueue(c, async () => {
      const element = node.directory.row(c.elementId)
      if (!element) return
      const input = {
        event: 'message',
        connection_id: c.id,
        user: c.user,
        rooms: [...c.rooms].sort(),
        data: value,
      } as JsonObject
      const out = await this.invoker.invoke(element, slug, input, spec.handlers.timeout_ms, {
        connection_id: c.id,
      })
      if (!out.ok) return this.handlerFailed(c, 'message', out.error, out.run_id)
      if (out.output !== null && out.output !== undefined) {
        node.reply(c, out.output)
        node.metrics.sent.inc({ element: c.elementId })
      }
    })
    if (!queued)
      node.errorFrame(
        c,
        'RATE_LIMITED',
        `more than ${MAX_PENDING_MESSAGES} messages are waiting for the handler; slow down`,
      )
  }

  /** Answers a client's {"type":"join"|"leave","room"} frame: an ack or an error frame. */
  private roomFrame(c: LocalConnection, spec: WebsocketSpec, type: 'join' | 'leave', room: unknown): Json {
    const error = (code: string, message: string) => ({ type: 'error', error: { code, message } })
    if (!spec.rooms.client_join)
      return error(WS.WS_ROOM_NOT_ALLOWED.code, 'clients may not join rooms here (spec.rooms.client_join)')
    if (typeof room !== 'string') return error('VALIDATION_FAILED', 'room must be a string')
    const r = type === 'join' ? this.node.join(c, room) : this.node.leave(c, room)
    if (!r.ok) return error(WS.WS_ROOM_NOT_ALLOWED.code, r.reason)
    return { type: type === 'join' ? 'joined' : 'left', room, rooms: r.rooms }
  }

  close(): void {
    for (const wss of this.servers.values()) wss.close()
  }
}
