// The rule for code one element starts on another's behalf (a websocket's handlers, and the
// workflows to come): it runs with the scopes of whoever wired it, never more. Wiring needs
// `execute` when the spec is written, and again each time the wired element fires: the key that
// wrote the element's current version must still exist, be unrevoked and hold `execute`.
import { E, PlatformError } from '../errors.ts'
import type { ElementRow, Storage } from '../storage/storage.ts'
import { type Actor, hasScope } from './actor.ts'
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

/** Answers at fire time whether the key that wired an element's current version may still run it. */
export class WiringAuthority {
  private readonly cache = new Map<string, { reason: string | null; at: number }>()

  constructor(private readonly storage: Storage) {}

  /** Why `element`'s wiring may not run now, or null when it may. */
  async problem(element: ElementRow): Promise<string | null> {
    const key = `${element.id}@${element.version}`
    const hit = this.cache.get(key)
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.reason
    const reason = await this.look(element)
    if (this.cache.size > 10_000) this.cache.clear()
    this.cache.set(key, { reason, at: Date.now() })
    return reason
  }

  private async look(element: ElementRow): Promise<string | null> {
    const version = await this.storage.getVersion(element.id, element.version)
    const keyId = version?.created_by ?? null
    if (keyId === PLATFORM_ADMIN) return null
    if (keyId === null) return 'nobody is recorded as having wired this version'
    const row = (await this.storage.listApiKeys(element.circle_id)).find((k) => k.id === keyId)
    if (!row || row.revoked_at !== null)
      return 'the API key that wired this version no longer exists or was revoked'
    if (!row.scopes.includes('execute') && !row.scopes.includes('admin'))
      return 'the API key that wired this version no longer holds the "execute" scope'
    return null
  }
}
