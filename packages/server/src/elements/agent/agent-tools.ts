// An agent's tools as the model sees them (function name, description, JSON Schema parameters)
// and how each call runs: an element's runnable operation as a child run (id derived from the
// agent run and the tool call, so a call is never made twice), an engine function through the
// engine, or a tool of an external MCP server (mcp-tools.ts). Every call acts with the scopes of
// the key that started the agent, looked up again at the call; a tool those scopes do not allow
// is refused (the refusal goes back to the model), never run with more.
import { hasScope } from '../../auth/actor.ts'
import { isTerminal } from '../../runs/run-service.ts'
import type { ElementRow, Json, JsonObject, RunRow } from '../../storage/storage.ts'
import { childRunId } from '../child-run-id.ts'
import type { PlatformContext } from '../element.ts'
import { plainSchema } from '../generic/operation-tools.ts'
import { stageFilesForChild } from '../run-input-files.ts'
import { starterActor } from '../run-starter.ts'
import { elementAtRef } from '../source/element-at-ref.ts'
import { AGENT } from './agent-errors.ts'
import type { ToolTarget } from './spec.ts'

/** Agents calling agents (and workflows) nest at most this deep. */
export const MAX_AGENT_DEPTH = 10

export type ToolResult =
  | { status: 'ok'; output: Json; child_run_id?: string }
  | { status: 'error' | 'refused'; error: JsonObject; child_run_id?: string }

export interface AgentTool {
  /** The function name the model sees (unique in the run). */
  name: string
  description: string
  parameters: JsonObject
  /** What periodic.lock records of it. */
  lock: JsonObject
  call(args: Json, callKey: string, signal: AbortSignal): Promise<ToolResult>
}

export interface ToolEnv {
  p: PlatformContext
  run: RunRow
  circleSlug: string
  depth: number
  /** Child runs in flight (cancelled with the agent run). */
  children: Set<string>
}

export class ToolSpecError extends Error {
  readonly code = AGENT.AGENT_TOOL_INVALID.code
}

/** A tool naming an element the circle does not hold (yet: a write accepts it, a run refuses it). */
export class MissingToolElement extends ToolSpecError {}

/** A name the model may call: [a-zA-Z0-9_-], at most 64. */
export function functionName(raw: string): string {
  return (raw.replace(/[^a-zA-Z0-9_-]+/g, '_').replace(/^_+|_+$/g, '') || 'tool').slice(0, 64)
}

const anyObject: JsonObject = { type: 'object', additionalProperties: true }

/** An operation's input schema as function parameters (an object schema; anything else: any object). */
function parametersOf(schema: Record<string, unknown>): JsonObject {
  return schema['type'] === 'object' ? (schema as JsonObject) : anyObject
}

const refused = (message: string, code = 'AGENT_TOOL_REFUSED'): ToolResult => ({
  status: 'refused',
  error: { code, message },
})

/** The element a tool path names in the run's circle (its own circle's slug may lead the path). */
export async function resolveElementTool(env: ToolEnv, path: string): Promise<ElementRow> {
  const segments = path.split('/').filter(Boolean)
  if (segments[0] === env.circleSlug && segments.length > 1) segments.shift()
  const element = await env.p.elements.resolve(null, env.circleSlug, segments).catch(() => undefined)
  if (!element || element.circle_id !== env.run.circle_id || element.deleted_at)
    throw new MissingToolElement(`tool "${path.slice(0, 200)}": no such element in this circle`)
  return element
}

