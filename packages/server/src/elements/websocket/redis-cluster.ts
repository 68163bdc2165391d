// Several nodes through Redis: each node subscribes to its own channel and the shared one, keeps
// a heartbeat in a sorted set (so requests know whom to wait for), and uses plain keys for the
// driven-link lock (SET NX PX, renewed), connect tickets (GETDEL) and per-node connection counts.
import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import type { Json } from '../../storage/storage.ts'
import { type Cluster, type ClusterRequest, type Gathered, newNodeId } from './cluster.ts'

const NODE_TTL_MS = 6000
const BEAT_MS = 2000
const REPLY_TIMEOUT_MS = 3000

/** Extends the lock only while this node still holds it. */
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`
const UNLOCK = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`

type Wire =
  | { kind: 'req'; id: string; from: string; msg: ClusterRequest; reply: boolean }
  | { kind: 'rep'; id: string; from: string; body: Json }

interface Waiting {
  expect: Set<string>
  replies: Json[]
  done: () => void
}

export class RedisCluster implements Cluster {
  readonly nodeId = newNodeId()
  readonly distributed = true
  private readonly cmd: Redis
  private readonly sub: Redis
  private handler: (msg: ClusterRequest) => Promise<Json> = async () => null
  private readonly waiting = new Map<string, Waiting>()
  private readonly beat: NodeJS.Timeout
  private readonly k: (s: string) => string

  private constructor(
    url: string,
    prefix: string,
    private readonly onError: (err: unknown) => void,
  ) {
    this.k = (s) => `${prefix}ws:${s}`
    const opts = { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: true }
    this.cmd = new Redis(url, opts)
    this.sub = new Redis(url, opts)
    this.cmd.on('error', onError)
    this.sub.on('error', onError)
    this.sub.on('messageBuffer', (_channel: Buffer, data: Buffer) => this.receive(data))
    this.beat = setInterval(() => void this.heartbeat().catch(onError), BEAT_MS)
    this.beat.unref()
  }

  static async connect(url: string, prefix: string, onError: (err: unknown) => void): Promise<RedisCluster> {
    const c = new RedisCluster(url, prefix, onError)
    await Promise.all([c.cmd.connect(), c.sub.connect()])
    await c.sub.subscribe(c.k('all'), c.k(`node:${c.nodeId}`))
    await c.heartbeat()
    return c
  }

  private async heartbeat(): Promise<void> {
    const now = Date.now()
    await this.cmd
      .multi()
      .zadd(this.k('nodes'), now, this.nodeId)
      .zremrangebyscore(this.k('nodes'), 0, now - NODE_TTL_MS * 10)
      .exec()
  }

  private async liveNodes(): Promise<string[]> {
    return this.cmd.zrangebyscore(this.k('nodes'), Date.now() - NODE_TTL_MS, '+inf')
  }

  async isLive(nodeId: string): Promise<boolean> {
    const score = await this.cmd.zscore(this.k('nodes'), nodeId)
    return score !== null && Number(score) > Date.now() - NODE_TTL_MS
  }

  onRequest(handler: (msg: ClusterRequest) => Promise<Json>): void {
    this.handler = handler
  }

  private receive(data: Buffer): void {
    let w: Wire
    try {
      w = JSON.parse(data.toString('utf8')) as Wire
    } catch (err) {
      this.onError(err)
      return
    }
    if (w.from === this.nodeId && w.kind === 'req') return
    if (w.kind === 'rep') {
      const wait = this.waiting.get(w.id)
      if (!wait) return
      wait.replies.push(w.body)
      wait.expect.delete(w.from)
      if (wait.expect.size === 0) wait.done()
      return
    }
    void this.handler(w.msg).then(
      (body) => {
        if (!w.reply) return
        const rep: Wire = { kind: 'rep', id: w.id, from: this.nodeId, body }
        return this.cmd.publish(this.k(`node:${w.from}`), JSON.stringify(rep)).then(() => {})
      },
      (err) => this.onError(err),
    )
  }

  async request(target: 'others' | string, msg: ClusterRequest): Promise<Gathered> {
    const nodes = target === 'others' ? (await this.liveNodes()).filter((n) => n !== this.nodeId) : [target]
    if (nodes.length === 0) return { replies: [], missing: [] }
    const id = randomBytes(8).toString('hex')
    const wait: Waiting = { expect: new Set(nodes), replies: [], done: () => {} }
    const finished = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, REPLY_TIMEOUT_MS)
      wait.done = () => {
        clearTimeout(timer)
        resolve()
      }
    })
    this.waiting.set(id, wait)
    try {
      const wire: Wire = { kind: 'req', id, from: this.nodeId, msg, reply: true }
      const channel = target === 'others' ? this.k('all') : this.k(`node:${target}`)
      await this.cmd.publish(channel, JSON.stringify(wire))
      await finished
      return { replies: wait.replies, missing: [...wait.expect] }
    } finally {
      this.waiting.delete(id)
    }
  }

  async notify(msg: ClusterRequest): Promise<void> {
    const wire: Wire = { kind: 'req', id: '', from: this.nodeId, msg, reply: false }
    await this.cmd.publish(this.k('all'), JSON.stringify(wire))
  }

  async lock(key: string, ttlMs: number): Promise<boolean> {
    const full = this.k(`lock:${key}`)
    if ((await this.cmd.set(full, this.nodeId, 'PX', ttlMs, 'NX')) === 'OK') return true
    return (await this.cmd.eval(RENEW, 1, full, this.nodeId, ttlMs)) === 1
  }

  async unlock(key: string): Promise<void> {
    await this.cmd.eval(UNLOCK, 1, this.k(`lock:${key}`), this.nodeId)
  }

  async lockHolder(key: string): Promise<string | null> {
    return this.cmd.get(this.k(`lock:${key}`))
  }

  async putTicket(id: string, value: string, ttlMs: number): Promise<void> {
    await this.cmd.set(this.k(`ticket:${id}`), value, 'PX', ttlMs)
  }

  async takeTicket(id: string): Promise<string | null> {
    return this.cmd.getdel(this.k(`ticket:${id}`))
  }

  /** Count first, then check the total of live nodes: two racing upgrades can both be refused, never both let in over the limit. */
  async reserve(elementId: string, max: number): Promise<boolean> {
    const key = this.k(`count:${elementId}`)
    await this.cmd.hincrby(key, this.nodeId, 1)
    const [counts, live] = await Promise.all([this.cmd.hgetall(key), this.liveNodes()])
    const alive = new Set(live)
    let total = 0
    for (const [node, n] of Object.entries(counts)) if (alive.has(node)) total += Number(n)
    if (total <= max) return true
    await this.release(elementId)
    return false
  }

  async release(elementId: string): Promise<void> {
    await this.cmd.hincrby(this.k(`count:${elementId}`), this.nodeId, -1)
  }

  async close(): Promise<void> {
    clearInterval(this.beat)
    await this.cmd.zrem(this.k('nodes'), this.nodeId).catch(() => {})
    this.sub.disconnect()
    this.cmd.disconnect()
  }
}
