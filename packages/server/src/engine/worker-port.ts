// The engine's worker port: a WebSocket server speaking the iii protocol. Each connection is
// authenticated at upgrade by a circle API key; its functions and triggers live in that circle.
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocketServer } from 'ws'
import type { Json } from '../storage/storage.ts'
import { traceHeaders } from '../trace-context.ts'
import type { ChannelHub } from './channel-hub.ts'
import type { WatchCredential } from './credential-watch.ts'
import type { Engine } from './engine.ts'
import { asEngineError, EngineError } from './engine-error.ts'
import type { EngineRateLimit } from './engine-rate-limit.ts'
import { answerMalformed } from './malformed-frame.ts'
import type { NamedQueues } from './named-queues.ts'
import { type InvokeMessage, parseWorkerMessage, type WorkerMessage } from './protocol.ts'
import { refuseUpgrade, upgradeTelemetry } from './telemetry-socket.ts'
import { type EngineCaller, WorkerConnection } from './worker-connection.ts'
import type { RbacSession, WorkerGate } from './worker-rbac.ts'

/** Resolves the upgrade request's credentials; throws `{status, message}` to refuse. */
export type WorkerAuthenticator = (req: IncomingMessage) => Promise<EngineCaller>

export interface WorkerPortLog {
  warn(o: object, msg?: string): void
  info(o: object, msg?: string): void
}

const MAX_FRAME = 16 * 1024 * 1024
/** iii-sdk batches telemetry in small frames; a bigger one closes the telemetry socket (1009). */
const MAX_TELEMETRY_FRAME = 4 * 1024 * 1024
const REATTACH_WINDOW_MS = 10 * 60_000
/** Bounds on what one connection may hold, so a runaway worker cannot exhaust the engine. */
const MAX_PER_WORKER = 10_000
const MAX_IN_FLIGHT = 10_000
const REGISTRATIONS = new Set([
  'registerfunction',
  'unregisterfunction',
  'registertrigger',
  'registertriggertype',
  'unregistertriggertype',
])

