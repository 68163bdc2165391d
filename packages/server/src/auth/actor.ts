// Who is calling: the platform admin key or a circle key with scopes.
export type Scope = 'read' | 'write' | 'execute' | 'admin'
export const SCOPES: Scope[] = ['read', 'write', 'execute', 'admin']

export interface Actor {
  /** API key id, or `platform-admin` for the bootstrap key. */
  keyId: string
  /** The circle the key belongs to; null for the platform admin (all circles). */
  circleId: string | null
  scopes: ReadonlySet<Scope>
  platformAdmin: boolean
}

export function hasScope(actor: Actor, scope: Scope): boolean {
  return actor.platformAdmin || actor.scopes.has('admin') || actor.scopes.has(scope)
}

export function canSeeCircle(actor: Actor, circleId: string): boolean {
  return actor.platformAdmin || actor.circleId === circleId
}

/** The platform itself, for writes no caller made (a runtime changing an element's state). */
export const SYSTEM_ACTOR: Actor = {
  keyId: 'system',
  circleId: null,
  scopes: new Set(),
  platformAdmin: false,
}
