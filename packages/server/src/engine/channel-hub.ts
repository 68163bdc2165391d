// Data channels between workers (`engine::channels::create`): a writer and a reader WebSocket at
// `/ws/channels/{id}` on any worker port, frames relayed in order with bounded buffering.
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
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
  idle: NodeJS.Timeout
}

const size = (d: RawData) => (Array.isArray(d) ? d.reduce((n, b) => n + b.length, 0) : d.byteLength)

export class ChannelHub {
  private readonly channels = new Map<string, Channel>()
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 })

  create(bufferSize: unknown): Json {
    if (this.channels.size >= MAX_CHANNELS)
      throw new EngineError('limit_exceeded', `at most ${MAX_CHANNELS} channels are open at once`)
    if (bufferSize !== undefined && bufferSize !== null && (typeof bufferSize !== 'number' || bufferSize < 1))
      throw new EngineError('invalid_payload', 'buffer_size must be a positive number of frames')
    const id = randomUUID()
    const read = randomBytes(24).toString('base64url')
    const write = randomBytes(24).toString('base64url')
    const ch: Channel = {
      id,
      keys: { read: Buffer.from(read), write: Buffer.from(write) },
      capacity: Math.min(
        MAX_CAPACITY,
        Math.floor(typeof bufferSize === 'number' ? bufferSize : DEFAULT_CAPACITY),
      ),
      buffer: [],
      bufferedBytes: 0,
      inFlight: 0,
      writer: null,
      reader: null,
      writerDone: false,
      idle: setTimeout(() => this.drop(ch), IDLE_MS).unref(),
    }
    this.channels.set(id, ch)
    return {
      writer: { channel_id: id, access_key: write, direction: 'write' },
      reader: { channel_id: id, access_key: read, direction: 'read' },
    }
  }

  /**
   * A channel whose writer is the engine: `bytes` are already in it and it is complete, so a reader
   * gets them and the end. For an http trigger's `request_body`; the caller drops it when done.
   */
  preloaded(bytes: Buffer): { reader: Json; drop(): void } {
    if (this.channels.size >= MAX_CHANNELS)
      throw new EngineError('limit_exceeded', `at most ${MAX_CHANNELS} channels are open at once`)
    const id = randomUUID()
    const read = randomBytes(24).toString('base64url')
    const buffer: Frame[] = []
    for (let at = 0; at < bytes.length; at += PRELOAD_FRAME)
      buffer.push({ data: bytes.subarray(at, at + PRELOAD_FRAME), binary: true })
    const ch: Channel = {
      id,
      // Nobody writes: the write key is random and never handed out.
      keys: { read: Buffer.from(read), write: randomBytes(24) },
      capacity: DEFAULT_CAPACITY,
      buffer,
      bufferedBytes: bytes.length,
      inFlight: 0,
      writer: null,
      reader: null,
      writerDone: true,
      idle: setTimeout(() => this.drop(ch), IDLE_MS).unref(),
    }
    this.channels.set(id, ch)
    return {
      reader: { channel_id: id, access_key: read, direction: 'read' },
      drop: () => {
        if (this.channels.get(id) !== ch) return
        ch.reader?.close(1000, 'stream_complete')
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
    ws.on('message', (data, binary) => {
      ch.buffer.push({ data, binary })
      ch.bufferedBytes += size(data)
      this.pump(ch)
    })
    ws.on('close', () => {
      ch.writer = null
      ch.writerDone = true
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
    if (reader && reader.readyState === reader.OPEN) {
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
        reader.close(1000, 'stream_complete')
        return
      }
    }
    const full = ch.buffer.length >= ch.capacity || ch.bufferedBytes >= MAX_BUFFERED_BYTES
    if (full) ch.writer?.pause()
    else ch.writer?.resume()
  }

  private drop(ch: Channel): void {
    clearTimeout(ch.idle)
    this.channels.delete(ch.id)
    ch.buffer = []
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
