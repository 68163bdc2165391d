// The shapes of iii's trigger listings: `engine::triggers::list` (trigger types, as
// TriggerTypeSummary) and `engine::registered-triggers::list` (RegisteredTriggerSummary rows,
// active and, on request, pending), with iii's filters. An RBAC session sees only the rows whose
// function it may call.
import type { Json, JsonObject } from '../storage/storage.ts'
import type { Engine, EngineCaller, RegisteredTrigger } from './engine.ts'

/** iii truncates `config_summary` (the config's JSON text) to 80 characters and an ellipsis. */
const CONFIG_SUMMARY_MAX = 80

const obj = (v: Json): JsonObject => (v && typeof v === 'object' && !Array.isArray(v) ? v : {})
const strField = (m: JsonObject, k: string): string | undefined => {
  const v = m[k]
  return typeof v === 'string' && v ? v.slice(0, 512) : undefined
}
const isInternal = (id: string) => id.startsWith('engine::')
const matches = (needle: string | undefined, ...hay: string[]) =>
  !needle || hay.some((h) => h.toLowerCase().includes(needle.toLowerCase()))

export function configSummary(config: Json): string {
  const raw = JSON.stringify(config ?? null)
  const chars = [...raw]
  return chars.length <= CONFIG_SUMMARY_MAX ? raw : `${chars.slice(0, CONFIG_SUMMARY_MAX).join('')}…`
}

/** The worker name iii shows for a platform trigger type (its module: http -> iii-http). */
export function builtinWorkerName(typeId: string): string {
  return `iii-${typeId.split(/[:]/)[0]}`
}

/** `engine::triggers::list`: `{triggers: [{id, namespace, worker_name, description}]}`. */
export function listTriggerTypes(engine: Engine, caller: EngineCaller, input: Json): JsonObject {
  const m = obj(input)
  const internal = m['include_internal'] === true
  const search = strField(m, 'search')
  const prefix = strField(m, 'prefix')
  const worker = strField(m, 'worker')
  const rows = [
    ...[...engine.triggerTypes.values()].map((t) => ({
      id: t.id,
      worker_name: builtinWorkerName(t.id),
      description: t.description,
    })),
    ...engine.workerTriggerTypesOf(caller.circleId).map((t) => ({
      id: t.id,
      worker_name: t.conn.meta.name ?? t.conn.id,
      description: t.description,
    })),
  ]
  return {
    triggers: rows
      .filter((t) => internal || !isInternal(t.id))
      .filter((t) => matches(search, t.id, t.description))
      .filter((t) => !prefix || t.id.startsWith(prefix))
      .filter((t) => !worker || t.worker_name === worker || t.id.split('::')[0] === worker)
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .map((t) => ({
        id: t.id,
        namespace: 'default',
        worker_name: t.worker_name,
        description: t.description,
      })),
  }
}

/** `engine::registered-triggers::list`: `{registered_triggers: [RegisteredTriggerSummary]}`. */
export function listRegisteredTriggers(engine: Engine, caller: EngineCaller, input: Json): JsonObject {
  const m = obj(input)
  const internal = m['include_internal'] === true
  const search = strField(m, 'search')
  const type = strField(m, 'trigger_type')
  const fn = strField(m, 'function_id')
  const worker = strField(m, 'worker')
  const row = (t: RegisteredTrigger, status: 'active' | 'pending') => {
    const owner = engine.functionOwner(t.circleId, t.function_id)
    return {
      id: t.id,
      trigger_type: t.trigger_type,
      function_id: t.function_id,
      // iii names the worker serving the target function, else the id's first segment.
      worker_name: owner?.meta.name ?? t.function_id.split('::')[0] ?? t.function_id,
      status,
      config: t.config,
      config_summary: configSummary(t.config),
    }
  }
  const rows = [
    ...engine.triggersOf(caller.circleId).map((t) => row(t, 'active')),
    ...(m['include_pending'] === true
      ? engine.pendingTriggersOf(caller.circleId).map((t) => row(t, 'pending'))
      : []),
  ]
  return {
    registered_triggers: rows
      .filter((r) => internal || !isInternal(r.function_id))
      .filter((r) => !caller.visible || caller.visible(r.function_id))
      .filter((r) => matches(search, r.id, r.trigger_type, r.function_id))
      .filter((r) => (!type || r.trigger_type === type) && (!fn || r.function_id === fn))
      .filter((r) => !worker || r.worker_name === worker)
      .sort((a, b) => (a.id < b.id ? -1 : 1)),
  }
}
