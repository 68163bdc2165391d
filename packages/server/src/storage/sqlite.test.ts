// The storage contract on embedded SQLite: a fresh file per run, and in-memory.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSqliteStorage } from './sqlite.ts'
import { describeStorageContract } from './storage.contract.ts'

const dir = mkdtempSync(join(tmpdir(), 'periodic-sqlite-'))

describeStorageContract('sqlite file', {
  open: async () => createSqliteStorage(join(dir, 'nested', 'periodic.db')),
  dispose: async () => rmSync(dir, { recursive: true, force: true }),
})

describeStorageContract('sqlite memory', { open: async () => createSqliteStorage(':memory:') })
