// The engine seen over HTTP, for the portal's engine view and other HTTP clients: one circle's
// functions, workers, registered triggers, trigger types and named queues (stats and dead
// letters), and redriving a queue's dead letters. Each answer comes from the engine's own
// discovery built-ins (`engine::functions::list`, `engine::workers::list`,
// `engine::registered-triggers::list`, `engine::triggers::list`, `engine::queues::*`), called
// with the key's scopes, so it shows what a worker holding that key would see.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { canSeeCircle, hasScope } from '../auth/actor.ts'
import type { Authenticator } from '../auth/api-keys.ts'
import { requireActor, requireScope } from '../auth/require-actor.ts'
import type { Engine, EngineCaller } from '../engine/engine.ts'
import { EngineError } from '../engine/engine-error.ts'
import { E, PlatformError } from '../errors.ts'
import type { Json, JsonObject } from '../storage/storage.ts'

export interface EngineApiDeps {
  auth: Authenticator
  engine: Engine
  circleIdOf(slug: string): Promise<string | undefined>
}

const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/
const QUEUE = /^[\w.:-]{1,128}$/
/** Dead letters shown per queue (the built-in keeps up to 1000). */
const DEAD_SHOWN = 100

async function callerOf(deps: EngineApiDeps, req: FastifyRequest<{ Params: { circle: string } }>) {
  const actor = await requireActor(deps.auth, req.headers.authorization)
  const slug = req.params.circle
  const circleId = SLUG.test(slug) ? await deps.circleIdOf(slug) : undefined
  if (!circleId || !canSeeCircle(actor, circleId))
    throw new PlatformError(E.CIRCLE_NOT_FOUND, `no circle "${slug.slice(0, 80)}"`, {
      circle: slug.slice(0, 80),
    })
  requireScope(actor, 'read', 'engine overview')
  const caller: EngineCaller = {
    circleId,
    circleSlug: slug,
    keyId: actor.keyId,
    canRead: hasScope(actor, 'read'),
    canWrite: hasScope(actor, 'write'),
    canExecute: hasScope(actor, 'execute'),
  }
  return { actor, caller }
}

/** An engine error as the platform's envelope (a bad queue name is the caller's mistake). */
async function call(engine: Engine, caller: EngineCaller, id: string, input: Json): Promise<JsonObject> {
  try {
    return ((await engine.invoke(caller, id, input)) ?? {}) as JsonObject
  } catch (e) {
    if (e instanceof EngineError)
      throw new PlatformError(E.VALIDATION_FAILED, `${id}: ${e.message}`, { engine_code: e.code })
    throw e
  }
}

function queueNames(triggers: JsonObject[], asked: string[]): string[] {
  const names = new Set(asked)
  for (const t of triggers) {
    const q = (t['config'] as JsonObject | undefined)?.['queue']
    if (t['trigger_type'] === 'queue' && typeof q === 'string') names.add(q)
  }
  return [...names].filter((n) => QUEUE.test(n)).sort()
}

export function registerEngineApiRoutes(app: FastifyInstance, deps: EngineApiDeps): void {
  app.get<{ Params: { circle: string }; Querystring: { queue?: string | string[] } }>(
    '/api/v1/engine/:circle',
    async (req) => {
      const { caller } = await callerOf(deps, req)
      const [functions, workers, registered, types] = await Promise.all([
        call(deps.engine, caller, 'engine::functions::list', {}),
        call(deps.engine, caller, 'engine::workers::list', {}),
        call(deps.engine, caller, 'engine::registered-triggers::list', { include_pending: true }),
        call(deps.engine, caller, 'engine::triggers::list', {}),
      ])
      const triggers = (registered['registered_triggers'] ?? []) as JsonObject[]
      const asked = ([] as string[]).concat(req.query.queue ?? []).slice(0, 20)
      const queues = await Promise.all(
        queueNames(triggers, asked).map(async (queue) => {
          const [stats, dead] = await Promise.all([
            call(deps.engine, caller, 'engine::queues::stats', { queue }),
            call(deps.engine, caller, 'engine::queues::dead_letters', { queue }),
          ])
          const jobs = (dead['jobs'] ?? []) as JsonObject[]
          return { ...stats, queue, dead_letters: jobs.slice(0, DEAD_SHOWN), dead_letter_count: jobs.length }
        }),
      )
      return {
        circle: caller.circleSlug,
        functions: functions['functions'] ?? [],
        workers: workers['workers'] ?? [],
        triggers,
        trigger_types: types['triggers'] ?? [],
        queues,
      }
    },
  )
  app.post<{ Params: { circle: string; queue: string } }>(
    '/api/v1/engine/:circle/queues/:queue/redrive',
    async (req) => {
      const { actor, caller } = await callerOf(deps, req)
      requireScope(actor, 'write', 'engine queue redrive')
      if (!QUEUE.test(req.params.queue))
        throw new PlatformError(E.VALIDATION_FAILED, 'queue: 1-128 of letters, digits, _ . : -', {
          field: 'queue',
        })
      return call(deps.engine, caller, 'engine::queues::redrive', { queue: req.params.queue })
    },
  )
}
