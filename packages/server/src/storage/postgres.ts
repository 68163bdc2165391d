// Scale-out storage: PostgreSQL through `pg`. An optional schema isolates tests (and lets
// several installations share one database). `pg` is loaded on first use, so SQLite-only
// starts do not pay for it.
import { Kysely, PostgresDialect } from 'kysely'
import type { DB } from './db-schema.ts'
import { KyselyStorage } from './kysely-storage.ts'
import type { Storage } from './storage.ts'

export interface PostgresOptions {
  url: string
  schema?: string
  maxConnections?: number
}

async function loadPg() {
  return (await import('pg')).default
}

export async function createPostgresStorage(opts: PostgresOptions): Promise<Storage> {
  const pg = await loadPg()
  if (opts.schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(opts.schema)) {
    throw new Error(`invalid PostgreSQL schema name: ${opts.schema}`)
  }
  if (opts.schema) {
    const admin = new pg.Client({ connectionString: opts.url })
    await admin.connect()
    try {
      await admin.query(`CREATE SCHEMA IF NOT EXISTS ${opts.schema}`)
    } finally {
      await admin.end()
    }
  }
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: opts.maxConnections ?? 10,
    ...(opts.schema ? { options: `-c search_path=${opts.schema}` } : {}),
  })
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => {})
  return new KyselyStorage(new Kysely<DB>({ dialect: new PostgresDialect({ pool }) }), 'postgres')
}

/** Drops a schema made by createPostgresStorage (tests use one schema each). */
export async function dropPostgresSchema(url: string, schema: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`invalid schema: ${schema}`)
  const pg = await loadPg()
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
  } finally {
    await client.end()
  }
}
