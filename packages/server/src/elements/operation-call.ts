// Runs one operation of a resolved element for an actor: the scope check, the disabled check,
// input validation, the rate-limit modifiers and the handler. The HTTP element routes and the
// MCP endpoint both call it, so an operation behaves the same whichever way it is reached.
import type { Actor } from '../auth/actor.ts'
import { requireScope } from '../auth/require-actor.ts'
import { E, PlatformError } from '../errors.ts'
import type { RunService } from '../runs/run-service.ts'
import type { ElementRow } from '../storage/storage.ts'
import type { OperationDef, ReplyControl } from './element.ts'
import type { ElementService } from './element-service.ts'
import type { RateLimitModifiers } from './rate-limit/modifier-limits.ts'
import { validateInput } from './validation.ts'

export interface OperationCallDeps {
  elements: ElementService
  runs: RunService
  /** Rate-limit modifiers: checked on a type's own operations, never on generic ones. */
  rateLimits?: RateLimitModifiers | undefined
}

export interface OperationCall {
  actor: Actor
  element: ElementRow
  op: OperationDef
  /** `:name` segments of the operation path. */
  params: Record<string, string>
  input: unknown
  /** The input came from a query string: validation coerces strings to the schema's types. */
  fromQuery: boolean
  query: Record<string, unknown>
  /** The element's path as addressed, circle first, e.g. `acme/web/hello`. */
  elementPath: string
  requestId: string
  headers: Record<string, string | string[] | undefined>
  reply: ReplyControl
}

/** Checks the actor may run `op` on this element with this input, then runs it. */
export async function callOperation(deps: OperationCallDeps, call: OperationCall): Promise<unknown> {
  const { elements } = deps
  const { actor, element, op, input } = call
  if (op.auth !== 'none') requireScope(actor, op.auth, op.name)
  const generic = elements.registry.isGeneric(op)
  if (!element.enabled && !op.allowWhenDisabled && !generic) {
    throw new PlatformError(
      E.ELEMENT_DISABLED,
      `"${element.slug}" is disabled${element.state_reason ? `: ${element.state_reason}` : ''}; enable it first`,
      { reason: element.state_reason },
    )
  }
  if (op.input) validateInput(op.input, input, { query: call.fromQuery })
  if (!generic) await deps.rateLimits?.admit(element, actor)
  const type = elements.typeOf(element)
  return op.handler({
    element,
    spec: element.spec,
    type,
    input,
    query: call.query,
    elementPath: call.elementPath,
    runtime: elements.registry.operationRuntime(type),
    runs: deps.runs,
    params: call.params,
    actor,
    elements,
    requestId: call.requestId,
    headers: call.headers,
    reply: call.reply,
  })
}
