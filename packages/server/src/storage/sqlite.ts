// Embedded storage: one SQLite file in the data dir, WAL mode, through better-sqlite3.
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import { Kysely, SqliteDialect } from 'kysely'
import { type DB, KyselyStorage } from './kysely-storage.ts'
import { BACKSTOP_WAL_PAGES, SqliteCheckpointer } from './sqlite-checkpointer.ts'
import type { Storage } from './storage.ts'

export function createSqliteStorage(file: string): Storage {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true })
  const database = new Database(file)
  database.pragma('journal_mode = WAL')
  // NORMAL is durable across application crashes in WAL mode; only an OS crash can lose the
  // last commits, and it measured several times faster than FULL for small writes.
  database.pragma('synchronous = NORMAL')
  database.pragma('busy_timeout = 5000')
  database.pragma('foreign_keys = ON')
  // Checkpoints run on a thread of their own (see sqlite-checkpointer.ts).
  const checkpointer = file === ':memory:' ? undefined : SqliteCheckpointer.start(file)
  if (checkpointer) database.pragma(`wal_autocheckpoint = ${BACKSTOP_WAL_PAGES}`)
  return new KyselyStorage(
    new Kysely<DB>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) }),
    'sqlite',
    async () => checkpointer?.close(),
  )
}

/**
 * Kysely prepares every query anew; preparing was the largest single cost of a request
 * (11 % of CPU in a GET profile). Statements are reused by SQL text. Kysely runs one query at
 * a time on this connection, so a cached statement is never used concurrently.
 */
function withStatementCache(database: Database.Database): Database.Database {
  const cache = new Map<string, Database.Statement>()
  const prepare = database.prepare.bind(database)
  return new Proxy(database, {
    get(target, prop, receiver) {
      if (prop !== 'prepare') {
        const value = Reflect.get(target, prop, receiver)
        // Native methods must run with the real database as `this`, not the proxy.
        return typeof value === 'function' ? value.bind(target) : value
      }
      return (source: string) => {
        let stmt = cache.get(source)
        if (!stmt) {
          if (cache.size >= 1000) cache.clear()
          stmt = prepare(source)
          cache.set(source, stmt)
        }
        return stmt
      }
    },
  })
}
