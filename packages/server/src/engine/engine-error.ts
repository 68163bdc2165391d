// Errors of an engine invocation: a wire code (snake_case, as iii workers expect in
// `invocationresult.error`) and a message. HTTP-facing codes live in engine-codes.ts.
import type { WireError } from './protocol.ts'

export class EngineError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly stacktrace?: string,
  ) {
    super(message)
    this.name = 'EngineError'
  }

  toWire(): WireError {
    return this.stacktrace
      ? { code: this.code, message: this.message, stacktrace: this.stacktrace }
      : { code: this.code, message: this.message }
  }
}

/** Any thrown value as an EngineError (a bug in a built-in becomes `internal_error`). */
export function asEngineError(err: unknown): EngineError {
  if (err instanceof EngineError) return err
  const e = err as { code?: unknown; message?: unknown }
  if (typeof e?.code === 'string' && typeof e.message === 'string') return new EngineError(e.code, e.message)
  return new EngineError('internal_error', err instanceof Error ? err.message : String(err))
}