export class WorkerPort {
  private readonly server: Server
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME })
  /** Telemetry sockets (iii-sdk's OpenTelemetry exporter at `/otel`), authenticated like workers. */
  private readonly otel = new WebSocketServer({ noServer: true, maxPayload: MAX_TELEMETRY_FRAME })
  private readonly tokens = new Map<string, { token: string; circleId: string }>()
  /** Data channels (`/ws/channels/{id}`) are served on every worker port. */
  channels: ChannelHub | null = null
  /** Ends a connection when the key it authenticated with is revoked or its circle deleted. */
  watch: WatchCredential | null = null
  /** The per-key limit on invocations (the API-key port; iii-config ports have no keys). */
  rateLimit: EngineRateLimit | null = null
  /** Per connection, the registration chain of a gated port (hooks are async; order must hold). */
  private readonly registrations = new WeakMap<WorkerConnection, Promise<unknown>>()

  constructor(
    private readonly engine: Engine,
    private readonly queues: NamedQueues,
    private readonly authenticate: WorkerAuthenticator,
    private readonly log: WorkerPortLog,
    /** RBAC and middleware of an iii-config port (null on the API-key port). */
    private readonly gate: WorkerGate | null = null,
  ) {
    this.server = createServer((_req, res) => {
      res.writeHead(426, { 'content-type': 'application/json' })
      res.end(
        JSON.stringify({ error: { code: 'UPGRADE_REQUIRED', message: 'the engine port speaks WebSocket' } }),
      )
    })
    this.server.on('upgrade', (req, socket, head) => void this.upgrade(req, socket, head))
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject)
      this.server.listen(port, host, () => {
        this.server.off('error', reject)
        const a = this.server.address()
        resolve(typeof a === 'object' && a ? a.port : port)
      })
    })
  }

  async close(): Promise<void> {
    for (const c of this.wss.clients) c.terminate()
    for (const c of this.otel.clients) c.terminate()
    await new Promise<void>((r) => this.server.close(() => r()))
  }

  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => {})
    const path = (req.url ?? '/').split('?')[0]!
    if (path.replace(/\/+$/, '').endsWith('/otel')) {
      await upgradeTelemetry(this.otel, req, socket, head, {
        authenticate: this.authenticate,
        watch: this.watch,
        telemetry: () => this.engine.observability?.workers ?? null,
      })
      return
    }
    // A channel end authenticates with its access key, not the worker's credentials.
    if (this.channels?.handleUpgrade(req, socket, head)) return
    let caller: EngineCaller
    let session: RbacSession | null = null
    try {
      caller = await this.authenticate(req)
      if (this.gate) session = await this.gate.open(req, caller)
    } catch (err) {
      refuseUpgrade(socket, err)
      return
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const conn = new WorkerConnection(ws, caller, req.socket.remoteAddress ?? null)
      this.gate?.attach(conn, session)
      this.engine.workers.set(conn.id, conn)
      this.tokens.set(conn.id, { token: conn.reattachToken, circleId: caller.circleId })
      const unwatch = this.watch?.({ keyId: caller.keyId, circleId: caller.circleId }, (code, reason) =>
        this.revoked(conn, code, reason),
      )
      ws.on('error', () => {})
      ws.on('message', (data, isBinary) => {
        // Binary: telemetry frames some SDKs send. Closed: revoked, even if the client has not answered.
        if (isBinary || conn.closed) return
        const text = data.toString()
        const msg = parseWorkerMessage(text)
        if (!msg) {
          this.log.warn({ worker: conn.id }, 'engine: malformed worker message dropped')
          answerMalformed(conn, text)
          return
        }
        this.handle(conn, msg)
      })
      ws.on('close', () => {
        unwatch?.()
        this.engine.dropWorker(conn)
        // The reattach token outlives the socket: the worker presents it when it comes back.
        const { id, reattachToken } = conn
        setTimeout(() => {
          if (this.tokens.get(id)?.token === reattachToken) this.tokens.delete(id)
        }, REATTACH_WINDOW_MS).unref()
      })
      conn.send({ type: 'workerregistered', worker_id: conn.id, reattach_token: conn.reattachToken })
    })
  }

  /** Its key or circle is gone: registrations and reattach token go now; the socket is cut after 1 s. */
  private revoked(conn: WorkerConnection, code: number, reason: string): void {
    this.log.info({ worker: conn.id, circle: conn.caller.circleId, reason }, 'engine: worker revoked')
    this.engine.dropWorker(conn)
    this.tokens.delete(conn.id)
    conn.ws.close(code, reason)
    setTimeout(() => conn.ws.terminate(), 1000).unref()
  }

  /** On a gated port, invocations pass the RBAC check and middleware; registrations the hooks, in order. */
  private handle(conn: WorkerConnection, msg: WorkerMessage): void {
    const gate = this.gate
    if (gate && msg.type === 'invokefunction') {
      const admitted = gate.admitInvoke(conn, msg)
      if (admitted instanceof EngineError) {
        if (msg.invocation_id)
          conn.send({
            type: 'invocationresult',
            invocation_id: msg.invocation_id,
            function_id: msg.function_id,
            error: admitted.toWire(),
          })
        return
      }
      // Through a middleware, the answer to a discovery call is still filtered for the session.
      if (admitted.function_id !== msg.function_id) this.onInvoke(conn, admitted, msg.function_id)
      else this.dispatch(conn, admitted)
      return
    }
    if (gate && REGISTRATIONS.has(msg.type)) {
      const prior = this.registrations.get(conn) ?? Promise.resolve()
      const next = prior
        .then(() => gate.admitRegistration(conn, msg, conn.caller))
        .then(
          (m) => m && this.dispatch(conn, m),
          (err) => this.refuseRegistration(conn, msg, asEngineError(err)),
        )
      this.registrations.set(conn, next)
      return
    }
    this.dispatch(conn, msg)
  }

  private refuseRegistration(conn: WorkerConnection, msg: WorkerMessage, e: EngineError): void {
    if (msg.type === 'registertrigger')
      conn.send({
        type: 'triggerregistrationresult',
        id: msg.id,
        trigger_type: msg.trigger_type,
        function_id: msg.function_id,
        error: { code: 'FORBIDDEN', message: e.message },
      })
    else this.refused(conn, 'id' in msg ? String(msg.id) : '', e.message)
  }

  private dispatch(conn: WorkerConnection, msg: WorkerMessage): void {
    // A gated registration may come out of its hook after the socket closed (or was revoked).
    if (conn.closed) return
    switch (msg.type) {
      case 'invokefunction':
        this.onInvoke(conn, msg)
        return
      case 'invocationresult':
        conn.settle(msg.invocation_id, msg.result, msg.error)
        return
      case 'registerfunction':
        if (!conn.caller.canWrite) {
          this.refused(conn, msg.id, 'registering functions needs the "write" scope')
          return
        }
        if (conn.functions.size >= MAX_PER_WORKER && !conn.functions.has(msg.id)) {
          this.refused(conn, msg.id, `a worker registers at most ${MAX_PER_WORKER} functions`)
          return
        }
        try {
          this.engine.registerFunction(conn, msg)
        } catch (err) {
          this.refused(conn, msg.id, asEngineError(err).message)
        }
        return
      case 'unregisterfunction':
        this.engine.unregisterFunction(conn, msg.id)
        return
      case 'registertrigger': {
        const reply = (error?: EngineError) =>
          conn.send({
            type: 'triggerregistrationresult',
            id: msg.id,
            trigger_type: msg.trigger_type,
            function_id: msg.function_id,
            ...(error ? { error: error.toWire() } : {}),
          })
        if (!conn.caller.canWrite) {
          reply(new EngineError('FORBIDDEN', 'registering triggers needs the "write" scope'))
          return
        }
        if (conn.triggers.size >= MAX_PER_WORKER && !conn.triggers.has(msg.id)) {
          reply(new EngineError('limit_exceeded', `a worker registers at most ${MAX_PER_WORKER} triggers`))
          return
        }
        try {
          this.engine.registerTrigger({
            id: msg.id,
            trigger_type: msg.trigger_type,
            function_id: msg.function_id,
            config: msg.config ?? null,
            metadata: msg.metadata ?? null,
            circleId: conn.caller.circleId,
            circleSlug: conn.caller.circleSlug,
            conn,
          })
          reply()
          return
        } catch (err) {
          reply(asEngineError(err))
          return
        }
      }
      case 'unregistertrigger':
        this.engine.unregisterTrigger(conn.caller.circleId, msg.id, conn)
        return
      case 'registertriggertype':
        if (!conn.caller.canWrite) return
        try {
          this.engine.registerTriggerType(
            conn,
            msg.id,
            typeof msg.description === 'string' ? msg.description : '',
          )
        } catch (err) {
          this.refused(conn, msg.id, asEngineError(err).message)
        }
        return
      case 'unregistertriggertype':
        this.engine.unregisterTriggerType(conn, msg.id)
        return
      case 'triggerregistrationresult':
        if (msg.error)
          this.log.warn(
            { worker: conn.id, trigger: msg.id, error: msg.error },
            'engine: worker refused a trigger',
          )
        return
      case 'reattach':
        this.reattach(conn, msg.previous_worker_id, msg.reattach_token)
        return
    }
  }

  private refused(conn: WorkerConnection, id: string, message: string): void {
    // iii has no reply for a refused function registration: the worker's log is all it gets.
    this.log.warn({ worker: conn.id, id }, `engine: registration refused: ${message}`)
  }

  private onInvoke(conn: WorkerConnection, msg: InvokeMessage, asked: string = msg.function_id): void {
    const data = (msg.data ?? null) as Json
    const opts = {
      ...(msg.metadata !== undefined ? { metadata: msg.metadata } : {}),
      // Only a valid W3C traceparent (and printable baggage) is carried on.
      ...traceHeaders({
        traceparent: typeof msg.traceparent === 'string' ? msg.traceparent : undefined,
        baggage: typeof msg.baggage === 'string' ? msg.baggage : undefined,
      }),
    }
    const caller: EngineCaller = { ...conn.caller, workerId: conn.id }
    const visible = this.gate?.visibility(conn)
    if (visible) caller.visible = visible
    const limited = this.rateLimit?.admit(conn.caller)
    if (limited || conn.inFlight >= MAX_IN_FLIGHT) {
      const e =
        limited ??
        new EngineError('limit_exceeded', `a worker has at most ${MAX_IN_FLIGHT} invocations in flight`)
      if (msg.invocation_id)
        conn.send({
          type: 'invocationresult',
          invocation_id: msg.invocation_id,
          function_id: msg.function_id,
          error: e.toWire(),
        })
      return
    }
    conn.inFlight++
    let settled = false
    const done = () => {
      if (!settled) conn.inFlight--
      settled = true
    }
    const reply = (result: Json | undefined, error?: EngineError) => {
      done()
      if (!msg.invocation_id) return
      conn.send({
        type: 'invocationresult',
        invocation_id: msg.invocation_id,
        function_id: msg.function_id,
        // No value is no `result` field (iii's wire form), not null.
        ...(error ? { error: error.toWire() } : result === undefined ? {} : { result }),
      })
    }
    if (msg.action?.type === 'enqueue') {
      // The receipt goes back once the job is stored.
      this.queues.enqueue(caller, msg.action.queue, msg.function_id, data, opts).then(
        (id) => reply({ messageReceiptId: id }),
        (err) => reply(undefined, asEngineError(err)),
      )
      return
    }
    if (msg.action?.type === 'void' || !msg.invocation_id) {
      done()
      this.engine.invokeVoid(caller, msg.function_id, data, opts, (err) =>
        this.log.warn(
          { worker: conn.id, function_id: msg.function_id, err: asEngineError(err).message },
          'engine: void invocation failed',
        ),
      )
      return
    }
    this.engine.invokeMaybe(caller, msg.function_id, data, opts).then(
      (r) => reply(this.gate && r !== undefined ? this.gate.filterResult(conn, asked, r) : r),
      (err) => reply(undefined, asEngineError(err)),
    )
  }

  /** A worker back after a dropped connection: the old socket (if half-open) is evicted. */
  private reattach(conn: WorkerConnection, previousId: string, token: string | undefined): void {
    const known = this.tokens.get(previousId)
    if (!known || known.token !== token || known.circleId !== conn.caller.circleId || previousId === conn.id)
      return
    const old = this.engine.workers.get(previousId)
    if (old && old !== conn) {
      this.engine.dropWorker(old)
      old.ws.terminate()
    }
    this.tokens.delete(previousId)
    this.tokens.delete(conn.id)
    this.engine.workers.delete(conn.id)
    conn.id = previousId
    conn.reattachToken = crypto.randomUUID()
    this.engine.workers.set(conn.id, conn)
    this.tokens.set(conn.id, { token: conn.reattachToken, circleId: conn.caller.circleId })
    conn.send({ type: 'workerregistered', worker_id: conn.id, reattach_token: conn.reattachToken })
  }
}
