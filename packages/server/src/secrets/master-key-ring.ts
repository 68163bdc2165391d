// The versioned master keys that wrap per-element data keys: from PERIODIC_MASTER_KEY, or from a
// key file generated in the data dir (mode 0600). The first/current key wraps new data keys;
// older ones stay readable until rotation has re-wrapped everything they wrapped.
import { randomBytes } from 'node:crypto'
import { chmodSync, existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { decodeKey, KEY_BYTES, type MasterKey, parseMasterKeys } from '../config-parsers.ts'

export type { MasterKey }

export const MASTER_KEY_FILE = 'master-keys.json'

export interface MasterKeySource {
  dataDir: string
  /** PERIODIC_MASTER_KEY: `id:base64[,id:base64…]` (first is current) or one bare key (id 1). */
  masterKey: string | undefined
}

interface KeyFile {
  current: number
  keys: Record<string, string>
}

function readKeyFile(file: string): MasterKey[] {
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as KeyFile
  const keys = Object.entries(parsed.keys).map(([id, k]) => ({ id: Number(id), key: decodeKey(k, file) }))
  const current = keys.find((k) => k.id === parsed.current)
  if (!current) throw new Error(`${file}: the current key ${parsed.current} is not in the file`)
  return [current, ...keys.filter((k) => k !== current)]
}

/** Writes the key file atomically with mode 0600 (current key first). */
export function writeKeyFile(file: string, keys: MasterKey[]): void {
  const body: KeyFile = {
    current: keys[0]!.id,
    keys: Object.fromEntries(keys.map((k) => [String(k.id), k.key.toString('base64')])),
  }
  const tmp = `${file}.${process.pid}.tmp`
  writeFileSync(tmp, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600 })
  chmodSync(tmp, 0o600)
  renameSync(tmp, file)
}

function stampOf(file: string): string {
  const st = statSync(file)
  return `${st.mtimeMs}:${st.ino}:${st.size}`
}

export function newMasterKey(id: number): MasterKey {
  return { id, key: randomBytes(KEY_BYTES) }
}

export class MasterKeyRing {
  private keys: MasterKey[]
  /** mtime, inode and size of the key file as last read (a rotation renames a new file in). */
  private fileStamp = ''
  readonly file: string | undefined

  constructor(source: MasterKeySource) {
    if (source.masterKey) {
      this.keys = parseMasterKeys(source.masterKey)
      this.file = undefined
      return
    }
    this.file = join(source.dataDir, MASTER_KEY_FILE)
    if (!existsSync(this.file)) {
      try {
        writeFileSync(this.file, '', { flag: 'wx', mode: 0o600 })
        writeKeyFile(this.file, [newMasterKey(1)])
      } catch (err) {
        // Another process created it first: read theirs.
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      }
    }
    this.keys = readKeyFile(this.file)
    this.fileStamp = stampOf(this.file)
  }

  /** Where the keys come from, for messages (never the keys). */
  get source(): string {
    return this.file ?? 'PERIODIC_MASTER_KEY'
  }

  /** Re-reads the key file when a rotation (another process) changed it. */
  refresh(): void {
    if (!this.file) return
    const stamp = stampOf(this.file)
    if (stamp === this.fileStamp) return
    this.keys = readKeyFile(this.file)
    this.fileStamp = stamp
  }

  current(): MasterKey {
    return this.keys[0]!
  }

  get(id: number): Buffer | undefined {
    let k = this.keys.find((x) => x.id === id)
    if (!k) {
      this.refresh()
      k = this.keys.find((x) => x.id === id)
    }
    return k?.key
  }

  ids(): number[] {
    return this.keys.map((k) => k.id)
  }

  /** Key-file mode: adds a new current key (kept with the old ones) and returns its id. */
  addCurrentKey(): number {
    if (!this.file) throw new Error('keys come from PERIODIC_MASTER_KEY: put the new key first there instead')
    this.refresh()
    const next = newMasterKey(Math.max(...this.keys.map((k) => k.id)) + 1)
    this.keys = [next, ...this.keys]
    writeKeyFile(this.file, this.keys)
    this.fileStamp = stampOf(this.file)
    return next.id
  }

  /** Key-file mode: drops keys other than the current one that `inUse` does not name. */
  retire(inUse: Set<number>): number[] {
    if (!this.file) return []
    const dropped = this.keys.slice(1).filter((k) => !inUse.has(k.id))
    if (dropped.length === 0) return []
    this.keys = this.keys.filter((k) => !dropped.includes(k))
    writeKeyFile(this.file, this.keys)
    this.fileStamp = stampOf(this.file)
    return dropped.map((k) => k.id)
  }
}
