// The `/otel` socket of a worker port (iii-sdk's OpenTelemetry exporter): authenticated with the
// port's own authenticator (iii-sdk sends no headers on it, so on the API-key port the key comes
// from the worker URL's user-info), its binary frames kept in the key's circle.
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import type { WebSocketServer } from 'ws'
import type { WatchCredential } from './credential-watch.ts'
import type { WorkerTelemetry } from './worker-telemetry.ts'

export interface TelemetrySocketDeps {
  /** The port's worker authenticator (throws `{status, code, message}` to refuse). */
  authenticate: (req: IncomingMessage) => Promise<{ circleId: string; keyId: string }>
  /** Ends the socket when its key is revoked or its circle deleted. */
  watch: WatchCredential | null
  telemetry: () => WorkerTelemetry | null
}

export async function upgradeTelemetry(
  wss: WebSocketServer,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  d: TelemetrySocketDeps,
): Promise<void> {
  let circleId: string
  let keyId: string
  try {
    const caller = await d.authenticate(req)
    circleId = caller.circleId
    keyId = caller.keyId
  } catch (err) {
    refuseUpgrade(socket, err)
    return
  }
  wss.handleUpgrade(req, socket, head, (ws) => {
    const unwatch = d.watch?.({ keyId, circleId }, (code, reason) => {
      ws.close(code, reason)
      setTimeout(() => ws.terminate(), 1000).unref()
    })
    ws.on('error', () => {})
    ws.on('close', () => unwatch?.())
    ws.on('message', (data, isBinary) => {
      const telemetry = d.telemetry()
      if (!telemetry) return
      if (!isBinary) {
        telemetry.counters.malformed++
        return
      }
      const frame = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer)
      telemetry.ingest(circleId, frame)
    })
  })
}

/** Answers a refused upgrade with the status and catalogue code of the authenticator's error. */
export function refuseUpgrade(socket: Duplex, err: unknown): void {
  const e = err as { status?: number; message?: string; code?: string }
  const status = e.status ?? 401
  const body = JSON.stringify({
    error: { code: e.code ?? 'AUTH_REQUIRED', message: e.message ?? 'unauthorized' },
  })
  socket.end(
    `HTTP/1.1 ${status} ${status === 403 ? 'Forbidden' : status === 503 ? 'Service Unavailable' : 'Unauthorized'}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  )
}
