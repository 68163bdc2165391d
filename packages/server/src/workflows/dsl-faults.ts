// Errors inside a running workflow, in the DSL's shape (RFC 7807: type, status, title, detail,
// instance): what `raise` throws, what `try`/`catch` filters, what a failed run records.
import type { Json, JsonObject } from '../storage/storage.ts'
import { ExpressionError } from './expressions.ts'

export const ERROR_TYPE_BASE = 'https://serverlessworkflow.io/spec/1.0.0/errors/'

/** The DSL's standard error types and the status each carries by default. */
export const STANDARD_ERRORS = {
  configuration: 400,
  validation: 400,
  expression: 400,
  authentication: 401,
  authorization: 403,
  timeout: 408,
  communication: 500,
  runtime: 500,
} as const

export type StandardError = keyof typeof STANDARD_ERRORS

export interface DslError {
  type: string
  status: number
  title?: string
  detail?: string
  instance?: string
  [extra: string]: Json | undefined
}

/** A workflow error travelling up the task tree until a `catch` takes it or the run fails. */
export class WorkflowFault extends Error {
  constructor(readonly error: DslError) {
    super(error.detail ?? error.title ?? error.type)
    this.name = 'WorkflowFault'
  }
}

/** A fault of a standard type, at `instance` (the task's JSON pointer). */
export function fault(
  kind: StandardError,
  detail: string,
  instance?: string,
  extra: JsonObject = {},
): WorkflowFault {
  return new WorkflowFault({
    type: ERROR_TYPE_BASE + kind,
    status: STANDARD_ERRORS[kind],
    title: `${kind[0]!.toUpperCase()}${kind.slice(1)} error`,
    detail,
    ...(instance ? { instance } : {}),
    ...extra,
  })
}

/** The run is being cancelled: not catchable by the workflow. */
export class WorkflowCancelled extends Error {
  constructor() {
    super('the workflow run was cancelled')
    this.name = 'WorkflowCancelled'
  }
}

/** Any error thrown inside a task as a workflow fault at `instance` (cancellation passes through). */
export function asFault(err: unknown, instance: string): WorkflowFault | WorkflowCancelled {
  if (err instanceof WorkflowFault || err instanceof WorkflowCancelled) {
    if (err instanceof WorkflowFault && !err.error.instance) err.error.instance = instance
    return err
  }
  if (err instanceof ExpressionError)
    return fault('expression', err.message, instance, {
      expression: err.expression,
      ...(err.position !== undefined ? { position: err.position } : {}),
    })
  const e = err as { code?: unknown; message?: unknown; status?: unknown }
  const message = typeof e?.message === 'string' ? e.message : String(err)
  const status = typeof e?.status === 'number' ? e.status : undefined
  const kind: StandardError =
    status === 401
      ? 'authentication'
      : status === 403
        ? 'authorization'
        : status === 408
          ? 'timeout'
          : 'runtime'
  return fault(kind, message, instance, {
    ...(typeof e?.code === 'string' ? { code: e.code } : {}),
    ...(status && status !== STANDARD_ERRORS[kind] ? { status } : {}),
  })
}

/** True when `error` matches every attribute `filter` names (a catch's `errors.with`). */
export function errorMatches(error: DslError, filter: JsonObject | undefined): boolean {
  if (!filter) return true
  for (const [k, v] of Object.entries(filter)) {
    const actual = error[k]
    if (k === 'type' && typeof v === 'string' && typeof actual === 'string') {
      // A bare standard name (`timeout`) matches its full URI.
      if (actual !== v && actual !== ERROR_TYPE_BASE + v) return false
    } else if (JSON.stringify(actual) !== JSON.stringify(v)) return false
  }
  return true
}
