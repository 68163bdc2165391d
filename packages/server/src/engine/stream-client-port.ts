// Where stream clients connect: `/streams/{circle}` on the platform's HTTP port (an 'upgrade'
// listener that claims only that prefix), or an iii config's `iii-stream` port (any path, one
// circle). Both authorize the upgrade before the handshake: through the configured auth
// function (StreamAuthInput -> StreamAuthResult), else — on the platform port — a circle key.
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { Duplex } from 'node:stream'
import type { Json, JsonObject } from '../storage/storage.ts'
import type { WatchCredential } from './credential-watch.ts'
import type { Engine, EngineCaller } from './engine.ts'
import { asEngineError } from './engine-error.ts'
import type { StreamCircle, StreamSubscriptions } from './stream-subscriptions.ts'

export const STREAMS_PREFIX = '/streams/'

/** Refuses an upgrade with an HTTP status and the platform's error envelope. */
export class UpgradeRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

export interface StreamPortLog {
  info(o: object, msg?: string): void
  warn(o: object, msg?: string): void
}

/** iii's StreamAuthInput: `addr` is `ip:port` as the iii engine prints a socket address. */
export function streamAuthInput(req: IncomingMessage): JsonObject {
  const headers: JsonObject = {}
  for (const [k, v] of Object.entries(req.headers))
    if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v
  const url = new URL(req.url ?? '/', 'http://stream')
  const query: Record<string, string[]> = {}
  for (const [k, v] of url.searchParams) query[k] = [...(query[k] ?? []), v]
  const ip = req.socket.remoteAddress ?? ''
  const addr = `${ip.includes(':') ? `[${ip}]` : ip}:${req.socket.remotePort ?? 0}`
  return { headers, path: url.pathname, query_params: query, addr }
}

/** Runs the auth function; its StreamAuthResult's `context` is kept for the connection. */
export async function authorizeStreamClient(
  engine: Engine,
  circle: StreamCircle,
  functionId: string,
  req: IncomingMessage,
): Promise<Json> {
  const caller: EngineCaller = {
    ...circle,
    keyId: 'stream-auth',
    canRead: true,
    canWrite: true,
    canExecute: true,
  }
  let result: Json
  try {
    result = await engine.invoke(caller, functionId, streamAuthInput(req))
  } catch (err) {
    const e = asEngineError(err)
    if (e.code === 'function_not_found' || e.code === 'worker_disconnected' || e.code === 'timeout')
      throw new UpgradeRefusal(
        503,
        'ENGINE_FUNCTION_UNAVAILABLE',
        `the stream auth function is unavailable: ${e.message}`,
      )
    throw new UpgradeRefusal(401, 'AUTH_REQUIRED', e.message.slice(0, 500))
  }
  if (!result || typeof result !== 'object' || Array.isArray(result))
    throw new UpgradeRefusal(401, 'AUTH_REQUIRED', 'the stream auth function refused the connection')
  return result['context'] ?? null
}

function refuse(socket: Duplex, status: number, code: string, message: string): void {
  const body = JSON.stringify({ error: { code, message } })
  const reason =
    {
      400: 'Bad Request',
      401: 'Unauthorized',
      403: 'Forbidden',
      404: 'Not Found',
      429: 'Too Many Requests',
      503: 'Service Unavailable',
    }[status] ?? 'Error'
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  )
}

/** An UpgradeRefusal or a PlatformError (both carry status and code) answers as itself; anything else is a 500. */
function refuseWith(socket: Duplex, err: unknown, log: StreamPortLog): void {
  const e = err as { status?: unknown; code?: unknown; message?: unknown }
  if (typeof e?.status === 'number' && typeof e.code === 'string') {
    refuse(socket, e.status, e.code, String(e.message ?? ''))
    return
  }
  log.warn({ err: (err as Error)?.message }, 'stream client upgrade failed')
  refuse(socket, 500, 'INTERNAL', 'the upgrade failed')
}

