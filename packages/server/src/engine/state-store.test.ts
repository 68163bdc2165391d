// The state store contract on SQLite (file and memory) and, when configured, PostgreSQL.
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'vitest'
import { testDatabaseUrl } from '../../test/test-server.ts'
import { createPostgresStorage, dropPostgresSchema } from '../storage/postgres.ts'
import { createSqliteStorage } from '../storage/sqlite.ts'
import type { Storage } from '../storage/storage.ts'
import { describeStateStoreContract, type OpenedStateStore } from './state-store.contract.ts'
import { DatabaseStateStore } from './state-store.ts'

/** The database store over a freshly migrated storage; `dispose` runs after it closes. */
async function opened(
  storage: Storage,
  dispose: () => Promise<void> = async () => {},
): Promise<OpenedStateStore> {
  await storage.migrate()
  return {
    store: new DatabaseStateStore(storage.kysely, storage.dialect),
    async close() {
      await storage.close()
      await dispose()
    },
  }
}

const dir = mkdtempSync(join(tmpdir(), 'periodic-state-'))
describeStateStoreContract('sqlite file', async () =>
  opened(await createSqliteStorage(join(dir, 'periodic.db')), async () =>
    rmSync(dir, { recursive: true, force: true }),
  ),
)
describeStateStoreContract('sqlite memory', async () => opened(await createSqliteStorage(':memory:')))

const url = testDatabaseUrl()
if (url) {
  const schema = `state_${randomBytes(6).toString('hex')}`
  describeStateStoreContract('postgres', async () =>
    opened(await createPostgresStorage({ url, schema, maxConnections: 8 }), () =>
      dropPostgresSchema(url, schema),
    ),
  )
} else {
  describe.skip('state store contract: postgres (PERIODIC_TEST_DATABASE_URL unset)', () => {
    it('needs a PostgreSQL server', () => {})
  })
}
