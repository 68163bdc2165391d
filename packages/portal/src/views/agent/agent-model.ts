// What the agent view reads from and writes to an agent element: its spec split into the parts
// the view edits (AGENT.md, model and limits, tools) and put back together for a save, how a
// tool entry reads, how the Run input box's text becomes the invoke body, the steps of a run
// (GET /api/v1/runs/{id}/steps: one per model call and tool call) and where a 400 belongs.
import type { JsonSchema } from '../../lib/schema-defaults.ts'

export type AgentTool =
  | string
  | { element: string; operation?: string; name?: string; description?: string }
  | { function: string; name?: string; description?: string; input_schema?: Record<string, unknown> }
  | { mcp: string; tools?: string[]; headers?: Record<string, unknown> }

export type ToolKind = 'element' | 'function' | 'mcp'

/** The model and limits: everything but the instructions and the tools. */
export type AgentSettings = Record<string, unknown>

export interface AgentDraft {
  instructions: string
  settings: AgentSettings
  tools: AgentTool[]
}

const clone = <T>(v: T): T => (v === undefined ? v : JSON.parse(JSON.stringify(v)))

export function draftOf(spec: Record<string, unknown>): AgentDraft {
  const { instructions, tools, ...settings } = clone(spec)
  return {
    instructions: typeof instructions === 'string' ? instructions : '',
    settings,
    tools: Array.isArray(tools) ? (tools as AgentTool[]) : [],
  }
}

/** The whole spec a save sends (sent with deep=false: a removed tool or limit goes). */
export function specOf(d: AgentDraft): Record<string, unknown> {
  const settings = clone(d.settings)
  const model = settings['model'] as Record<string, unknown> | undefined
  // A cleared optional number comes back from the form as undefined or '': leave it out.
  if (model)
    for (const k of Object.keys(model)) if (model[k] === undefined || model[k] === '') delete model[k]
  for (const k of Object.keys(settings)) if (settings[k] === undefined) delete settings[k]
  return { instructions: d.instructions, ...settings, tools: clone(d.tools) }
}

/**
 * The spec schema without instructions and tools (edited by their own controls); the output
 * schema is a JSON Schema, so it is edited as JSON text rather than as a map of values.
 */
export function settingsSchema(spec: JsonSchema): JsonSchema {
  const properties = { ...(spec.properties ?? {}) }
  delete properties['instructions']
  delete properties['tools']
  if (properties['output_schema'])
    properties['output_schema'] = { description: properties['output_schema'].description }
  const required = (spec.required ?? []).filter((r) => r in properties)
  return { ...spec, properties, required }
}

export function toolKind(t: AgentTool): ToolKind {
  if (typeof t === 'string') {
    if (/^https?:\/\//i.test(t)) return 'mcp'
    return t.includes('::') ? 'function' : 'element'
  }
  if ('element' in t) return 'element'
  if ('function' in t) return 'function'
  return 'mcp'
}

/** The tool's target: element path, function id or MCP URL. */
export function toolTarget(t: AgentTool): string {
  if (typeof t === 'string') return t
  if ('element' in t) return t.operation ? `${t.element} (${t.operation})` : t.element
  if ('function' in t) return t.function
  return t.mcp
}

export const KIND_LABEL: Record<ToolKind, string> = {
  element: 'element',
  function: 'engine function',
  mcp: 'MCP server',
}

/**
 * The Run box's text as the invoke body: a JSON object or array is sent as JSON; anything else
 * is the user message as text (a JSON string).
 */
export function inputOf(text: string): { body: unknown; as: 'json' | 'text' } {
  const t = text.trim()
  if (t.startsWith('{') || t.startsWith('[')) {
    try {
      return { body: JSON.parse(t), as: 'json' }
    } catch {
      // Not JSON after all: the text is the message.
    }
  }
  return { body: text, as: 'text' }
}

/** A past run's input back in the box. */
export function inputText(input: unknown): string {
  if (input === null || input === undefined) return ''
  return typeof input === 'string' ? input : JSON.stringify(input, null, 2)
}

/** One line of a run's trace.jsonl. */
export interface AgentStep {
  kind: 'model' | 'tool'
  step: number
  started_at: string
  duration_ms: number
  status: 'ok' | 'error' | 'refused'
  tokens?: { prompt: number; completion: number; total: number; estimated?: boolean }
  finish_reason?: string | null
  tool_calls?: string[]
  content?: unknown
  tool?: string
  call_id?: string
  arguments?: unknown
  output?: unknown
  error?: unknown
  child_run_id?: string
}

/** Where a refused save (an ApiError) belongs: a spec field ("model/base_url", "tools/2", "instructions"). */
export function fieldOfError(e: unknown): { field: string; message: string } | null {
  if (!(e instanceof Error) || !('details' in e) || typeof e.details !== 'object' || !e.details) return null
  const details = e.details as Record<string, unknown>
  const given = typeof details['field'] === 'string' ? (details['field'] as string) : null
  const fromMessage = /^(spec(?:\.[A-Za-z0-9_]+)+)(?::\s*|\s)/.exec(e.message)?.[1] ?? null
  const raw = given ?? fromMessage
  if (!raw) return null
  const field = (raw.startsWith('/') ? raw.slice(1).split('/') : raw.split('.'))
    .filter((p, i) => !(i === 0 && p === 'spec'))
    .join('/')
  const message = e.message.startsWith(`${raw}: `) ? e.message.slice(raw.length + 2) : e.message
  return field ? { field, message } : null
}
