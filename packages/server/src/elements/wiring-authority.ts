// The rule for code one element starts on another's behalf (a websocket's handlers, and the
// workflows to come): it runs with the scopes of whoever wired it, never more. Wiring needs
// `execute` when the spec is written, and again each time the wired element fires: the key that
// wrote the element's current version must still exist, be unrevoked and hold `execute`.

import { type Actor, hasScope } from '../auth/actor.ts'
import { E, PlatformError } from '../errors.ts'
import type { ApiKeyRecords, ElementReads, ElementRow } from '../storage/storage.ts'
import type { ElementType } from './element.ts'

const PLATFORM_ADMIN = 'platform-admin'
/** Short enough that a revoked key stops firing handlers within about a second. */
const CACHE_MS = 1000

/** Refuses a spec write that wires elements to run unless the writer holds `execute`. */
export function assertMayWire(type: ElementType, spec: ElementRow['spec'], actor: Actor): void {
  const wired = type.wiredElements?.(spec) ?? []
  if (wired.length === 0 || hasScope(actor, 'execute')) return
  throw new PlatformError(
    E.FORBIDDEN,
    `this spec has the platform run ${wired.map((s) => `"${s}"`).join(', ')}; wiring an element to run needs the "execute" scope`,
    { required_scope: 'execute', wired },
  )
}

/** What the wiring of an element may do now: run with these scopes, or not at all. */
export type WiringGrant = { ok: true; keyId: string; scopes: string[] } | { ok: false; reason: string }

const ALL_SCOPES = ['read', 'write', 'execute', 'admin']

/** Answers at fire time whether the key that wired an element's current version may still run it. */
export class WiringAuthority {
  private readonly cache = new Map<string, { grant: WiringGrant; at: number }>()

  constructor(
    private readonly versions: Pick<ElementReads, 'getVersion'>,
    private readonly keys: Pick<ApiKeyRecords, 'listApiKeys'>,
  ) {}

  /** The grant of `element`'s current version: its wirer's scopes, or why it may not run. */
  async grant(element: ElementRow): Promise<WiringGrant> {
    const key = `${element.id}@${element.version}`
    const hit = this.cache.get(key)
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.grant
    const grant = await this.look(element)
    if (this.cache.size > 10_000) this.cache.clear()
    this.cache.set(key, { grant, at: Date.now() })
    return grant
  }

  private async look(element: ElementRow): Promise<WiringGrant> {
    const version = await this.versions.getVersion(element.id, element.version)
    const keyId = version?.created_by ?? null
    if (keyId === PLATFORM_ADMIN) return { ok: true, keyId, scopes: ALL_SCOPES }
    if (keyId === null) return { ok: false, reason: 'nobody is recorded as having wired this version' }
    const row = (await this.keys.listApiKeys(element.circle_id)).find((k) => k.id === keyId)
    if (!row || row.revoked_at !== null)
      return { ok: false, reason: 'the API key that wired this version no longer exists or was revoked' }
    const scopes = row.scopes.includes('admin') ? ALL_SCOPES : row.scopes
    if (!scopes.includes('execute'))
      return { ok: false, reason: 'the API key that wired this version no longer holds the "execute" scope' }
    return { ok: true, keyId, scopes }
  }
}
