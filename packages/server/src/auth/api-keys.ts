// API keys: 256-bit random secrets shown once, stored as SHA-256 hashes (a slow hash buys
// nothing against keys with this much entropy, and lookups stay one indexed query).
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto'
import { E, PlatformError } from '../errors.ts'
import type { ApiKeyRecords, ApiKeyRow, Storage } from '../storage/storage.ts'
import { type Actor, SCOPES, type Scope } from './actor.ts'

export const KEY_PREFIX = 'pk_'

export function generateKey(): string {
  return KEY_PREFIX + randomBytes(32).toString('base64url')
}

export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex')
}

export interface ApiKeyJson {
  id: string
  name: string
  prefix: string
  scopes: string[]
  created_at: string
  created_by: string | null
  revoked_at: string | null
}

export function presentKey(row: ApiKeyRow): ApiKeyJson {
  const { id, name, prefix, scopes, created_at, created_by, revoked_at } = row
  return { id, name, prefix, scopes, created_at, created_by, revoked_at }
}

export async function createApiKey(
  storage: Pick<ApiKeyRecords, 'insertApiKey'>,
  circleId: string,
  input: { name?: string; scopes: Scope[] },
  actor: Actor,
): Promise<{ row: ApiKeyRow; key: string }> {
  const key = generateKey()
  const row: ApiKeyRow = {
    id: randomUUID(),
    circle_id: circleId,
    name: input.name?.trim() || 'api key',
    prefix: key.slice(0, 10),
    hash: hashKey(key),
    scopes: SCOPES.filter((s) => input.scopes.includes(s)),
    created_by: actor.keyId,
    created_at: new Date().toISOString(),
    revoked_at: null,
  }
  await storage.insertApiKey(row)
  return { row, key }
}

/** Resolves a bearer token to an actor: the bootstrap admin key or a live circle key. */
export class Authenticator {
  private readonly adminHash: Buffer

  constructor(
    private readonly storage: Storage,
    adminKey: string,
    /** Called with every authenticated actor; throws to refuse the request (the per-key rate limit). */
    private readonly admit: (actor: Actor) => void = () => {},
  ) {
    this.adminHash = Buffer.from(hashKey(adminKey), 'hex')
  }

  async authenticate(header: string | undefined): Promise<Actor | null> {
    // What this request reads is as fresh as the moment it arrived, whichever node wrote it.
    this.storage.freshen?.()
    const actor = await this.identify(header)
    if (actor) this.admit(actor)
    return actor
  }

  private async identify(header: string | undefined): Promise<Actor | null> {
    if (header === undefined || header === '') return null
    const match = /^Bearer\s+(\S{1,512})\s*$/i.exec(header)
    if (!match) throw new PlatformError(E.AUTH_INVALID, 'the Authorization header must be "Bearer <key>"')
    const token = match[1]!
    const hash = hashKey(token)
    if (timingSafeEqual(Buffer.from(hash, 'hex'), this.adminHash)) {
      return { keyId: 'platform-admin', circleId: null, scopes: new Set(SCOPES), platformAdmin: true }
    }
    const row = await this.storage.findApiKeyByHash(hash)
    if (!row || row.revoked_at !== null)
      throw new PlatformError(E.AUTH_INVALID, 'the API key is unknown or revoked')
    return {
      keyId: row.id,
      circleId: row.circle_id,
      scopes: new Set(row.scopes as Scope[]),
      platformAdmin: false,
    }
  }
}
