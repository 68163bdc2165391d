// State and stream items in this process's memory: iii's `kv` adapter with `store_method:
// in_memory`. Nothing is written to the database, so the items are gone when the server stops,
// and they are this node's alone (other nodes of a cluster do not see them). Values are kept as
// JSON text, so a caller can never change a stored value through an object it was handed; a
// byte budget keeps a runaway writer from taking the server's memory.
import { totalmem } from 'node:os'
import type { Json } from '../storage/storage.ts'
import { EngineError } from './engine-error.ts'
import type { ItemChange, ItemKind, ItemRef, StateStore } from './state-store.ts'

/** Items of one scope (state) or one stream group, by key. */
type Items = Map<string, string>

/** At most an eighth of the machine's memory, and never more than 1 GiB. */
export const DEFAULT_MEMORY_BUDGET = Math.min(Math.floor(totalmem() / 8), 1024 ** 3)

const sizeOf = (key: string, text: string) => 2 * (key.length + text.length)

export class MemoryStateStore implements StateStore {
  /** circle -> kind -> scope -> group -> items */
  private readonly circles = new Map<string, Map<ItemKind, Map<string, Map<string, Items>>>>()
  private bytes = 0

  constructor(private readonly budgetBytes: number = DEFAULT_MEMORY_BUDGET) {}

  /** Approximate bytes held (UTF-16 keys and JSON texts). */
  get usedBytes(): number {
    return this.bytes
  }

  private items(
    ref: Pick<ItemRef, 'circleId' | 'kind' | 'scope' | 'group'>,
    create: boolean,
  ): Items | undefined {
    let kinds = this.circles.get(ref.circleId)
    if (!kinds) {
      if (!create) return undefined
      kinds = new Map()
      this.circles.set(ref.circleId, kinds)
    }
    let scopes = kinds.get(ref.kind)
    if (!scopes) {
      if (!create) return undefined
      scopes = new Map()
      kinds.set(ref.kind, scopes)
    }
    let groups = scopes.get(ref.scope)
    if (!groups) {
      if (!create) return undefined
      groups = new Map()
      scopes.set(ref.scope, groups)
    }
    let items = groups.get(ref.group)
    if (!items) {
      if (!create) return undefined
      items = new Map()
      groups.set(ref.group, items)
    }
    return items
  }

  async get(ref: ItemRef): Promise<Json | undefined> {
    const text = this.items(ref, false)?.get(ref.key)
    return text === undefined ? undefined : (JSON.parse(text) as Json)
  }

  async set(ref: ItemRef, value: Json): Promise<ItemChange> {
    const c = await this.update(ref, () => ({ value }))
    return { old_value: c.old_value, new_value: c.new_value }
  }

  async delete(ref: ItemRef): Promise<ItemChange> {
    const items = this.items(ref, false)
    const text = items?.get(ref.key)
    if (!items || text === undefined) return { old_value: undefined, new_value: undefined }
    items.delete(ref.key)
    this.bytes -= sizeOf(ref.key, text)
    this.prune(ref)
    return { old_value: JSON.parse(text) as Json, new_value: undefined }
  }

  // Synchronous from read to write: no other call can run in between (one event loop).
  async update<T extends { value: Json }>(
    ref: ItemRef,
    fn: (old: Json | undefined) => T,
  ): Promise<ItemChange & T> {
    const oldText = this.items(ref, false)?.get(ref.key)
    const old = oldText === undefined ? undefined : (JSON.parse(oldText) as Json)
    const next = fn(old)
    const text = JSON.stringify(next.value)
    const delta = sizeOf(ref.key, text) - (oldText === undefined ? 0 : sizeOf(ref.key, oldText))
    if (delta > 0 && this.bytes + delta > this.budgetBytes)
      throw new EngineError(
        'state_store_full',
        `the in-memory state store holds its ${this.budgetBytes} bytes; delete items or use store_method: file_based`,
      )
    this.items(ref, true)!.set(ref.key, text)
    this.bytes += delta
    // The stored copy, not the caller's object: what a database round trip would give.
    return { ...next, old_value: old, new_value: JSON.parse(text) as Json }
  }

  async list(
    circleId: string,
    kind: ItemKind,
    scope: string,
    group: string,
  ): Promise<Array<{ key: string; value: Json }>> {
    const items = this.items({ circleId, kind, scope, group }, false)
    if (!items) return []
    return [...items.keys()].sort(byCodeUnit).map((key) => ({
      key,
      value: JSON.parse(items.get(key)!) as Json,
    }))
  }

  async listGroups(circleId: string, kind: ItemKind, scope?: string): Promise<string[]> {
    const scopes = this.circles.get(circleId)?.get(kind)
    if (!scopes) return []
    if (kind === 'state') return [...scopes.keys()].sort(byCodeUnit)
    return [...(scopes.get(scope ?? '')?.keys() ?? [])].sort(byCodeUnit)
  }

  async listStreams(circleId: string): Promise<Array<{ id: string; groups: string[] }>> {
    const streams = this.circles.get(circleId)?.get('stream')
    if (!streams) return []
    return [...streams.keys()].sort(byCodeUnit).map((id) => ({
      id,
      groups: [...(streams.get(id)?.keys() ?? [])].sort(byCodeUnit),
    }))
  }

  /** Drops the empty maps above a deleted item, so listings show only what holds items. */
  private prune(ref: ItemRef): void {
    const kinds = this.circles.get(ref.circleId)
    const scopes = kinds?.get(ref.kind)
    const groups = scopes?.get(ref.scope)
    if (!kinds || !scopes || !groups || groups.get(ref.group)?.size) return
    groups.delete(ref.group)
    if (groups.size) return
    scopes.delete(ref.scope)
    if (scopes.size) return
    kinds.delete(ref.kind)
    if (!kinds.size) this.circles.delete(ref.circleId)
  }
}

/** Code-unit order, as the database orders keys (not the locale's order). */
const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
