// Writes one JSON message to many sockets: the frame is built once and the same bytes are written
// to every socket; clients over their buffered-bytes cap are skipped, and dropped if they stay slow.
import WebSocket, * as wsModule from 'ws'
import type { LocalConnection } from './connection-registry.ts'

export interface FanOutResult {
  /** Sockets the frame was written to. */
  delivered: number
  /** Every connection in the audience (delivered or skipped). */
  subscribers: number
  /** Skipped because they were over the cap. */
  skipped: number
}

export interface SlowPolicy {
  maxBufferedBytes: number
  slowTimeoutMs: number
}

/** A server-to-client text frame (unmasked, final) for `payload`, as one buffer. */
// ws exports its Sender (the framing code) by name; @types/ws does not declare it.
const Sender = (wsModule as unknown as { Sender: { frame(data: Buffer, o: object): Buffer[] } }).Sender

export function textFrame(payload: Buffer): Buffer {
  const parts = Sender.frame(payload, {
    fin: true,
    rsv1: false,
    opcode: 1,
    mask: false,
    readOnly: true,
  })
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts)
}

/** Writes `payload` to one connection; false when it was skipped or is not open. */
export function writeTo(
  c: LocalConnection,
  payload: Buffer,
  frame: Buffer | undefined,
  policy: SlowPolicy,
  now: number,
): boolean {
  if (c.ws.readyState !== WebSocket.OPEN) return false
  if (c.ws.bufferedAmount > policy.maxBufferedBytes) {
    if (c.slowSince === 0) c.slowSince = now
    else if (now - c.slowSince > policy.slowTimeoutMs) c.ws.terminate()
    return false
  }
  c.slowSince = 0
  // Without compression ws would write exactly these bytes; writing them ourselves skips
  // re-framing per socket. With per-message deflate each socket needs its own compression.
  if (c.rawWrites && frame) c.socket.write(frame)
  else c.ws.send(payload)
  return true
}

/** Writes to every connection of one element's audience (so one policy applies to all). */
export function fanOut(
  audience: Iterable<LocalConnection>,
  payload: Buffer,
  policy: SlowPolicy,
): FanOutResult {
  const frame = textFrame(payload)
  const now = Date.now()
  let delivered = 0
  let subscribers = 0
  for (const c of audience) {
    subscribers++
    if (writeTo(c, payload, frame, policy, now)) delivered++
  }
  return { delivered, subscribers, skipped: subscribers - delivered }
}
