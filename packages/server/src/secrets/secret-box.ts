// Envelope encryption for secrets at rest: a JSON value is sealed with AES-256-GCM under the
// element's own data key, itself wrapped by the current master key. The associated data binds a
// blob to (purpose, element id, version), so a blob copied to another element or rolled back to
// an older version fails to open; a wrapped key is bound to its element the same way.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { deflateRawSync, inflateRawSync } from 'node:zlib'
import { PlatformError } from '../errors.ts'
import type { Json, Storage } from '../storage/storage.ts'
import type { MasterKeyRing } from './master-key-ring.ts'
import { SECRET } from './secret-errors.ts'

/** What a sealed value is bound to. */
export interface SealBinding {
  elementId: string
  version: number
  /** Keeps one element's different secrets apart, e.g. `cookie-jar.cookies`. */
  purpose: string
}

const FORMAT = 'v1'
/** Sealed values: `v1` holds JSON, `z1` deflated JSON (the tag is bound into the associated data). */
const PLAIN = 'v1'
const DEFLATED = 'z1'
/** Below this, deflate's framing costs more than it saves. */
const DEFLATE_FROM = 1024
const IV_BYTES = 12
const TAG_BYTES = 16
const CACHE_LIMIT = 10_000

function encrypt(key: Buffer, plaintext: Buffer, aad: Buffer, tag = FORMAT): string {
  const iv = randomBytes(IV_BYTES)
  const cipher = createCipheriv('aes-256-gcm', key, iv)
  cipher.setAAD(aad)
  const body = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()])
  return `${tag}.${iv.toString('base64url')}.${body.toString('base64url')}`
}

/** The plaintext, or undefined when the ciphertext does not authenticate under `key` and `aad`. */
function decrypt(key: Buffer, sealed: string, aad: Buffer, tags: string[] = [FORMAT]): Buffer | undefined {
  const parts = sealed.split('.')
  if (parts.length !== 3 || !tags.includes(parts[0]!)) return undefined
  const iv = Buffer.from(parts[1]!, 'base64url')
  const body = Buffer.from(parts[2]!, 'base64url')
  if (iv.length !== IV_BYTES || body.length < TAG_BYTES) return undefined
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv)
    decipher.setAAD(aad)
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES))
    return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()])
  } catch {
    return undefined
  }
}

const blobAad = (b: SealBinding, tag: string) =>
  Buffer.from(`periodic/sealed/${tag}\0${b.purpose}\0${b.elementId}\0${b.version}`)
const keyAad = (elementId: string, masterKeyId: number) =>
  Buffer.from(`periodic/data-key/${FORMAT}\0${elementId}\0${masterKeyId}`)

export class SecretBox {
  /** Unwrapped data keys: rotation re-wraps them without changing them, so entries never go stale. */
  private readonly cache = new Map<string, Buffer>()

  constructor(
    private readonly storage: Storage,
    readonly ring: MasterKeyRing,
  ) {}

  private unwrap(elementId: string, masterKeyId: number, wrapped: string): Buffer {
    const master = this.ring.get(masterKeyId)
    if (!master)
      throw new PlatformError(
        SECRET.SECRET_KEY_UNAVAILABLE,
        `master key ${masterKeyId} is not in ${this.ring.source}; it is needed to read this element's secrets`,
        { master_key_id: masterKeyId },
      )
    const key = decrypt(master, wrapped, keyAad(elementId, masterKeyId))
    if (key?.length !== 32)
      throw new PlatformError(SECRET.SECRET_INTEGRITY_FAILED, "the element's data key failed authentication")
    return key
  }

  wrap(elementId: string, key: Buffer): { master_key_id: number; wrapped: string } {
    this.ring.refresh()
    const master = this.ring.current()
    return { master_key_id: master.id, wrapped: encrypt(master.key, key, keyAad(elementId, master.id)) }
  }

  /** The element's data key; created (and wrapped) on first use when `create` is set. */
  async dataKey(elementId: string, create: boolean): Promise<Buffer | undefined> {
    const cached = this.cache.get(elementId)
    if (cached) return cached
    let row = await this.storage.getDataKey(elementId)
    if (!row && create) {
      const at = new Date().toISOString()
      const fresh = randomBytes(32)
      const inserted = await this.storage.insertDataKey({
        element_id: elementId,
        ...this.wrap(elementId, fresh),
        created_at: at,
        updated_at: at,
      })
      if (inserted) return this.remember(elementId, fresh)
      row = await this.storage.getDataKey(elementId)
    }
    if (!row) return undefined
    return this.remember(elementId, this.unwrap(elementId, row.master_key_id, row.wrapped))
  }

  private remember(elementId: string, key: Buffer): Buffer {
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear()
    this.cache.set(elementId, key)
    return key
  }

  /** Seals `value` for `binding`, creating the element's data key on first use. */
  async seal(binding: SealBinding, value: Json): Promise<string> {
    const key = await this.dataKey(binding.elementId, true)
    const json = Buffer.from(JSON.stringify(value))
    // Cookie sets compress several-fold: less to write, read and keep. Only someone who can
    // both choose plaintext and watch the stored length could learn from it.
    if (json.length < DEFLATE_FROM) return encrypt(key!, json, blobAad(binding, PLAIN), PLAIN)
    return encrypt(key!, deflateRawSync(json, { level: 1 }), blobAad(binding, DEFLATED), DEFLATED)
  }

  /** Opens a sealed value; SECRET_INTEGRITY_FAILED when it was altered, moved or rolled back. */
  async open(binding: SealBinding, sealed: string): Promise<Json> {
    const key = await this.dataKey(binding.elementId, false)
    const tag = sealed.slice(0, sealed.indexOf('.'))
    const body = key && decrypt(key, sealed, blobAad(binding, tag), [PLAIN, DEFLATED])
    const plain = body && (tag === DEFLATED ? inflateRawSync(body) : body)
    if (!plain)
      throw new PlatformError(
        SECRET.SECRET_INTEGRITY_FAILED,
        `sealed ${binding.purpose} of this element failed authentication (altered, copied from another element, or from another version)`,
        { purpose: binding.purpose },
      )
    return JSON.parse(plain.toString('utf8')) as Json
  }

  /**
   * Re-wraps every data key not wrapped by the current master key under it. Blobs are not
   * touched: the data keys themselves do not change.
   */
  async rewrapAll(): Promise<{ current: number; rewrapped: number }> {
    this.ring.refresh()
    const current = this.ring.current().id
    let rewrapped = 0
    let after = ''
    for (;;) {
      const rows = await this.storage.listDataKeysNotWrappedBy(current, after, 500)
      if (rows.length === 0) break
      for (const row of rows) {
        const key = this.unwrap(row.element_id, row.master_key_id, row.wrapped)
        const next = { ...this.wrap(row.element_id, key), updated_at: new Date().toISOString() }
        if (await this.storage.rewrapDataKey(row.element_id, row.master_key_id, next)) rewrapped++
        after = row.element_id
      }
    }
    return { current, rewrapped }
  }

  /** Destroys the element's data key: whatever was sealed under it can never be opened again. */
  async forget(elementId: string): Promise<void> {
    this.cache.delete(elementId)
    await this.storage.deleteDataKey(elementId)
  }
}
