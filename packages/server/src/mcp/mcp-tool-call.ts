// tools/call: runs the operation behind a tool with the caller's key, through the same
// callOperation the HTTP element routes use (scope check, disabled check, input validation,
// rate limits). A PlatformError becomes a tool error result (`isError`) carrying its code;
// nothing a caller sends turns into a JSON-RPC internal error.
import type { Readable } from 'node:stream'
import type { Actor } from '../auth/actor.ts'
import type { OperationDef } from '../elements/element.ts'
import { operationPath } from '../elements/element.ts'
import { callOperation, type OperationCallDeps } from '../elements/operation-call.ts'
import { assertSafeKeys, isPlainObject } from '../elements/spec-merge.ts'
import { E, PlatformError } from '../errors.ts'
import type { ElementRow, Json } from '../storage/storage.ts'
import type { ToolEntry } from './tool-catalogue.ts'
import { ELEMENT_ARGUMENT, pathParams } from './tool-json.ts'

/** How long a tool call that starts a run holds for its result, in seconds. */
export const TOOL_WAIT_S = 60

export interface ToolCallContext {
  deps: OperationCallDeps
  circle: ElementRow
  actor: Actor
  requestId: string
  headers: Record<string, string | string[] | undefined>
  /** Unexpected failures (not PlatformErrors) are reported here before answering INTERNAL. */
  onInternalError(err: unknown): void
}

export interface ToolResult {
  [key: string]: unknown
  content: { type: 'text'; text: string }[]
  structuredContent?: Record<string, unknown>
  isError?: boolean
}

export async function callTool(ctx: ToolCallContext, entry: ToolEntry, args: unknown): Promise<ToolResult> {
  try {
    const result = await run(ctx, entry, args ?? {})
    if (isBinary(result)) {
      ;(result as Partial<Readable>).destroy?.()
      throw new PlatformError(
        E.VALIDATION_FAILED,
        'this operation answers with binary data; use the HTTP API',
      )
    }
    const text = JSON.stringify(result ?? null)
    return {
      content: [{ type: 'text', text }],
      ...(isPlainObject(result) ? { structuredContent: result as Record<string, unknown> } : {}),
    }
  } catch (err) {
    const pe = err instanceof PlatformError ? err : internal(ctx, err)
    const error = pe.toJSON()
    return {
      content: [{ type: 'text', text: `${pe.code}: ${pe.message}\n${JSON.stringify({ error })}` }],
      structuredContent: { error },
      isError: true,
    }
  }
}

function internal(ctx: ToolCallContext, err: unknown): PlatformError {
  ctx.onInternalError(err)
  return new PlatformError(E.INTERNAL)
}

async function run(ctx: ToolCallContext, entry: ToolEntry, args: unknown): Promise<unknown> {
  if (!isPlainObject(args))
    throw new PlatformError(E.VALIDATION_FAILED, 'the tool arguments must be an object', {
      field: 'arguments',
    })
  assertSafeKeys(args as Json, 'arguments')
  const input: Record<string, unknown> = { ...args }
  const { elements } = ctx.deps
  let segments: string[]
  let op: OperationDef
  let params: Record<string, string> = {}
  if (entry.target.kind === 'generic') {
    segments = elementSegments(take(input, ELEMENT_ARGUMENT))
    const element = await elements.resolve(ctx.actor, ctx.circle.slug, segments)
    // The element's type may replace a generic operation (a cookie jar's update): the same
    // lookup as the HTTP route, by method and path.
    const match = elements.registry.match(
      elements.typeOf(element),
      entry.target.op.method,
      operationPath(entry.target.op).split('/'),
    )
    op = match && 'op' in match ? match.op : entry.target.op
    return invoke(ctx, element, segments, op, params, input)
  }
  segments = entry.target.segments
  op = entry.target.op
  for (const p of pathParams(op)) {
    const value = take(input, p)
    if (typeof value !== 'string' || value === '')
      throw new PlatformError(E.VALIDATION_FAILED, `${p}: a non-empty string is required`, { field: p })
    params = { ...params, [p]: value }
  }
  const element = await elements.resolve(ctx.actor, ctx.circle.slug, segments)
  // The listing may be a few seconds old: the element at that path must still have the type.
  if (!elements.typeOf(element).operations?.includes(op))
    throw new PlatformError(
      E.OPERATION_NOT_FOUND,
      `"${segments.join('/')}" no longer has operation "${op.name}"`,
    )
  return invoke(ctx, element, segments, op, params, input)
}

function invoke(
  ctx: ToolCallContext,
  element: ElementRow,
  segments: string[],
  op: OperationDef,
  params: Record<string, string>,
  input: Record<string, unknown>,
): Promise<unknown> {
  // A tool call answers with the outcome: operations that start runs hold for it as over HTTP
  // with ?wait_for_completion (a longer run answers with its id and status).
  const query = op.method === 'GET' || op.method === 'DELETE' ? input : { wait_for_completion: TOOL_WAIT_S }
  return callOperation(ctx.deps, {
    actor: ctx.actor,
    element,
    op,
    params,
    input,
    fromQuery: false,
    query,
    elementPath: [ctx.circle.slug, ...segments].join('/'),
    requestId: ctx.requestId,
    headers: ctx.headers,
    // Status and headers are HTTP's: a tool result has neither.
    reply: { status: () => {}, header: () => {} },
  })
}

function take(input: Record<string, unknown>, key: string): unknown {
  const value = input[key]
  delete input[key]
  return value
}

function elementSegments(value: unknown): string[] {
  if (value === undefined || value === '') return []
  if (typeof value !== 'string' || value.length > 1000)
    throw new PlatformError(E.VALIDATION_FAILED, `${ELEMENT_ARGUMENT}: the element's path, a string`, {
      field: ELEMENT_ARGUMENT,
    })
  return value.split('/').filter(Boolean)
}

function isBinary(v: unknown): boolean {
  return (
    Buffer.isBuffer(v) || (typeof v === 'object' && v !== null && typeof (v as Readable).pipe === 'function')
  )
}
