// iii's detail built-ins: `engine::triggers::info` (one trigger type, with its live instance
// count) and `engine::registered-triggers::info` (one registered trigger with its type's and its
// function's detail). An RBAC session may not look at a trigger of a function it may not call.
import type { Json, JsonObject } from '../storage/storage.ts'
import type { Engine, EngineCaller, RegisteredTrigger } from './engine.ts'
import { EngineError } from './engine-error.ts'
import { builtinWorkerName } from './trigger-listings.ts'

const idOf = (input: Json): string => {
  const v = input && typeof input === 'object' && !Array.isArray(input) ? input['id'] : undefined
  if (typeof v !== 'string' || v.length === 0 || v.length > 512)
    throw new EngineError('invalid_payload', 'id must be a non-empty string of at most 512 characters')
  return v
}

/** TriggerTypeDetail: `{id, namespace, worker_name, description, instance_count}`, or undefined. */
function typeDetail(engine: Engine, circleId: string, id: string): JsonObject | undefined {
  const builtin = engine.triggerTypes.get(id)
  const custom = engine.workerTriggerTypesOf(circleId).find((t) => t.id === id)
  if (!builtin && !custom) return undefined
  return {
    id,
    namespace: 'default',
    worker_name: builtin ? builtinWorkerName(id) : (custom!.conn.meta.name ?? custom!.conn.id),
    description: builtin ? builtin.description : custom!.description,
    instance_count: engine.triggersOf(circleId).filter((t) => t.trigger_type === id).length,
  }
}

/** FunctionDetail of a trigger's target, with the function's registered triggers. */
async function functionDetail(engine: Engine, caller: EngineCaller, id: string): Promise<JsonObject | null> {
  const f = (await engine.listFunctions(caller, true)).find((x) => x.function_id === id)
  if (!f) return null
  const owner = engine.functionOwner(caller.circleId, id)
  return {
    function_id: id,
    namespace: 'default',
    worker_name: owner?.meta.name ?? owner?.id ?? id.split('::')[0] ?? id,
    ...(f.description ? { description: f.description } : {}),
    ...(f.request_format !== null ? { request_schema: f.request_format } : {}),
    ...(f.response_format !== null ? { response_schema: f.response_format } : {}),
    ...(f.metadata !== null ? { metadata: f.metadata } : {}),
    registered_triggers: engine
      .triggersOf(caller.circleId)
      .filter((t) => t.function_id === id)
      .map((t) => ({ id: t.id, trigger_type: t.trigger_type, config: t.config })),
  }
}

export function addTriggerInfoFunctions(engine: Engine): void {
  engine.addBuiltin({
    id: 'engine::triggers::info',
    description: 'One trigger type of this circle by id, with its live instance count',
    scope: 'read',
    handler: (input, { caller }) => {
      const id = idOf(input)
      const d = typeDetail(engine, caller.circleId, id)
      if (!d) throw new EngineError('NOT_FOUND', `Trigger type '${id.slice(0, 200)}' is not registered.`)
      return d
    },
  })
  engine.addBuiltin({
    id: 'engine::registered-triggers::info',
    description: 'One registered trigger by id, with its trigger type and function',
    scope: 'read',
    handler: async (input, { caller }) => {
      const id = idOf(input)
      const find = (list: RegisteredTrigger[]) => list.find((t) => t.id === id)
      const active = find(engine.triggersOf(caller.circleId))
      const t = active ?? find(engine.pendingTriggersOf(caller.circleId))
      if (!t || (caller.visible && !caller.visible(t.function_id)))
        throw new EngineError('NOT_FOUND', `Registered trigger '${id.slice(0, 200)}' is not registered.`)
      const owner = engine.functionOwner(caller.circleId, t.function_id)
      return {
        id: t.id,
        trigger_type: t.trigger_type,
        function_id: t.function_id,
        worker_name: owner?.meta.name ?? t.function_id.split('::')[0] ?? t.function_id,
        status: active ? 'active' : 'pending',
        config: t.config,
        ...(t.metadata ? { metadata: t.metadata } : {}),
        trigger: typeDetail(engine, caller.circleId, t.trigger_type) ?? null,
        function: await functionDetail(engine, caller, t.function_id),
      }
    },
  })
}
