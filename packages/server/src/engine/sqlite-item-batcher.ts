// Group commit for state and stream writes on SQLite. SQLite has one writer and this process
// owns the file, so writes are applied in arrival order in memory and committed together, one
// transaction per batch; recently written items are cached so a hot item is not re-read. A
// failed batch rejects every write in it and changes neither the file nor the cache.
import type { ExpressionBuilder, Kysely } from 'kysely'
import type { Json } from '../storage/storage.ts'

export interface ItemKeyParts {
  circleId: string
  kind: string
  scope: string
  group: string
  key: string
}

/** The engine_items table (migration 0007), as both the store and the batcher read it. */
export interface EngineTables {
  engine_items: {
    circle_id: string
    kind: string
    scope: string
    grp: string
    item_key: string
    value: string
    updated_at: string
  }
}

/** The condition naming one item by its whole key (every read, write and delete of one item). */
export const itemIs = (ref: ItemKeyParts) => (eb: ExpressionBuilder<EngineTables, 'engine_items'>) =>
  eb.and({ circle_id: ref.circleId, kind: ref.kind, scope: ref.scope, grp: ref.group, item_key: ref.key })

/** What a write computes from the current value; `value: undefined` deletes the item. */
export type Mutation<T> = (old: Json | undefined) => T & { value: Json | undefined }

interface Pending {
  ref: ItemKeyParts
  fn: Mutation<object>
  resolve(r: { old: Json | undefined; next: { value: Json | undefined } }): void
  reject(e: unknown): void
}

const MAX_BATCH = 512
const CACHE_CAP = 50_000
const MISSING = Symbol('missing')

const keyOf = (r: ItemKeyParts) => JSON.stringify([r.circleId, r.kind, r.scope, r.group, r.key])

export class SqliteItemBatcher {
  private queue: Pending[] = []
  private running = false
  /** Committed values of recently written items (MISSING: known not to exist). */
  private readonly cache = new Map<string, Json | typeof MISSING>()

  constructor(private readonly db: Kysely<unknown>) {}

  mutate<T extends { value: Json | undefined }>(
    ref: ItemKeyParts,
    fn: (old: Json | undefined) => T,
  ): Promise<{ old: Json | undefined; next: T }> {
    return new Promise((resolve, reject) => {
      this.queue.push({ ref, fn: fn as Mutation<object>, resolve: resolve as Pending['resolve'], reject })
      if (!this.running) {
        this.running = true
        setImmediate(() => void this.drain())
      }
    })
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH)
      await this.commit(batch)
    }
    this.running = false
  }

  private async commit(batch: Pending[]): Promise<void> {
    const db = this.db as Kysely<EngineTables>
    // Values as this batch leaves them; the cache is only touched after the commit.
    const overlay = new Map<string, { ref: ItemKeyParts; value: Json | undefined; json?: string }>()
    const outcomes: Array<
      { ok: true; old: Json | undefined; next: { value: Json | undefined } } | { ok: false; err: unknown }
    > = []
    try {
      await db.transaction().execute(async (trx) => {
        for (const p of batch) {
          const k = keyOf(p.ref)
          let old: Json | undefined
          if (overlay.has(k)) old = overlay.get(k)!.value
          else if (this.cache.has(k)) {
            const c = this.cache.get(k)!
            old = c === MISSING ? undefined : c
          } else {
            const row = await trx
              .selectFrom('engine_items')
              .select('value')
              .where(itemIs(p.ref))
              .executeTakeFirst()
            old = row ? (JSON.parse(row.value) as Json) : undefined
          }
          try {
            const next = p.fn(old)
            const json = (next as { json?: unknown }).json
            overlay.set(k, { ref: p.ref, value: next.value, ...(typeof json === 'string' ? { json } : {}) })
            outcomes.push({ ok: true, old, next })
          } catch (err) {
            outcomes.push({ ok: false, err })
          }
        }
        const at = new Date().toISOString()
        const upserts = [...overlay.values()].filter((o) => o.value !== undefined)
        for (let i = 0; i < upserts.length; i += 256) {
          await trx
            .insertInto('engine_items')
            .values(
              upserts.slice(i, i + 256).map((o) => ({
                circle_id: o.ref.circleId,
                kind: o.ref.kind,
                scope: o.ref.scope,
                grp: o.ref.group,
                item_key: o.ref.key,
                value: o.json ?? JSON.stringify(o.value),
                updated_at: at,
              })),
            )
            .onConflict((oc) =>
              oc.columns(['circle_id', 'kind', 'scope', 'grp', 'item_key']).doUpdateSet((eb) => ({
                value: eb.ref('excluded.value'),
                updated_at: eb.ref('excluded.updated_at'),
              })),
            )
            .execute()
        }
        for (const o of overlay.values()) {
          if (o.value !== undefined) continue
          await trx.deleteFrom('engine_items').where(itemIs(o.ref)).execute()
        }
      })
    } catch (err) {
      for (const p of batch) p.reject(err)
      return
    }
    for (const [k, o] of overlay) {
      this.cache.delete(k) // re-insert: Map order is the eviction order
      this.cache.set(k, o.value === undefined ? MISSING : o.value)
    }
    while (this.cache.size > CACHE_CAP) this.cache.delete(this.cache.keys().next().value!)
    batch.forEach((p, i) => {
      const o = outcomes[i]!
      if (o.ok) p.resolve({ old: o.old, next: o.next })
      else p.reject(o.err)
    })
  }
}
