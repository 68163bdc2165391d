// Embedded storage: one SQLite file in the data dir, WAL mode, through better-sqlite3.
// The database holds every circle's data: the file, its -wal and -shm are 0600 and the
// directory holding them 0700, whatever the umask.
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import { Kysely, SqliteDialect } from 'kysely'
import type { DB } from './db-schema.ts'
import { KyselyStorage } from './kysely-storage.ts'
import { ReadCache } from './read-cache.ts'
import { sqliteRunWrites } from './run-store.ts'
import { BACKSTOP_WAL_PAGES, SqliteCheckpointer } from './sqlite-checkpointer.ts'
import type { Storage } from './storage.ts'

/** Creates (or tightens) the database file and its directory before SQLite opens them. */
function restrictFiles(file: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 })
  chmodSync(dirname(file), 0o700)
  closeSync(openSync(file, 'a', 0o600))
  // SQLite creates -wal and -shm with the mode of the database file; older installs may
  // still have them world-readable.
  for (const f of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(f)) chmodSync(f, 0o600)
}

export function createSqliteStorage(file: string): Storage {
  if (file !== ':memory:') restrictFiles(file)
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
  // Moves when another connection (another node on this file) commits: ~1 µs to read.
  const dataVersion = database.prepare('PRAGMA data_version').pluck()
  return new KyselyStorage(
    new Kysely<DB>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) }),
    'sqlite',
    async () => checkpointer?.close(),
    new ReadCache(() => dataVersion.get()),
    sqliteRunWrites(database),
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
