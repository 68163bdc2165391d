// State and stream items: (circle, kind, scope, group, key) -> JSON. The StateStore contract
// (state-store.contract.ts) and its database implementation: `update` is an atomic
// read-modify-write of one item; on SQLite writes group-commit in arrival order, PostgreSQL takes
// a transaction-scoped advisory lock on the item first. memory-state-store.ts keeps items in memory.
import { type Kysely, sql } from 'kysely'
import type { Json } from '../storage/storage.ts'
import { type EngineTables, itemIs, SqliteItemBatcher } from './sqlite-item-batcher.ts'
import type { UpdateOp } from './update-ops.ts'

export type ItemKind = 'state' | 'stream'

export interface ItemRef {
  circleId: string
  kind: ItemKind
  /** State scope, or stream name. */
  scope: string
  /** Stream group ('' for state). */
  group: string
  key: string
}

export interface ItemChange {
  old_value: Json | undefined
  new_value: Json | undefined
}

/** Where state and stream items live; every implementation passes state-store.contract.ts. */
export interface StateStore {
  /** The item's value; undefined when there is none (null is a value). */
  get(ref: ItemRef): Promise<Json | undefined>
  /** Replaces the item (creating it) and returns what it held before. */
  set(ref: ItemRef, value: Json): Promise<ItemChange>
  delete(ref: ItemRef): Promise<ItemChange>
  /**
   * Reads the item, lets `fn` compute its next value from the current one, and writes it, with
   * nothing else touching the item in between. `fn` may throw to abort without writing. `ops`,
   * when `fn` applies update ops, lets a store that cannot run `fn` (a bridge) send them instead.
   */
  update<T extends { value: Json }>(
    ref: ItemRef,
    fn: (old: Json | undefined) => T,
    ops?: readonly UpdateOp[],
  ): Promise<ItemChange & T>
  /** Values of a scope (state) or group (stream), in key order. */
  list(
    circleId: string,
    kind: ItemKind,
    scope: string,
    group: string,
  ): Promise<Array<{ key: string; value: Json }>>
  /** State scopes of a circle, or the groups of one stream, sorted. */
  listGroups(circleId: string, kind: ItemKind, scope?: string): Promise<string[]>
  /** Every stream of a circle with its groups, in name order (iii's stream::list_all). */
  listStreams(circleId: string): Promise<Array<{ id: string; groups: string[] }>>
}

export class DatabaseStateStore implements StateStore {
  private readonly db: Kysely<EngineTables>
  private readonly batcher: SqliteItemBatcher | undefined

  constructor(
    db: Kysely<unknown>,
    private readonly dialect: 'sqlite' | 'postgres',
  ) {
    this.db = db as unknown as Kysely<EngineTables>
    // SQLite: one process owns the file, so writes group-commit (see sqlite-item-batcher.ts).
    this.batcher = dialect === 'sqlite' && !this.db.isTransaction ? new SqliteItemBatcher(db) : undefined
  }

  async get(ref: ItemRef): Promise<Json | undefined> {
    const r = await this.db.selectFrom('engine_items').select('value').where(itemIs(ref)).executeTakeFirst()
    return r ? (JSON.parse(r.value) as Json) : undefined
  }

  /** Replaces the item (creating it) and returns what it held before. */
  async set(ref: ItemRef, value: Json): Promise<ItemChange> {
    const c = await this.update(ref, () => ({ value }))
    return { old_value: c.old_value, new_value: c.new_value }
  }

  async delete(ref: ItemRef): Promise<ItemChange> {
    if (this.batcher) {
      const r = await this.batcher.mutate(ref, () => ({ value: undefined }))
      return { old_value: r.old, new_value: undefined }
    }
    return this.locked(ref, async (db) => {
      const old = await readIn(db, ref)
      if (old !== undefined) await db.deleteFrom('engine_items').where(itemIs(ref)).execute()
      return { old_value: old, new_value: undefined }
    })
  }

