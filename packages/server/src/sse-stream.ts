// A Server-Sent Events body: frames (with an id when the stream is resumable), a comment every
// 15 s so proxies and clients keep an idle stream open, and the headers that keep it unbuffered.
import { PassThrough } from 'node:stream'

const HEARTBEAT_MS = 15_000

export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  'x-accel-buffering': 'no',
} as const

export interface SseStream {
  body: PassThrough
  send(event: string, data: unknown, id?: number | string): void
  /** Ends the stream (after a last frame, when given). */
  end(event?: string, data?: unknown, id?: number | string): void
  /** Called once when the stream closes, whoever closed it. */
  onClose(fn: () => void): void
}

export function sseStream(): SseStream {
  const body = new PassThrough()
  const frame = (event: string, data: unknown, id?: number | string) =>
    `${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`
  const heartbeat = setInterval(() => body.write(': keep-alive\n\n'), HEARTBEAT_MS)
  body.on('close', () => clearInterval(heartbeat))
  return {
    body,
    send: (event, data, id) => {
      if (!body.writableEnded) body.write(frame(event, data, id))
    },
    end: (event, data, id) => {
      if (body.writableEnded) return
      clearInterval(heartbeat)
      body.end(event === undefined ? undefined : frame(event, data, id))
    },
    onClose: (fn) => body.on('close', fn),
  }
}
