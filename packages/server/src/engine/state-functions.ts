// The built-ins `state::*` (scope/key) and `stream::*` (stream/group/item) over StateStore.
// Each write reports its change to `onChange` after it committed (triggers fire from there).
import type { Json, JsonObject } from '../storage/storage.ts'
import { customStreamFunction, writeCustomStream } from './custom-streams.ts'
import type { Engine, EngineCaller, InvokeOptions } from './engine.ts'
import { EngineError } from './engine-error.ts'
import type { ItemRef, StateStore } from './state-store.ts'
import { applyUpdateOps, parseOps } from './update-ops.ts'

export const MAX_NAME_BYTES = 512
export const MAX_ITEM_BYTES = 1024 * 1024

export interface ItemChangeEvent {
  ref: ItemRef
  change: 'created' | 'updated' | 'deleted'
  old_value: Json | undefined
  new_value: Json | undefined
  /** The writer's trace context: triggers fired by the change continue that trace. */
  trace?: { traceparent?: string; baggage?: string }
  /** The connected worker that made the write (this node's worker id). */
  writer?: string
  /** Made by, or received from, a bridge to another engine: not relayed on `stream.events`. */
  bridged?: true
}

const obj = (v: Json): JsonObject => {
  if (v && typeof v === 'object' && !Array.isArray(v)) return v
  throw new EngineError('invalid_payload', 'the payload must be a JSON object')
}

function name(input: JsonObject, field: string): string {
  const v = input[field]
  if (typeof v !== 'string' || v.length === 0 || Buffer.byteLength(v) > MAX_NAME_BYTES)
    throw new EngineError(
      'invalid_payload',
      `${field} must be a non-empty string of at most ${MAX_NAME_BYTES} bytes`,
    )
  return v
}

/** The value with its JSON text (measured once here, written as is by the store). */
function sized(value: Json): { value: Json; json: string } {
  const json = JSON.stringify(value)
  // A UTF-16 unit is at most 3 UTF-8 bytes: short texts need no exact count.
  const bytes = json.length * 3 <= MAX_ITEM_BYTES ? json.length : Buffer.byteLength(json)
  if (bytes > MAX_ITEM_BYTES)
    throw new EngineError(
      'value_too_large',
      `the value is ${bytes} bytes; an item holds at most ${MAX_ITEM_BYTES}`,
    )
  return { value, json }
}

/** iii's SetResult/UpdateResult: `old_value` is null for a new item; `errors` only when some op failed. */
function result(old: Json | undefined, next: Json | undefined, errors?: Json[]): JsonObject {
  const out: JsonObject = { old_value: old ?? null, new_value: next ?? null }
  if (errors?.length) out['errors'] = errors
  return out
}

