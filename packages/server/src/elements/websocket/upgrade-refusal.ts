// A refused upgrade: an HTTP error with the JSON envelope as body, before any handshake.
import type { Duplex } from 'node:stream'

/** Answers an upgrade with an HTTP error before any handshake (the JSON envelope as body). */
export function refuse(
  socket: Duplex,
  status: number,
  code: string,
  message: string,
  retryAfterMs?: number,
): void {
  if (socket.destroyed) return
  const cls = status === 401 ? 'auth' : status === 429 ? 'limit' : 'validation'
  const details = retryAfterMs === undefined ? {} : { retry_after_ms: retryAfterMs }
  const body = JSON.stringify({ error: { code, message, class: cls, retryable: status === 429, details } })
  const text =
    {
      400: 'Bad Request',
      401: 'Unauthorized',
      404: 'Not Found',
      429: 'Too Many Requests',
      500: 'Internal Server Error',
    }[status] ?? 'Error'
  const retryAfter = retryAfterMs === undefined ? '' : `\r\nRetry-After: ${Math.ceil(retryAfterMs / 1000)}`
  // Like ws's own refusals: destroy once written, so a client that never closes holds nothing.
  socket.once('finish', () => socket.destroy())
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}${status === 401 ? '\r\nWWW-Authenticate: Bearer' : ''}${retryAfter}\r\n\r\n${body}`,
  )
}
