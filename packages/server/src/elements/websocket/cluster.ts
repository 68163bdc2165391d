// What the websocket runtime needs from the other nodes: requests fanned out to them (send,
// broadcast, close, presence), the driven-link lock, connect tickets and connection counts.
// One node: LocalCluster. Several nodes: RedisCluster (redis-cluster.ts).
import { randomBytes } from 'node:crypto'
import type { Json } from '../../storage/storage.ts'

export interface ClusterRequest {
  op: string
  element_id: string
  [k: string]: Json
}

export interface Gathered {
  replies: Json[]
  /** Live nodes that did not answer in time. */
  missing: string[]
}

export interface Cluster {
  readonly nodeId: string
  readonly distributed: boolean
  /** Sends to every other live node, or to one node; gathers their replies. */
  request(target: 'others' | string, msg: ClusterRequest): Promise<Gathered>
  /** Fire-and-forget to every other node (e.g. "re-read this element"). */
  notify(msg: ClusterRequest): Promise<void>
  onRequest(handler: (msg: ClusterRequest) => Promise<Json>): void
  isLive(nodeId: string): Promise<boolean>
  /** Takes or renews the lock named `key` for `ttlMs`; false when another node holds it. */
  lock(key: string, ttlMs: number): Promise<boolean>
  unlock(key: string): Promise<void>
  lockHolder(key: string): Promise<string | null>
  putTicket(id: string, value: string, ttlMs: number): Promise<void>
  /** Returns and deletes a ticket (one use). */
  takeTicket(id: string): Promise<string | null>
  /** Counts one more connection of `elementId` across nodes unless that passes `max`. */
  reserve(elementId: string, max: number): Promise<boolean>
  release(elementId: string): Promise<void>
  close(): Promise<void>
}

export const newNodeId = () => randomBytes(4).toString('hex')

/** One node: nothing to fan out to; locks and tickets live in this process. */
export class LocalCluster implements Cluster {
  readonly nodeId = newNodeId()
  readonly distributed = false
  private readonly tickets = new Map<string, { value: string; expires: number }>()

  async request(): Promise<Gathered> {
    return { replies: [], missing: [] }
  }
  async notify(): Promise<void> {}
  onRequest(): void {}
  async isLive(nodeId: string): Promise<boolean> {
    return nodeId === this.nodeId
  }
  async lock(): Promise<boolean> {
    return true
  }
  async unlock(): Promise<void> {}
  async lockHolder(): Promise<string | null> {
    return this.nodeId
  }
  async putTicket(id: string, value: string, ttlMs: number): Promise<void> {
    const now = Date.now()
    // Expired tickets are swept on write so the map cannot grow without bound.
    if (this.tickets.size > 1000)
      for (const [k, t] of this.tickets) if (t.expires < now) this.tickets.delete(k)
    this.tickets.set(id, { value, expires: now + ttlMs })
  }
  async takeTicket(id: string): Promise<string | null> {
    const t = this.tickets.get(id)
    this.tickets.delete(id)
    return t && t.expires >= Date.now() ? t.value : null
  }
  async reserve(): Promise<boolean> {
    return true
  }
  async release(): Promise<void> {}
  async close(): Promise<void> {}
}
