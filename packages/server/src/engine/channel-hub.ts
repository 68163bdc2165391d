// Data channels between workers (`engine::channels::create`): a writer and a reader WebSocket at
// `/ws/channels/{id}` on any worker port, frames relayed in order with bounded buffering. The
// engine itself can be either end: it writes an http trigger's request body (`request_body`)
// and reads a function's streamed response (`response`).
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import type { Duplex, Readable } from 'node:stream'
import { type RawData, type WebSocket, WebSocketServer } from 'ws'
import type { Json } from '../storage/storage.ts'
import type { Engine } from './engine.ts'
import { EngineError } from './engine-error.ts'

const MAX_CHANNELS = 10_000
const DEFAULT_CAPACITY = 64
const MAX_CAPACITY = 1024
/** Bytes a channel holds for a reader that is not there (or slow) before the writer is paused. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024
/** A channel nobody connects to within this long is dropped. */
const IDLE_MS = 5 * 60_000
/** Frame size of a preloaded channel's bytes. */
const PRELOAD_FRAME = 64 * 1024

interface Frame {
  data: RawData
  binary: boolean
}

/** A frame as the engine reads it from a channel it is the reader of. */
export interface ChannelFrame {
  data: Buffer
  binary: boolean
}

/** The engine's read end of a channel whose writer ref went to a function. */
export interface EngineReadEnd {
  /** The ref handed to the function (`direction: write`). */
  writer: Json
  /** The next frame; null at the end. Rejects when the writer went away abnormally. */
  next(): Promise<ChannelFrame | null>
  /** Resolves true once the writer connected (or sent everything), false after `ms`. */
  whenConnected(ms: number): Promise<boolean>
  /** The reader leaves: the writer is told (`reader_gone`) and the channel is dropped. */
  close(): void
}

interface Waiter {
  resolve(f: ChannelFrame | null): void
  reject(e: Error): void
}

interface Channel {
  id: string
  keys: { read: Buffer; write: Buffer }
  capacity: number
  buffer: Frame[]
  bufferedBytes: number
  /** Frames sent to the reader whose send has not completed. */
  inFlight: number
  writer: WebSocket | null
  reader: WebSocket | null
  writerDone: boolean
  /** The writer left abnormally (not a 1000 close): readers see an error, not a clean end. */
  writerFailed: boolean
  idle: NodeJS.Timeout
  /** Set when the engine is the reader: pending `next()` calls. */
  local: Waiter[] | null
  /** Set when the engine is the writer from a stream: pauses and resumes it, detaches it. */
  source: { pause(): void; resume(): void; detach(): void } | null
  /** Called once when the writer connects. */
  onWriter: (() => void) | null
}

const size = (d: RawData) => (Array.isArray(d) ? d.reduce((n, b) => n + b.length, 0) : d.byteLength)
const bufferOf = (d: RawData): Buffer =>
  Buffer.isBuffer(d) ? d : Array.isArray(d) ? Buffer.concat(d) : Buffer.from(d)

