// Ends live connections whose credential was taken away. Keys are checked once, at upgrade, so
// engine workers, stream clients and WebSocket element clients register here what they
// authenticated with (key id, circle id); revoking the key or deleting the circle ends them with
// close code 4401, on this node at once and on the others through the engine's Redis fan-out.
import type { Credential, EndConnection, Revocation, RevocationRelay } from '../engine/credential-watch.ts'
import type { EventBus } from '../events/event-bus.ts'

/** The WebSocket close code of a revoked credential (4000-4999 is the application's; 4401 reads as HTTP 401). */
export const REVOKED_CLOSE_CODE = 4401
export const KEY_REVOKED_REASON = 'api key revoked'
export const CIRCLE_DELETED_REASON = 'circle deleted'

/**
 * Revocations remembered so that a connection registering just after one (its upgrade read the
 * key before the revocation committed) is still ended. Only that short race needs them: later
 * upgrades read the revoked key from the database. Bounded, oldest forgotten first.
 */
const REMEMBERED = 10_000

interface Watched {
  credential: Credential
  end: EndConnection
}

export class KeyRevocations implements RevocationRelay {
  private readonly byKey = new Map<string, Set<Watched>>()
  private readonly byCircle = new Map<string, Set<Watched>>()
  private readonly revokedKeys = new Set<string>()
  private readonly deletedCircles = new Set<string>()
  toPeers: ((r: Revocation) => void) | null = null

  /** How many connections are watched (for tests and diagnostics). */
  get size(): number {
    let n = 0
    for (const s of this.byCircle.values()) n += s.size
    return n
  }

  readonly watch = (credential: Credential, end: EndConnection): (() => void) => {
    const w: Watched = { credential, end }
    const { keyId, circleId } = credential
    if (keyId !== null && this.revokedKeys.has(keyId)) {
      queueMicrotask(() => end(REVOKED_CLOSE_CODE, KEY_REVOKED_REASON))
      return () => {}
    }
    if (this.deletedCircles.has(circleId)) {
      queueMicrotask(() => end(REVOKED_CLOSE_CODE, CIRCLE_DELETED_REASON))
      return () => {}
    }
    if (keyId !== null) add(this.byKey, keyId, w)
    add(this.byCircle, circleId, w)
    return () => this.forget(w)
  }

  /** An API key of this node was revoked: its connections end here and on every other node. */
  revokeKey(keyId: string): number {
    this.toPeers?.({ key_id: keyId })
    return this.apply({ key_id: keyId })
  }

  /** A circle of this node was deleted: every connection into it ends here and on every other node. */
  deleteCircle(circleId: string): number {
    this.toPeers?.({ circle_id: circleId })
    return this.apply({ circle_id: circleId })
  }

  fromPeer(r: Revocation): void {
    if (r && typeof r === 'object') this.apply(r)
  }

  /** The circles with live connections here, each with the key ids those connections use. */
  watched(): Map<string, Set<string>> {
    const out = new Map<string, Set<string>>()
    for (const [circleId, ws] of this.byCircle) {
      const keys = new Set<string>()
      for (const w of ws) if (w.credential.keyId !== null) keys.add(w.credential.keyId)
      out.set(circleId, keys)
    }
    return out
  }

  /** Ends the matching connections of this node only (the sweep's finding); returns how many. */
  apply(r: Revocation): number {
    const byKey = 'key_id' in r && typeof r.key_id === 'string'
    const id = byKey ? (r as { key_id: string }).key_id : (r as { circle_id: unknown }).circle_id
    if (typeof id !== 'string') return 0
    remember(byKey ? this.revokedKeys : this.deletedCircles, id)
    const watched = (byKey ? this.byKey : this.byCircle).get(id)
    if (!watched) return 0
    const ending = [...watched]
    for (const w of ending) {
      this.forget(w)
      try {
        w.end(REVOKED_CLOSE_CODE, byKey ? KEY_REVOKED_REASON : CIRCLE_DELETED_REASON)
      } catch {
        // One connection failing to close must not keep the others open.
      }
    }
    return ending.length
  }

  private forget(w: Watched): void {
    const { keyId, circleId } = w.credential
    if (keyId !== null) remove(this.byKey, keyId, w)
    remove(this.byCircle, circleId, w)
  }
}

/** Feeds the registry from this node's event bus: a key revoked, a circle deleted. */
export function revokeOnPlatformEvents(bus: EventBus, revocations: KeyRevocations): () => void {
  const offKey = bus.subscribe('api_key.revoked', (e) => {
    const keyId = e.data['key_id']
    if (typeof keyId === 'string') revocations.revokeKey(keyId)
  })
  const offCircle = bus.subscribe('element.deleted', (e) => {
    if (e.data['element_type'] === 'circle' && e.element_id) revocations.deleteCircle(e.element_id)
  })
  return () => {
    offKey()
    offCircle()
  }
}

function add(map: Map<string, Set<Watched>>, id: string, w: Watched): void {
  const s = map.get(id)
  if (s) s.add(w)
  else map.set(id, new Set([w]))
}

function remove(map: Map<string, Set<Watched>>, id: string, w: Watched): void {
  const s = map.get(id)
  if (s?.delete(w) && s.size === 0) map.delete(id)
}

function remember(set: Set<string>, id: string): void {
  set.add(id)
  if (set.size > REMEMBERED) set.delete(set.values().next().value as string)
}
