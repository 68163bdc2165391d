// iii's `bridge` adapter: a circle's state (or stream) items live in another engine, reached over
// the worker protocol (bridge-client.ts) by calling its own `state::*` / `stream::*` functions,
// as iii's bridge adapters do. The other engine's writes fire its own change triggers; this
// engine's state-functions fire the local ones from each result, so both sides see the change.
// An update is sent as its ops (`state::update` is atomic over there); a stored null reads back
// as missing, since the protocol answers both with null. A stream item's change is then published
// on the other engine's `stream.events` (bridge-stream-events.ts), as iii's stream bridge does,
// for the other bridges' subscribers; iii's state bridge relays no state change, nor does this.
import type { Json, JsonObject } from '../storage/storage.ts'
import type { BridgeClient } from './bridge-client.ts'
import { publishStreamEvent, streamEventOf } from './bridge-stream-events.ts'
import { EngineError } from './engine-error.ts'
import type { ItemChange, ItemKind, ItemRef, StateStore } from './state-store.ts'
import type { UpdateOp } from './update-ops.ts'

const fields = (ref: ItemRef): JsonObject =>
  ref.kind === 'state'
    ? { scope: ref.scope, key: ref.key }
    : { stream_name: ref.scope, group_id: ref.group, item_id: ref.key }

const obj = (v: Json): JsonObject => (v && typeof v === 'object' && !Array.isArray(v) ? v : {})
const opt = (v: Json | undefined): Json | undefined => (v === null ? undefined : v)

export class BridgeStateStore implements StateStore {
  constructor(private readonly client: BridgeClient) {}

  /** Publishes a stream item's change on the other engine (iii's `emit_event`). */
  private published<C extends ItemChange>(ref: ItemRef, c: C): C {
    if (ref.kind !== 'stream' || (c.old_value === undefined && c.new_value === undefined)) return c
    const change = c.new_value === undefined ? 'deleted' : c.old_value === undefined ? 'created' : 'updated'
    publishStreamEvent(this.client, streamEventOf({ ref, change, ...c }, this.client.id))
    return c
  }

  async get(ref: ItemRef): Promise<Json | undefined> {
    return opt(await this.client.call(`${ref.kind}::get`, fields(ref)))
  }

  async set(ref: ItemRef, value: Json): Promise<ItemChange> {
    const data: JsonObject = ref.kind === 'state' ? { value } : { data: value }
    const r = obj(await this.client.call(`${ref.kind}::set`, { ...fields(ref), ...data }))
    return this.published(ref, { old_value: opt(r['old_value']), new_value: r['new_value'] ?? value })
  }

  async delete(ref: ItemRef): Promise<ItemChange> {
    const r = obj(await this.client.call(`${ref.kind}::delete`, fields(ref)))
    return this.published(ref, { old_value: opt(r['old_value'] ?? r['value']), new_value: undefined })
  }

  async update<T extends { value: Json }>(
    ref: ItemRef,
    _fn: (old: Json | undefined) => T,
    ops?: readonly UpdateOp[],
  ): Promise<ItemChange & T> {
    if (!ops) throw new EngineError('bridge_unsupported', 'only update ops can be applied over a bridge')
    const r = obj(
      await this.client.call(`${ref.kind}::update`, { ...fields(ref), ops: ops as unknown as Json }),
    )
    const next = r['new_value'] ?? null
    return this.published(ref, {
      value: next,
      errors: Array.isArray(r['errors']) ? r['errors'] : [],
      old_value: opt(r['old_value']),
      new_value: next,
    }) as unknown as ItemChange & T
  }

  async list(
    _circleId: string,
    kind: ItemKind,
    scope: string,
    group: string,
  ): Promise<Array<{ key: string; value: Json }>> {
    const input: JsonObject = kind === 'state' ? { scope } : { stream_name: scope, group_id: group }
    const r = await this.client.call(`${kind}::list`, input)
    // The other engine answers values only (iii's shape); callers here read the values only.
    return (Array.isArray(r) ? r : []).map((value, i) => ({ key: String(i), value }))
  }

  async listGroups(_circleId: string, kind: ItemKind, scope?: string): Promise<string[]> {
    const r = await this.client.call(
      `${kind}::list_groups`,
      kind === 'state' ? {} : { stream_name: scope ?? '' },
    )
    const groups = Array.isArray(r) ? r : Array.isArray(obj(r)['groups']) ? (obj(r)['groups'] as Json[]) : []
    return groups.filter((g): g is string => typeof g === 'string')
  }

  async listStreams(_circleId: string): Promise<Array<{ id: string; groups: string[] }>> {
    const r = obj(await this.client.call('stream::list_all', {}))
    const streams = Array.isArray(r['stream']) ? (r['stream'] as Json[]) : []
    return streams.map((x) => {
      const o = obj(x)
      const groups = Array.isArray(o['groups']) ? (o['groups'] as Json[]) : []
      return { id: String(o['id'] ?? ''), groups: groups.filter((g): g is string => typeof g === 'string') }
    })
  }
}
