// Engine events across nodes through Redis pub/sub: a state/stream change (or a pubsub publish,
// or a `stream::send` event) on one node reaches the triggers and stream subscribers of every
// other node, and a revoked key or deleted circle ends its connections there too
// (auth/key-revocations.ts). Each node handles its own events in process first; Redis carries
// them to the others, tagged with the sender so a node never handles its own twice. Pub/sub keeps one
// publisher's order; nothing is stored, so a node that is away misses what happened meanwhile
// (its workers re-register when it is back). Each node also listens on a channel of its own, for
// calls of functions its workers serve (remote-functions.ts), and keeps a liveness key that those
// callers check.
import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import type { Json } from '../storage/storage.ts'
import type { Revocation } from './credential-watch.ts'
import type { PubSubMessage } from './pubsub.ts'
import type { ItemChangeEvent } from './state-functions.ts'
import type { StreamCustomEvent } from './stream-send.ts'

export type FanoutEvent =
  | { kind: 'change'; event: ItemChangeEvent }
  | { kind: 'publish'; message: PubSubMessage }
  | { kind: 'stream_event'; event: StreamCustomEvent }
  /** An API key revoked or a circle deleted: connections that authenticated with it end. */
  | { kind: 'revocation'; revocation: Revocation }

/** Node-to-node messages: a function call and its answer (remote-functions.ts). */
export type NodeMessage =
  | { kind: 'call'; id: string; from: string; call: Json }
  | { kind: 'answer'; id: string; result?: Json; error?: { code: string; message: string } }

const ALIVE_MS = 6000
const BEAT_MS = 2000

interface Wire {
  from: string
  e: FanoutEvent
}

export class RedisFanout {
  readonly nodeId = randomBytes(8).toString('hex')
  private readonly pub: Redis
  private readonly sub: Redis
  private readonly channel: string
  private readonly prefix: string
  private readonly beat: NodeJS.Timeout
  private closed = false
  /** Set by remote-functions.ts: what arrives on this node's own channel. */
  onNodeMessage: (m: NodeMessage) => void = () => {}

  private constructor(
    url: string,
    prefix: string,
    private readonly deliver: (e: FanoutEvent) => void,
    private readonly onError: (err: unknown) => void,
  ) {
    this.prefix = prefix
    this.channel = `${prefix}engine:events`
    const opts = { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: true }
    this.pub = new Redis(url, opts)
    this.sub = new Redis(url, opts)
    this.pub.on('error', onError)
    this.sub.on('error', onError)
    this.sub.on('message', (channel: string, text: string) =>
      channel === this.channel ? this.receive(text) : this.receiveNodeMessage(text),
    )
    this.beat = setInterval(() => void this.heartbeat(), BEAT_MS)
    this.beat.unref()
  }

  /** The Redis command connection (for keys such as the function directory). */
  get redis(): Redis {
    return this.pub
  }

  key(s: string): string {
    return `${this.prefix}engine:${s}`
  }

  private heartbeat(): Promise<unknown> {
    return this.pub.set(this.key(`node:${this.nodeId}`), '1', 'PX', ALIVE_MS).catch(this.onError)
  }

  async isAlive(nodeId: string): Promise<boolean> {
    return nodeId === this.nodeId || (await this.pub.exists(this.key(`node:${nodeId}`))) === 1
  }

  /** Sends a message to one node's own channel. */
  sendTo(nodeId: string, m: NodeMessage): void {
    if (this.closed) return
    this.pub.publish(this.key(`node:${nodeId}`), JSON.stringify(m)).catch(this.onError)
  }

  private receiveNodeMessage(text: string): void {
    try {
      this.onNodeMessage(JSON.parse(text) as NodeMessage)
    } catch (err) {
      this.onError(err)
    }
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
      await f.sub.subscribe(f.channel, f.key(`node:${f.nodeId}`))
      await f.heartbeat()
    } catch (err) {
      void f.close()
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

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    clearInterval(this.beat)
    // Callers stop routing here at once rather than when the liveness key runs out.
    await Promise.race([
      this.pub.del(this.key(`node:${this.nodeId}`)).catch(() => {}),
      new Promise((r) => setTimeout(r, 500).unref()),
    ])
    this.pub.disconnect()
    this.sub.disconnect()
  }
}