export async function elementTool(
  env: ToolEnv,
  target: Extract<ToolTarget, { kind: 'element' }>,
): Promise<AgentTool> {
  const element = await resolveElementTool(env, target.path)
  const { p } = env
  const runtime = p.elements.registry.runtimeOf(element.element_type)
  const runnable = runtime?.startRun ? (runtime.runnableOperations ?? []) : []
  const opName = target.operation ?? runnable[0]
  if (!opName || !runnable.includes(opName))
    throw new ToolSpecError(
      `tool "${target.path.slice(0, 200)}": ${element.element_type} has no runnable operation ${opName ? `"${opName}"` : ''}`.trim(),
    )
  const type = p.elements.registry.get(element.element_type)!
  const op = p.elements.registry.operationsOf(type).find((o) => o.name === opName && o.method === 'POST')
  const at = await elementAtRef(p.elements, element)
  return {
    name: functionName(target.name ?? element.slug),
    description:
      target.description ||
      [element.intention, element.name, op?.summary].filter((s) => s?.trim()).join('. ') ||
      `${element.element_type} element ${element.slug}`,
    parameters: parametersOf(plainSchema(op?.input)),
    lock: {
      kind: 'element',
      path: target.path,
      element_id: element.id,
      element_type: element.element_type,
      operation: opName,
      version: element.version,
      ...(at.source ? { source_commit: at.source.source_commit, source_ref: at.source.source_ref } : {}),
    },
    async call(args, callKey, signal) {
      const actor = await starterActor(p.elements, env.run)
      if (op && op.auth !== 'none' && !hasScope(actor, op.auth))
        return refused(`the key that started this agent lacks the "${op.auth}" scope ${target.path} needs`)
      if (element.element_type === 'agent' || element.element_type === 'workflow')
        if (env.depth + 1 > MAX_AGENT_DEPTH) return refused(`runs nest at most ${MAX_AGENT_DEPTH} deep`)
      const id = childRunId(env.run.id, callKey)
      let run = await p.runs.get(id)
      if (!run) {
        const current = await p.elements.records.getElement(element.id)
        if (!current || current.deleted_at)
          return { status: 'error', error: { code: 'ELEMENT_NOT_FOUND', message: `${target.path} is gone` } }
        if (!current.enabled)
          return {
            status: 'error',
            error: { code: 'ELEMENT_DISABLED', message: `${target.path} is disabled` },
          }
        const now = await elementAtRef(p.elements, current)
        const upload = await stageFilesForChild(p.config.dataDir, env.run.id, args)
        const info: JsonObject = {
          key_id: env.run.trigger_info?.['key_id'] ?? null,
          parent_run_id: env.run.id,
          tool_call: callKey,
          depth: env.depth + 1,
          ...(upload ? { input_upload: upload } : {}),
          ...(env.run.trace_id && env.run.span_id
            ? { traceparent: `00-${env.run.trace_id}-${env.run.span_id}-01` }
            : {}),
        }
        run = await runtime!.startRun!(now.element, opName, args, 'agent', info, {
          source: now.source,
          runId: id,
        })
      }
      return awaitChild(env, run, signal)
    },
  }
}

/** `promise`, or the signal's reason once it aborts (the listener removed either way). */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason ?? new Error('cancelled'))
  let onAbort = () => {}
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason ?? new Error('cancelled'))
    signal.addEventListener('abort', onAbort, { once: true })
  })
  return Promise.race([promise, aborted]).finally(() => signal.removeEventListener('abort', onAbort))
}

/** Waits for a child run's end; its failure is the tool's error (fed back to the model). */
async function awaitChild(env: ToolEnv, run: RunRow, signal: AbortSignal): Promise<ToolResult> {
  env.children.add(run.id)
  try {
    let current = run
    while (!isTerminal(current.status)) {
      if (signal.aborted) throw signal.reason ?? new Error('cancelled')
      current = await abortable(env.p.runs.wait(current, 30_000), signal)
    }
    if (current.status === 'succeeded') return { status: 'ok', output: current.output, child_run_id: run.id }
    const err = current.error ?? {}
    return {
      status: 'error',
      child_run_id: run.id,
      error: {
        code: typeof err['code'] === 'string' ? err['code'] : `RUN_${current.status.toUpperCase()}`,
        message: String(err['message'] ?? `the tool's run ${current.status}`),
      },
    }
  } finally {
    env.children.delete(run.id)
  }
}

export function functionTool(env: ToolEnv, target: Extract<ToolTarget, { kind: 'function' }>): AgentTool {
  if (!/^[\w.-]+(::[\w.-]+)+$/.test(target.id))
    throw new ToolSpecError(`tool "${target.id.slice(0, 200)}" is not an engine function id (like math::add)`)
  const { p } = env
  return {
    name: functionName(target.name ?? target.id.replace(/::/g, '__')),
    description: target.description || `Engine function ${target.id}`,
    parameters: target.inputSchema ? parametersOf(target.inputSchema) : anyObject,
    lock: { kind: 'function', id: target.id },
    async call(args, callKey, signal) {
      const actor = await starterActor(p.elements, env.run)
      if (!p.engine)
        return {
          status: 'error',
          error: { code: 'engine_unavailable', message: 'the engine is not running' },
        }
      const caller = {
        circleId: env.run.circle_id,
        circleSlug: env.circleSlug,
        keyId: actor.keyId,
        canRead: hasScope(actor, 'read'),
        canWrite: hasScope(actor, 'write'),
        canExecute: hasScope(actor, 'execute'),
      }
      try {
        const call = p.engine.invoke(caller, target.id, args, {
          timeoutMs: 600_000,
          parentRunId: env.run.id,
          callDepth: env.depth + 1,
          metadata: { tool_call: callKey },
        })
        const output = await abortable(call, signal)
        return { status: 'ok', output: output ?? null }
      } catch (err) {
        if (signal.aborted) throw err
        const e = err as { code?: string; message?: string }
        if (e.code === 'FORBIDDEN') return refused(`${target.id}: ${e.message ?? 'forbidden'}`, 'FORBIDDEN')
        return {
          status: 'error',
          error: { code: e.code ?? 'invocation_failed', message: e.message ?? String(err) },
        }
      }
    },
  }
}
