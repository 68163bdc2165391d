// An http trigger's `middleware_function_ids`, run in order before its function, as iii's iii-http
// worker runs them: each gets `{phase: "preHandler", request, context}` and answers
// `{action: "continue", context?}` (its context is merged for the next ones and the function) or
// `{action: "respond", response}` (that response is the answer; the rest never run).
import type { Json, JsonObject } from '../storage/storage.ts'
import type { Engine, EngineCaller, InvokeOptions } from './engine.ts'
import { EngineError } from './engine-error.ts'
import { type HttpResponseOut, middlewareResponse } from './http-response.ts'

/** At most this many middleware on one trigger. */
export const MAX_MIDDLEWARE = 16

/** The config's `middleware_function_ids`: absent, or a list of function ids. */
export function parseMiddleware(raw: Json | undefined): string[] {
  if (raw === undefined || raw === null) return []
  if (
    !Array.isArray(raw) ||
    raw.length > MAX_MIDDLEWARE ||
    !raw.every((id) => typeof id === 'string' && id.length > 0 && id.length <= 256)
  )
    throw new EngineError(
      'invalid_trigger_config',
      `middleware_function_ids must be a list of at most ${MAX_MIDDLEWARE} function ids`,
    )
  return raw as string[]
}

/**
 * Runs the chain; the response of the middleware that answered, or undefined when all continued
 * (`context` then holds what they added). A middleware that fails fails the request; one that
 * answers neither action is refused rather than passed (a broken auth check must not let requests in).
 */
export async function runMiddleware(
  engine: Engine,
  as: EngineCaller,
  ids: string[],
  request: JsonObject,
  context: JsonObject,
  opts: InvokeOptions,
): Promise<HttpResponseOut | undefined> {
  for (const id of ids) {
    const out = (await engine.invoke(
      as,
      id,
      { phase: 'preHandler', request, context: { ...context } },
      opts,
    )) as JsonObject | null
    const action = out && typeof out === 'object' && !Array.isArray(out) ? out['action'] : undefined
    if (action === 'respond') return middlewareResponse(out?.['response'])
    if (action !== 'continue')
      throw new EngineError(
        'invalid_middleware_result',
        `middleware ${id} must return {action: "continue"} or {action: "respond", response}`,
      )
    const added = out?.['context']
    if (added && typeof added === 'object' && !Array.isArray(added))
      for (const [k, v] of Object.entries(added)) if (k !== '__proto__') context[k] = v
  }
  return undefined
}
