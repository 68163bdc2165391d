// Pure parsers of configuration text that config.ts checks at start-up and the engine and the
// secrets code use again at run time. They import nothing from the project, so config.ts
// depends on no engine/ or secrets/ module.

export const KEY_BYTES = 32

export interface MasterKey {
  id: number
  key: Buffer
}

/** Decodes one 32-byte master key written as base64 or hex; `where` names it in the error. */
export function decodeKey(text: string, where: string): Buffer {
  const t = text.trim()
  const key = /^[0-9a-fA-F]{64}$/.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64')
  if (key.length !== KEY_BYTES || !/^[A-Za-z0-9+/_=-]+$/.test(t))
    throw new Error(`${where}: a master key must be 32 bytes, as base64 or 64 hex digits`)
  return key
}

/** Parses PERIODIC_MASTER_KEY; throws (naming no key material) when it is malformed. */
export function parseMasterKeys(raw: string): MasterKey[] {
  const entries = raw.split(',').map((s) => s.trim())
  if (entries.length === 1 && !entries[0]!.includes(':'))
    return [{ id: 1, key: decodeKey(entries[0]!, 'PERIODIC_MASTER_KEY') }]
  const keys: MasterKey[] = []
  for (const [i, entry] of entries.entries()) {
    const m = /^(\d{1,9}):(.+)$/.exec(entry)
    if (!m) throw new Error(`PERIODIC_MASTER_KEY entry ${i + 1} must be "<id>:<key>"`)
    const id = Number(m[1])
    if (id < 1) throw new Error(`PERIODIC_MASTER_KEY entry ${i + 1}: ids start at 1`)
    if (keys.some((k) => k.id === id)) throw new Error(`PERIODIC_MASTER_KEY names key id ${id} twice`)
    keys.push({ id, key: decodeKey(m[2]!, `PERIODIC_MASTER_KEY entry ${i + 1}`) })
  }
  return keys
}

/** Checks one allow-list entry; throws on a malformed one (config time). */
export function checkAllowlistEntry(entry: string): void {
  if (entry === '*') return
  if (entry.includes('://')) {
    let u: URL
    try {
      u = new URL(entry)
    } catch {
      throw new Error(`"${entry}" is not a URL`)
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`"${entry}" must be http(s)`)
    return
  }
  // A host, host:port, or a host glob as iii writes them (`*.example.com`, `api-?.example.com`).
  if (!/^[a-z0-9.:[\]*?-]{1,253}$/i.test(entry)) throw new Error(`"${entry}" is not a host name`)
}
