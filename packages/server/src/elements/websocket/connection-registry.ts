// The connections this node holds: by id, by element and by room, plus the upgrades in flight
// that count against max_connections. Presence is read from here.
import type { Duplex } from 'node:stream'
import type { WebSocket } from 'ws'

export interface LocalConnection {
  id: string
  elementId: string
  circleId: string
  ws: WebSocket
  /** The raw socket, written to directly by broadcasts (one frame for every socket). */
  socket: Duplex
  /** False when per-message deflate is on: frames then go through ws (it compresses). */
  rawWrites: boolean
  user: string | null
  rooms: Set<string>
  connectedAt: string
  remote: string
  /** Answered the last ping (heartbeat). */
  alive: boolean
  /** When the client first went over max_buffered_bytes (0: not slow). */
  slowSince: number
  /** Inbound messages are handled in order: this is the tail of that chain. */
  chain: Promise<void>
  pending: number
}

export interface PresenceEntry {
  connection_id: string
  connected_at: string
  user: string | null
  rooms: string[]
  remote: string
  node: string
  buffered_bytes: number
}

export class ConnectionRegistry {
  private readonly byId = new Map<string, LocalConnection>()
  private readonly byElement = new Map<string, Set<LocalConnection>>()
  private readonly rooms = new Map<string, Map<string, Set<LocalConnection>>>()
  private readonly inflight = new Map<string, number>()

  /** Open connections plus upgrades being authenticated or handshaken, for one element. */
  load(elementId: string): number {
    return (this.byElement.get(elementId)?.size ?? 0) + (this.inflight.get(elementId) ?? 0)
  }

  beginUpgrade(elementId: string): void {
    this.inflight.set(elementId, (this.inflight.get(elementId) ?? 0) + 1)
  }

  endUpgrade(elementId: string): void {
    const n = (this.inflight.get(elementId) ?? 1) - 1
    if (n <= 0) this.inflight.delete(elementId)
    else this.inflight.set(elementId, n)
  }

  add(c: LocalConnection): void {
    this.byId.set(c.id, c)
    const set = this.byElement.get(c.elementId) ?? new Set()
    this.byElement.set(c.elementId, set)
    set.add(c)
    for (const room of c.rooms) this.roomSet(c.elementId, room, true)!.add(c)
  }

  remove(c: LocalConnection): boolean {
    if (this.byId.get(c.id) !== c) return false
    this.byId.delete(c.id)
    const set = this.byElement.get(c.elementId)
    set?.delete(c)
    if (set?.size === 0) this.byElement.delete(c.elementId)
    for (const room of c.rooms) this.dropFromRoom(c, room)
    return true
  }

  get(id: string): LocalConnection | undefined {
    return this.byId.get(id)
  }

  ofElement(elementId: string): Iterable<LocalConnection> {
    return this.byElement.get(elementId) ?? []
  }

  all(): Iterable<LocalConnection> {
    return this.byId.values()
  }

  elementIds(): string[] {
    return [...this.byElement.keys()]
  }

  count(elementId: string): number {
    return this.byElement.get(elementId)?.size ?? 0
  }

  /** The audience of a broadcast: every connection of the element, or one room's members. */
  audience(elementId: string, room: string | undefined): Iterable<LocalConnection> {
    if (room === undefined) return this.ofElement(elementId)
    return this.rooms.get(elementId)?.get(room) ?? []
  }

  join(c: LocalConnection, room: string): boolean {
    if (c.rooms.has(room)) return false
    c.rooms.add(room)
    if (this.byId.get(c.id) === c) this.roomSet(c.elementId, room, true)!.add(c)
    return true
  }

  leave(c: LocalConnection, room: string): boolean {
    if (!c.rooms.delete(room)) return false
    this.dropFromRoom(c, room)
    return true
  }

  presence(elementId: string, node: string, room?: string): PresenceEntry[] {
    return [...this.audience(elementId, room)].map((c) => ({
      connection_id: c.id,
      connected_at: c.connectedAt,
      user: c.user,
      rooms: [...c.rooms].sort(),
      remote: c.remote,
      node,
      buffered_bytes: c.ws.bufferedAmount,
    }))
  }

  private roomSet(elementId: string, room: string, create: boolean): Set<LocalConnection> | undefined {
    let byRoom = this.rooms.get(elementId)
    if (!byRoom) {
      if (!create) return undefined
      byRoom = new Map()
      this.rooms.set(elementId, byRoom)
    }
    let set = byRoom.get(room)
    if (!set && create) {
      set = new Set()
      byRoom.set(room, set)
    }
    return set
  }

  private dropFromRoom(c: LocalConnection, room: string): void {
    const byRoom = this.rooms.get(c.elementId)
    const set = byRoom?.get(room)
    if (!byRoom || !set) return
    set.delete(c)
    if (set.size === 0) byRoom.delete(room)
    if (byRoom.size === 0) this.rooms.delete(c.elementId)
  }
}