export function addStateFunctions(
  engine: Engine,
  store: StateStore,
  onChange: (e: ItemChangeEvent) => void,
): void {
  const changed = (
    ref: ItemRef,
    old: Json | undefined,
    next: Json | undefined,
    { caller, opts }: { caller: EngineCaller; opts: InvokeOptions },
  ) =>
    onChange({
      ref,
      change: next === undefined ? 'deleted' : old === undefined ? 'created' : 'updated',
      old_value: old,
      new_value: next,
      ...(opts.traceparent ? { trace: { traceparent: opts.traceparent, baggage: opts.baggage } } : {}),
      ...(caller.workerId ? { writer: caller.workerId } : {}),
    })

  for (const kind of ['state', 'stream'] as const) {
    const refOf = (circleId: string, input: JsonObject): ItemRef =>
      kind === 'state'
        ? { circleId, kind, scope: name(input, 'scope'), group: '', key: name(input, 'key') }
        : {
            circleId,
            kind,
            scope: name(input, 'stream_name'),
            group: name(input, 'group_id'),
            key: name(input, 'item_id'),
          }
    const what =
      kind === 'state' ? 'a state value (scope, key)' : 'a stream item (stream_name, group_id, item_id)'
    engine.addBuiltin({
      id: `${kind}::get`,
      description: `Read ${what}`,
      scope: 'read',
      handler: async (input, { caller, opts }) => {
        const i = obj(input)
        const custom = customStreamFunction(engine, caller, kind, 'get', i)
        if (custom) return engine.invokeMaybe(caller, custom, i, opts)
        // A missing item is no value at all (iii leaves `result` out), not null.
        return store.get(refOf(caller.circleId, i))
      },
    })
    engine.addBuiltin({
      id: `${kind}::set`,
      description: `Create or replace ${what}`,
      scope: 'write',
      handler: async (input, { caller, opts }) => {
        const i = obj(input)
        const ref = refOf(caller.circleId, i)
        const custom = customStreamFunction(engine, caller, kind, 'set', i)
        if (custom) {
          const r = await writeCustomStream(engine, caller, custom, 'set', i, opts)
          changed(ref, r.old_value ?? undefined, r.new_value, { caller, opts })
          return result(r.old_value, r.new_value)
        }
        // iii's StateSetInput takes `data` as an alias of `value`.
        const given: Json = (kind === 'state' ? (i['value'] ?? i['data']) : i['data']) ?? null
        const c = await store.set(ref, sized(given).value)
        changed(ref, c.old_value, c.new_value, { caller, opts })
        return result(c.old_value, c.new_value)
      },
    })
    engine.addBuiltin({
      id: `${kind}::delete`,
      description: `Delete ${what}`,
      scope: 'write',
      handler: async (input, { caller, opts }) => {
        const i = obj(input)
        const ref = refOf(caller.circleId, i)
        const custom = customStreamFunction(engine, caller, kind, 'delete', i)
        const c = custom
          ? await writeCustomStream(engine, caller, custom, 'delete', i, opts)
          : await store.delete(ref)
        const old = c.old_value ?? undefined
        // iii fires state:deleted even for a key that was not there (old_value null); a stream
        // delete of a missing item fires nothing.
        if (old !== undefined || kind === 'state') changed(ref, old, undefined, { caller, opts })
        // iii: state::delete answers the old value itself (nothing when there was none);
        // stream::delete answers {old_value} (null when there was none).
        return kind === 'state' ? old : { old_value: old ?? null }
      },
    })
    engine.addBuiltin({
      id: `${kind}::update`,
      description: `Apply ordered update ops atomically to ${what}`,
      scope: 'write',
      handler: async (input, { caller, opts }) => {
        const i = obj(input)
        const ref = refOf(caller.circleId, i)
        const custom = customStreamFunction(engine, caller, kind, 'update', i)
        if (custom) {
          const r = await writeCustomStream(engine, caller, custom, 'update', i, opts)
          changed(ref, r.old_value ?? undefined, r.new_value, { caller, opts })
          return result(r.old_value, r.new_value, r.errors)
        }
        const ops = parseOps(i['ops'])
        const c = await store.update(
          ref,
          (old) => {
            const r = applyUpdateOps(old, ops)
            return { ...sized(r.value), errors: r.errors }
          },
          ops,
        )
        changed(ref, c.old_value, c.new_value, { caller, opts })
        return result(c.old_value, c.new_value, c.errors as unknown as Json[])
      },
    })
    engine.addBuiltin({
      id: `${kind}::list`,
      description:
        kind === 'state' ? 'Values of a scope, in key order' : 'Items of a stream group, in id order',
      scope: 'read',
      handler: async (input, { caller, opts }) => {
        const i = obj(input)
        const custom = customStreamFunction(engine, caller, kind, 'list', i)
        if (custom) return engine.invokeMaybe(caller, custom, i, opts)
        const rows =
          kind === 'state'
            ? await store.list(caller.circleId, kind, name(i, 'scope'), '')
            : await store.list(caller.circleId, kind, name(i, 'stream_name'), name(i, 'group_id'))
        return rows.map((r) => r.value)
      },
    })
    engine.addBuiltin({
      id: `${kind}::list_groups`,
      description: kind === 'state' ? 'The state scopes of this circle' : 'The groups of a stream',
      scope: 'read',
      handler: async (input, { caller, opts }) => {
        // iii: state::list_groups answers {groups: [...]} (sorted); stream::list_groups the bare list.
        if (kind === 'state') return { groups: await store.listGroups(caller.circleId, 'state') }
        const i = obj(input)
        const custom = customStreamFunction(engine, caller, kind, 'list_groups', i)
        if (custom) return engine.invokeMaybe(caller, custom, i, opts)
        return store.listGroups(caller.circleId, 'stream', name(i, 'stream_name'))
      },
    })
  }
  engine.addBuiltin({
    id: 'stream::list_all',
    description: 'List all streams of this circle with their groups',
    scope: 'read',
    handler: async (_input, { caller }) => {
      const stream = await store.listStreams(caller.circleId)
      return { stream, count: stream.length } as unknown as Json
    },
  })
}
