// Engine events across nodes through Redis pub/sub: a state/stream change (or a pubsub publish)
// on one node reaches the triggers and stream subscribers of every other node. Each node handles
// its own events in process first; Redis carries them to the others, tagged with the sender so a
// node never handles its own twice. Pub/sub keeps one publisher's order; nothing is stored, so a
// node that is away misses what happened meanwhile (its workers re-register when it is back).
import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import type { Json } from '../storage/storage.ts'
import type { ItemChangeEvent } from './state-functions.ts'

export type FanoutEvent =
  | { kind: 'change'; event: ItemChangeEvent }
  | { kind: 'publish'; circleId: string; topic: string; data: Json }

interface Wire {
  from: string
  e: FanoutEvent
}

export class RedisFanout {
  readonly nodeId = randomBytes(8).toString('hex')
  private readonly pub: Redis
  private readonly sub: Redis
  private readonly channel: string
  private closed = false

  private constructor(
    url: string,
    prefix: string,
    private readonly deliver: (e: FanoutEvent) => void,
    private readonly onError: (err: unknown) => void,
  ) {
    this.channel = `${prefix}engine:events`
    const opts = { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: true }
    this.pub = new Redis(url, opts)
    this.sub = new Redis(url, opts)
    this.pub.on('error', onError)
    this.sub.on('error', onError)
    this.sub.on('message', (_channel: string, text: string) => this.receive(text))
  }

  static async connect(
    url: string,
    prefix: string,
    deliver: (e: FanoutEvent) => void,
    onError: (err: unknown) => void,
  ): Promise<RedisFanout> {
    const f = new RedisFanout(url, prefix, deliver, onError)
    try {
      await Promise.all([f.pub.connect(), f.sub.connect()])
      await f.sub.subscribe(f.channel)
    } catch (err) {
      f.close()
      throw err
    }
    return f
  }

  /** Sends an event this node already handled to the other nodes. */
  send(e: FanoutEvent): void {
    if (this.closed) return
    const wire: Wire = { from: this.nodeId, e }
    this.pub.publish(this.channel, JSON.stringify(wire)).catch(this.onError)
  }

  private receive(text: string): void {
    let wire: Wire
    try {
      wire = JSON.parse(text) as Wire
    } catch {
      return
    }
    if (!wire || wire.from === this.nodeId || !wire.e || typeof wire.e !== 'object') return
    try {
      this.deliver(wire.e)
    } catch (err) {
      this.onError(err)
    }
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    this.pub.disconnect()
    this.sub.disconnect()
  }
}
