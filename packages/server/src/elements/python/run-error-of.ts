// How a Python run's failures are written on the run: the run error of a worker, a platform
// error or anything thrown, with its class and whether a retry can cure it.
import { PlatformError } from '../../errors.ts'
import { MAX_JSON_DEPTH } from '../../json-depth.ts'
import type { RunError } from '../../python/python-worker.ts'
import type { JsonObject } from '../../storage/storage.ts'
import { PY } from './spec.ts'

/** A result too deep to store (or send on) fails the run rather than the write that ends it. */
export const RESULT_TOO_DEEP: RunError = {
  code: PY.PYTHON_RESULT_TOO_DEEP.code,
  message: `the handler returned JSON nested more than ${MAX_JSON_DEPTH} levels deep`,
}

export function withClass(e: RunError): JsonObject {
  const def = (PY as Record<string, { class: string; retryable: boolean } | undefined>)[e.code]
  return { ...e, class: def?.class ?? 'internal', retryable: def?.retryable ?? false }
}

export function asRunError(err: unknown): JsonObject {
  if (err instanceof PlatformError)
    return {
      code: err.code,
      message: err.message,
      class: err.class,
      retryable: err.retryable,
      ...err.details,
    }
  if (typeof err === 'object' && err !== null && 'code' in err) return withClass(err as RunError)
  return { code: 'PYTHON_RUNTIME_ERROR', message: String(err), class: 'internal', retryable: false }
}