export interface StreamRouteDeps {
  hub: StreamSubscriptions
  engine: Engine
  circleOf(slug: string): Promise<StreamCircle | undefined>
  /** `PERIODIC_STREAM_AUTH_FUNCTION`; without it a circle key with `read` is required. */
  authFunctionId: string | null
  /**
   * Throws (a PlatformError or UpgradeRefusal) unless `authorization` is a read key of the
   * circle; answers the key's id.
   */
  checkKey(authorization: string | undefined, circleId: string): Promise<string>
  /** Ends a client when its key is revoked or its circle deleted. */
  watch?: WatchCredential
  log: StreamPortLog
}

/** Takes upgrades at `/streams/{circle}` on `server`; returns the detach function. */
export function attachStreamRoute(server: Server, d: StreamRouteDeps): () => void {
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!req.url?.startsWith(STREAMS_PREFIX)) return
    socket.on('error', () => {})
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://stream')
      const slug = /^\/streams\/([a-z0-9][a-z0-9-]{0,62})\/?$/.exec(url.pathname)?.[1]
      const circle = slug ? await d.circleOf(slug) : undefined
      if (!circle)
        throw new UpgradeRefusal(404, 'CIRCLE_NOT_FOUND', 'stream clients connect to /streams/{circle}')
      let context: Json = null
      let keyId: string | null = null
      if (d.authFunctionId) context = await authorizeStreamClient(d.engine, circle, d.authFunctionId, req)
      else {
        // Browsers cannot set headers on a WebSocket: the key may come as ?token=.
        const header = req.headers.authorization
        const token = url.searchParams.get('token')
        keyId = await d.checkKey(header ?? (token ? `Bearer ${token}` : undefined), circle.circleId)
      }
      const watch = d.watch
      d.hub.accept(
        req,
        socket,
        head,
        circle,
        context,
        watch && ((end) => watch({ keyId, circleId: circle.circleId }, end)),
      )
    })().catch((err: unknown) => refuseWith(socket, err, d.log))
  }
  server.on('upgrade', onUpgrade)
  return () => server.off('upgrade', onUpgrade)
}

export interface StreamPortOptions {
  hub: StreamSubscriptions
  engine: Engine
  circle: StreamCircle
  host: string
  port: number
  authFunctionId: string | null
  log: StreamPortLog
}

export interface OpenedStreamPort {
  port: number
  close(): Promise<void>
}

/** An iii-stream port: any path is the endpoint; no API key, only the auth function if set. */
export async function openStreamClientPort(o: StreamPortOptions): Promise<OpenedStreamPort> {
  const server = createServer((_req, res) => {
    res.writeHead(426, { 'content-type': 'application/json' })
    res.end(
      JSON.stringify({ error: { code: 'UPGRADE_REQUIRED', message: 'the stream port speaks WebSocket' } }),
    )
  })
  // Upgraded sockets leave the HTTP server's bookkeeping: kept here so close() can end them.
  const sockets = new Set<Duplex>()
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => {})
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
    const admitted = o.authFunctionId
      ? authorizeStreamClient(o.engine, o.circle, o.authFunctionId, req)
      : Promise.resolve(null)
    admitted.then(
      (context) => o.hub.accept(req, socket, head, o.circle, context),
      (err: unknown) => refuseWith(socket, err, o.log),
    )
  })
  const bound = await new Promise<number>((resolve, reject) => {
    server.once('error', reject)
    server.listen(o.port, o.host, () => {
      server.off('error', reject)
      const a = server.address()
      resolve(typeof a === 'object' && a ? a.port : o.port)
    })
  })
  o.log.info(
    { port: bound, circle: o.circle.circleSlug, auth: o.authFunctionId },
    'iii-stream port listening',
  )
  return {
    port: bound,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r())
        server.closeAllConnections()
        for (const s of sockets) s.destroy()
      }),
  }
}
