// The engine's one StateStore: each circle's state and stream items live in the database unless
// an iii config's adapter moved that kind, for that circle, elsewhere: `kv` with `store_method:
// in_memory` into memory (memory-state-store.ts), `bridge` to another engine (bridge-state-store.ts). Every state::* / stream::* call and every stream
// subscription reads through here, so the two never disagree about where an item lives.
import type { Json } from '../storage/storage.ts'
import { MemoryStateStore } from './memory-state-store.ts'
import type { ItemChange, ItemKind, ItemRef, StateStore } from './state-store.ts'
import type { UpdateOp } from './update-ops.ts'

export class StateStoreRouter implements StateStore {
  /** `${circleId}\n${kind}` -> the store of what does not live in the database. */
  private readonly elsewhere = new Map<string, StateStore>()

  constructor(
    private readonly database: StateStore,
    readonly memory: MemoryStateStore = new MemoryStateStore(),
  ) {}

  /** From now on, this circle's items of `kind` are kept in memory (the database's are not read). */
  useMemory(circleId: string, kind: ItemKind): void {
    this.elsewhere.set(`${circleId}\n${kind}`, this.memory)
  }

  /** From now on, this circle's items of `kind` are `store`'s (a bridge to another engine). */
  useStore(circleId: string, kind: ItemKind, store: StateStore): void {
    this.elsewhere.set(`${circleId}\n${kind}`, store)
  }

  private of(circleId: string, kind: ItemKind): StateStore {
    return this.elsewhere.get(`${circleId}\n${kind}`) ?? this.database
  }

  get(ref: ItemRef): Promise<Json | undefined> {
    return this.of(ref.circleId, ref.kind).get(ref)
  }

  set(ref: ItemRef, value: Json): Promise<ItemChange> {
    return this.of(ref.circleId, ref.kind).set(ref, value)
  }

  delete(ref: ItemRef): Promise<ItemChange> {
    return this.of(ref.circleId, ref.kind).delete(ref)
  }

  update<T extends { value: Json }>(
    ref: ItemRef,
    fn: (old: Json | undefined) => T,
    ops?: readonly UpdateOp[],
  ): Promise<ItemChange & T> {
    return this.of(ref.circleId, ref.kind).update(ref, fn, ops)
  }

  list(
    circleId: string,
    kind: ItemKind,
    scope: string,
    group: string,
  ): Promise<Array<{ key: string; value: Json }>> {
    return this.of(circleId, kind).list(circleId, kind, scope, group)
  }

  listGroups(circleId: string, kind: ItemKind, scope?: string): Promise<string[]> {
    return this.of(circleId, kind).listGroups(circleId, kind, scope)
  }

  listStreams(circleId: string): Promise<Array<{ id: string; groups: string[] }>> {
    return this.of(circleId, 'stream').listStreams(circleId)
  }
}
