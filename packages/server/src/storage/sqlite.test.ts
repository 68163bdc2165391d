// The storage contract on embedded SQLite: a fresh file per run, and in-memory; the file modes.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createSqliteStorage } from './sqlite.ts'
import { describeStorageContract } from './storage.contract.ts'

const dir = mkdtempSync(join(tmpdir(), 'periodic-sqlite-'))

describeStorageContract('sqlite file', {
  open: async () => createSqliteStorage(join(dir, 'nested', 'periodic.db')),
  dispose: async () => rmSync(dir, { recursive: true, force: true }),
})

describeStorageContract('sqlite memory', { open: async () => createSqliteStorage(':memory:') })

describe('sqlite files', () => {
  it('keeps the database, its -wal and -shm at 0600 and their directory at 0700, whatever the umask', async () => {
    const base = mkdtempSync(join(tmpdir(), 'periodic-sqlite-mode-'))
    const data = join(base, 'data')
    const file = join(data, 'periodic.db')
    // An older install: a world-readable directory and database.
    mkdirSync(data, { mode: 0o755 })
    chmodSync(data, 0o755)
    writeFileSync(file, '', { mode: 0o644 })
    const old = process.umask(0o022)
    try {
      const storage = createSqliteStorage(file)
      await storage.migrate()
      const mode = (p: string) => statSync(p).mode & 0o777
      expect(existsSync(`${file}-wal`) && existsSync(`${file}-shm`)).toBe(true)
      expect([mode(file), mode(`${file}-wal`), mode(`${file}-shm`)]).toEqual([0o600, 0o600, 0o600])
      expect(mode(data)).toBe(0o700)
      await storage.close()
    } finally {
      process.umask(old)
      rmSync(base, { recursive: true, force: true })
    }
  })
})