export class ChannelHub {
  private readonly channels = new Map<string, Channel>()
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 })

  create(bufferSize: unknown): Json {
    if (bufferSize !== undefined && bufferSize !== null && (typeof bufferSize !== 'number' || bufferSize < 1))
      throw new EngineError('invalid_payload', 'buffer_size must be a positive number of frames')
    const { ch, read, write } = this.open(typeof bufferSize === 'number' ? bufferSize : DEFAULT_CAPACITY)
    return {
      writer: { channel_id: ch.id, access_key: write, direction: 'write' },
      reader: { channel_id: ch.id, access_key: read, direction: 'read' },
    }
  }

  private open(capacity: number): { ch: Channel; read: string; write: string } {
    if (this.channels.size >= MAX_CHANNELS)
      throw new EngineError('limit_exceeded', `at most ${MAX_CHANNELS} channels are open at once`)
    const id = randomUUID()
    const read = randomBytes(24).toString('base64url')
    const write = randomBytes(24).toString('base64url')
    const ch: Channel = {
      id,
      keys: { read: Buffer.from(read), write: Buffer.from(write) },
      capacity: Math.min(MAX_CAPACITY, Math.floor(capacity)),
      buffer: [],
      bufferedBytes: 0,
      inFlight: 0,
      writer: null,
      reader: null,
      writerDone: false,
      writerFailed: false,
      idle: setTimeout(() => this.drop(ch), IDLE_MS).unref(),
      local: null,
      source: null,
      onWriter: null,
    }
    this.channels.set(id, ch)
    return { ch, read, write }
  }

  /**
   * A channel the engine writes: `head` is in it already and `rest` (when the body is still
   * arriving) flows in as the reader takes it, paused while the channel is full. For an http
   * trigger's `request_body`; the caller drops it when the exchange is over.
   */
  fromStream(head: Buffer, rest: Readable | null): { reader: Json; drop(): void } {
    const { ch, read } = this.open(DEFAULT_CAPACITY)
    // Nobody writes over a socket: the write key is never handed out.
    ch.writerDone = rest === null
    for (let at = 0; at < head.length; at += PRELOAD_FRAME)
      ch.buffer.push({ data: head.subarray(at, at + PRELOAD_FRAME), binary: true })
    ch.bufferedBytes = head.length
    if (rest) {
      const onData = (chunk: Buffer) => {
        ch.buffer.push({ data: chunk, binary: true })
        ch.bufferedBytes += chunk.length
        this.pump(ch)
      }
      const finish = (failed: boolean) => () => {
        ch.source?.detach()
        ch.source = null
        ch.writerDone = true
        ch.writerFailed = failed
        this.pump(ch)
      }
      const onEnd = finish(false)
      const onAbort = finish(true)
      ch.source = {
        pause: () => rest.pause(),
        resume: () => rest.resume(),
        detach: () => {
          rest.off('data', onData).off('end', onEnd).off('error', onAbort).off('close', onAbort)
        },
      }
      rest.on('data', onData).once('end', onEnd).once('error', onAbort).once('close', onAbort)
      this.pump(ch)
    }
    return {
      reader: { channel_id: ch.id, access_key: read, direction: 'read' },
      drop: () => {
        if (this.channels.get(ch.id) !== ch) return
        ch.reader?.close(1000, 'stream_complete')
        this.drop(ch)
      },
    }
  }

  /** `fromStream` for a body that is all here. */
  preloaded(bytes: Buffer): { reader: Json; drop(): void } {
    return this.fromStream(bytes, null)
  }

  /** A channel the engine reads: the writer ref goes to a function (an http trigger's `response`). */
  toEngine(): EngineReadEnd {
    const { ch, write } = this.open(DEFAULT_CAPACITY)
    const waiters: Waiter[] = []
    ch.local = waiters
    const frame = (f: Frame): ChannelFrame => ({ data: bufferOf(f.data), binary: f.binary })
    return {
      writer: { channel_id: ch.id, access_key: write, direction: 'write' },
      next: () => {
        const f = ch.buffer.shift()
        if (f) {
          ch.bufferedBytes -= size(f.data)
          this.pump(ch)
          return Promise.resolve(frame(f))
        }
        if (ch.writerFailed) return Promise.reject(new Error('the response writer went away'))
        if (ch.writerDone || this.channels.get(ch.id) !== ch) return Promise.resolve(null)
        return new Promise((resolve, reject) => waiters.push({ resolve, reject }))
      },
      whenConnected: (ms) => {
        if (ch.writer || ch.writerDone || ch.buffer.length) return Promise.resolve(true)
        if (this.channels.get(ch.id) !== ch) return Promise.resolve(false)
        return new Promise((resolve) => {
          const t = setTimeout(() => {
            ch.onWriter = null
            resolve(false)
          }, ms)
          ch.onWriter = () => {
            clearTimeout(t)
            resolve(true)
          }
        })
      },
      close: () => {
        if (this.channels.get(ch.id) !== ch) return
        ch.writer?.close(1001, 'reader_gone')
        this.drop(ch)
      },
    }
  }

  /** True when the request was a channel upgrade (handled here, accepted or refused). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(req.url ?? '/', 'http://engine')
    const m = /^\/ws\/channels\/([^/]+)\/?$/.exec(url.pathname)
    if (!m) return false
    const ch = this.channels.get(decodeURIComponent(m[1]!))
    const dir = url.searchParams.get('dir')
    const key = Buffer.from(url.searchParams.get('key') ?? '')
    const refuse = (status: number, code: string, message: string) => {
      const body = JSON.stringify({ error: { code, message } })
      socket.end(
        `HTTP/1.1 ${status} ${status === 404 ? 'Not Found' : status === 409 ? 'Conflict' : 'Unauthorized'}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
      )
      return true
    }
    if (!ch)
      return refuse(404, 'ENGINE_CHANNEL_NOT_FOUND', 'no such channel (it was closed or never created)')
    if (dir !== 'read' && dir !== 'write') return refuse(401, 'AUTH_INVALID', 'dir must be read or write')
    const want = ch.keys[dir]
    if (key.length !== want.length || !timingSafeEqual(key, want))
      return refuse(401, 'AUTH_INVALID', 'the channel access key is wrong for this direction')
    if ((dir === 'read' ? ch.reader : ch.writer) || (dir === 'write' && ch.writerDone))
      return refuse(409, 'ENGINE_CHANNEL_END_CONNECTED', `the channel's ${dir} end is already connected`)
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      clearTimeout(ch.idle)
      ws.on('error', () => {})
      if (dir === 'write') this.attachWriter(ch, ws)
      else this.attachReader(ch, ws)
    })
    return true
  }

  private attachWriter(ch: Channel, ws: WebSocket): void {
    ch.writer = ws
    ch.onWriter?.()
    ch.onWriter = null
    ws.on('message', (data, binary) => {
      ch.buffer.push({ data, binary })
      ch.bufferedBytes += size(data)
      this.pump(ch)
    })
    ws.on('close', (code) => {
      ch.writer = null
      ch.writerDone = true
      ch.writerFailed = code !== 1000 && code !== 1005
      // Nobody to read yet: the buffered bytes wait for a reader, but not forever.
      if (!ch.reader) ch.idle = setTimeout(() => this.drop(ch), IDLE_MS).unref()
      this.pump(ch)
    })
  }

  private attachReader(ch: Channel, ws: WebSocket): void {
    ch.reader = ws
    // A reader that leaves ends the channel: the writer has nobody to write to.
    ws.on('close', () => {
      ch.reader = null
      ch.writer?.close(1001, 'reader_gone')
      this.drop(ch)
    })
    this.pump(ch)
  }

  /** Moves buffered frames to the reader, pausing the writer while the reader lags. */
  private pump(ch: Channel): void {
    const reader = ch.reader
    if (ch.local) this.pumpLocal(ch, ch.local)
    else if (reader && reader.readyState === reader.OPEN) {
      while (ch.buffer.length && ch.inFlight < ch.capacity) {
        const f = ch.buffer.shift()!
        ch.bufferedBytes -= size(f.data)
        ch.inFlight++
        reader.send(f.data, { binary: f.binary }, () => {
          ch.inFlight--
          this.pump(ch)
        })
      }
      if (ch.writerDone && !ch.buffer.length && ch.inFlight === 0) {
        if (ch.writerFailed) reader.close(1011, 'writer_failed')
        else reader.close(1000, 'stream_complete')
        return
      }
    }
    const full = ch.buffer.length >= ch.capacity || ch.bufferedBytes >= MAX_BUFFERED_BYTES
    if (full) {
      ch.writer?.pause()
      ch.source?.pause()
    } else {
      ch.writer?.resume()
      ch.source?.resume()
    }
  }

  /** Hands buffered frames to the engine's pending reads; the end (or the failure) once drained. */
  private pumpLocal(ch: Channel, waiters: Waiter[]): void {
    while (waiters.length && ch.buffer.length) {
      const f = ch.buffer.shift()!
      ch.bufferedBytes -= size(f.data)
      waiters.shift()!.resolve({ data: bufferOf(f.data), binary: f.binary })
    }
    if (waiters.length && ch.writerDone && !ch.buffer.length) {
      const err = ch.writerFailed ? new Error('the response writer went away') : null
      for (const w of waiters.splice(0)) err ? w.reject(err) : w.resolve(null)
    }
  }

  private drop(ch: Channel): void {
    clearTimeout(ch.idle)
    this.channels.delete(ch.id)
    ch.buffer = []
    // The rest of a request body nobody will read is let through and discarded.
    ch.source?.detach()
    ch.source?.resume()
    ch.source = null
    ch.onWriter = null
    for (const w of ch.local?.splice(0) ?? []) w.resolve(null)
  }

  /** Open channels (for tests and metrics). */
  get size(): number {
    return this.channels.size
  }

  close(): void {
    for (const ch of this.channels.values()) {
      ch.writer?.terminate()
      ch.reader?.terminate()
      this.drop(ch)
    }
  }
}

/** `engine::channels::create {buffer_size?}` -> `{writer, reader}` channel refs. */
export function addChannelFunctions(engine: Engine, hub: ChannelHub): void {
  engine.addBuiltin({
    id: 'engine::channels::create',
    description: 'Create a data channel: a writer and a reader ref for streaming bytes between workers',
    scope: 'execute',
    handler: (input) => {
      const o = input && typeof input === 'object' && !Array.isArray(input) ? input : {}
      return hub.create(o['buffer_size'])
    },
  })
}