  /**
   * Reads the item, lets `fn` compute its next value from the current one, and writes it, with
   * nothing else touching the item in between. `fn` may throw to abort without writing.
   */
  async update<T extends { value: Json }>(
    ref: ItemRef,
    fn: (old: Json | undefined) => T,
  ): Promise<ItemChange & T> {
    if (this.batcher) {
      const r = await this.batcher.mutate(ref, fn)
      return { ...r.next, old_value: r.old, new_value: r.next.value }
    }
    return this.locked(ref, async (db) => {
      const old = await readIn(db, ref)
      const next = fn(old)
      const value = JSON.stringify(next.value)
      const at = new Date().toISOString()
      await db
        .insertInto('engine_items')
        .values({
          circle_id: ref.circleId,
          kind: ref.kind,
          scope: ref.scope,
          grp: ref.group,
          item_key: ref.key,
          value,
          updated_at: at,
        })
        .onConflict((oc) =>
          oc
            .columns(['circle_id', 'kind', 'scope', 'grp', 'item_key'])
            .doUpdateSet({ value, updated_at: at }),
        )
        .execute()
      return { ...next, old_value: old, new_value: next.value }
    })
  }

  /** Values of a scope (state) or group (stream), in key order. */
  async list(
    circleId: string,
    kind: ItemKind,
    scope: string,
    group: string,
  ): Promise<Array<{ key: string; value: Json }>> {
    const rows = await this.db
      .selectFrom('engine_items')
      .select(['item_key', 'value'])
      .where('circle_id', '=', circleId)
      .where('kind', '=', kind)
      .where('scope', '=', scope)
      .where('grp', '=', group)
      .orderBy('item_key')
      .execute()
    return rows.map((r) => ({ key: r.item_key, value: JSON.parse(r.value) as Json }))
  }

  /** State scopes of a circle, or the groups of one stream. */
  async listGroups(circleId: string, kind: ItemKind, scope?: string): Promise<string[]> {
    if (kind === 'state') {
      const rows = await this.db
        .selectFrom('engine_items')
        .select('scope')
        .distinct()
        .where('circle_id', '=', circleId)
        .where('kind', '=', 'state')
        .orderBy('scope')
        .execute()
      return rows.map((r) => r.scope)
    }
    const rows = await this.db
      .selectFrom('engine_items')
      .select('grp')
      .distinct()
      .where('circle_id', '=', circleId)
      .where('kind', '=', 'stream')
      .where('scope', '=', scope ?? '')
      .orderBy('grp')
      .execute()
    return rows.map((r) => r.grp)
  }

  /** Every stream of a circle with its groups, in name order (iii's stream::list_all). */
  async listStreams(circleId: string): Promise<Array<{ id: string; groups: string[] }>> {
    const rows = await this.db
      .selectFrom('engine_items')
      .select(['scope', 'grp'])
      .distinct()
      .where('circle_id', '=', circleId)
      .where('kind', '=', 'stream')
      .orderBy('scope')
      .orderBy('grp')
      .execute()
    const out: Array<{ id: string; groups: string[] }> = []
    for (const r of rows) {
      const last = out[out.length - 1]
      if (last?.id === r.scope) last.groups.push(r.grp)
      else out.push({ id: r.scope, groups: [r.grp] })
    }
    return out
  }

  private locked<T>(ref: ItemRef, fn: (db: Kysely<EngineTables>) => Promise<T>): Promise<T> {
    if (this.db.isTransaction) return fn(this.db)
    return this.db.transaction().execute(async (trx) => {
      if (this.dialect === 'postgres') {
        // Serializes writers of this item across nodes, including the one that creates it.
        const k = JSON.stringify([ref.circleId, ref.kind, ref.scope, ref.group, ref.key])
        await sql`select pg_advisory_xact_lock(hashtextextended(${k}, 7))`.execute(trx)
      }
      return fn(trx)
    })
  }
}

async function readIn(db: Kysely<EngineTables>, ref: ItemRef): Promise<Json | undefined> {
  const r = await db.selectFrom('engine_items').select('value').where(itemIs(ref)).executeTakeFirst()
  return r ? (JSON.parse(r.value) as Json) : undefined
}
