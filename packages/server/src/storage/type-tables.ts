// Tables an element type keeps beside the core ones: its own migrations, tracked in a migration
// table of its own (so a type and the core migrate independently), and a store the type builds
// on a query handle (the storage's, or a transaction's). The core Storage never learns its rows.
import type { Kysely, Migration } from 'kysely'

export type Dialect = 'sqlite' | 'postgres'

export interface TypeTables<S> {
  /** Names the type's migration table: `periodic_migrations_<name>` (letters, digits, _). */
  readonly name: string
  migrations(dialect: Dialect): Record<string, Migration>
  /** The type's store on `db`. */
  store(db: Kysely<unknown>, dialect: Dialect): S
}

/** What reaches a type's store: the storage, or a transaction of it. */
export interface TypeStores {
  storeOf<S>(tables: TypeTables<S>): S
}
