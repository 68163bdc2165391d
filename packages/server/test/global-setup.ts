// Before the suite: when PERIODIC_TEST_DATABASE_URL is unset on a developer machine, use the
// local PostgreSQL if one answers at the default address, so `npm test` covers both databases
// wherever it can. In CI the variable is required (.ci/run sets it).
import pg from 'pg'

const DEFAULT_URL = 'postgres://postgres@127.0.0.1:5432/test'

export default async function setup(): Promise<void> {
  // The portal's browser tests (and any server the suite starts) serve the current build.
  const { buildPortalIfStale } = await import('@periodic/portal/build-if-stale.mjs')
  await buildPortalIfStale()
  if (process.env['PERIODIC_TEST_DATABASE_URL'] || process.env['CI']) return
  const client = new pg.Client({ connectionString: DEFAULT_URL, connectionTimeoutMillis: 1000 })
  try {
    await client.connect()
    await client.query('select 1')
    process.env['PERIODIC_TEST_DATABASE_URL'] = DEFAULT_URL
    console.log(`PostgreSQL tests use ${DEFAULT_URL}`)
  } catch {
    console.warn(
      'PostgreSQL not reachable at the default address: the PostgreSQL half of the suite is skipped',
    )
  } finally {
    await client.end().catch(() => {})
  }
}
