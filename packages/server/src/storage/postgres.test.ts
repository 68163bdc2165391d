// The storage contract on PostgreSQL, in a schema of its own. PERIODIC_TEST_DATABASE_URL
// points at the server (the vitest global setup finds a local one; in CI it is required).
import { randomBytes } from 'node:crypto'
import { describe, it } from 'vitest'
import { testDatabaseUrl } from '../../test/test-server.ts'
import { createPostgresStorage, dropPostgresSchema } from './postgres.ts'
import { describeStorageContract } from './storage.contract.ts'

const url = testDatabaseUrl()
if (url) {
  const schema = `contract_${randomBytes(6).toString('hex')}`
  describeStorageContract('postgres', {
    open: () => createPostgresStorage({ url, schema, maxConnections: 4 }),
    dispose: () => dropPostgresSchema(url, schema),
  })
} else {
  describe.skip('storage contract: postgres (PERIODIC_TEST_DATABASE_URL unset)', () => {
    it('needs a PostgreSQL server', () => {})
  })
}
