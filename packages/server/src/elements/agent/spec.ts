// The agent element's spec: instructions (kept in Source as AGENT.md), the model it talks to (any
// OpenAI-compatible chat-completions endpoint; the API key sealed at rest under the element's
// data key, shown only as {sealed}), its tools (elements of the circle, engine functions,
// external MCP servers), its limits, and an optional JSON Schema its final answer must satisfy.
import { type Static, Type } from '@sinclair/typebox'
import { validationError } from '../../errors.ts'
import { openJson, sealJson } from '../../secrets/secrets-of.ts'
import type { JsonObject } from '../../storage/storage.ts'
import type { ElementsPort } from '../element.ts'

export const AGENT_FILE = 'AGENT.md'
export const MAX_INSTRUCTIONS_BYTES = 256 * 1024
export const MAX_TOOLS = 64
const SECRET_PURPOSE = 'agent.model.api_key'

const Sealed = Type.Object({ sealed: Type.String() }, { additionalProperties: false })

const ToolName = Type.String({
  pattern: '^[a-zA-Z0-9_-]{1,64}$',
  description: 'The name the model sees (default: derived from the target).',
})

/** A tool in its long form; a bare string is shorthand (see `toolTarget`). */
export const agentToolSchema = Type.Union([
  Type.String({
    minLength: 1,
    maxLength: 2048,
    description:
      'Shorthand: an element path (`acme/add`, `add`, `acme/tools/add`), an engine function id (`math::add`) or an MCP server URL (`https://…`).',
  }),
  Type.Object(
    {
      element: Type.String({ minLength: 1, maxLength: 1024, description: 'Element path in this circle.' }),
      operation: Type.Optional(
        Type.String({
          maxLength: 64,
          description: 'A runnable operation (default: the type’s first, e.g. invoke).',
        }),
      ),
      name: Type.Optional(ToolName),
      description: Type.Optional(Type.String({ maxLength: 4096 })),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      function: Type.String({ minLength: 1, maxLength: 256, description: 'An engine function id.' }),
      name: Type.Optional(ToolName),
      description: Type.Optional(Type.String({ maxLength: 4096 })),
      input_schema: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      mcp: Type.String({
        minLength: 1,
        maxLength: 2048,
        description: 'Streamable HTTP URL of an MCP server.',
      }),
      tools: Type.Optional(
        Type.Array(Type.String({ maxLength: 128 }), {
          maxItems: 256,
          description: 'Only these of the server’s tools (default: all).',
        }),
      ),
      headers: Type.Optional(
        Type.Record(
          Type.String({ pattern: '^[A-Za-z0-9-]{1,64}$' }),
          Type.Union([Type.String({ maxLength: 4096 }), Sealed]),
          {
            maxProperties: 16,
            description: 'Sent with every request (e.g. Authorization); sealed at rest.',
          },
        ),
      ),
    },
    { additionalProperties: false },
  ),
])

export const agentSpec = Type.Object(
  {
    instructions: Type.String({
      default: '',
      maxLength: MAX_INSTRUCTIONS_BYTES,
      description: 'The system prompt. Lives in Source as AGENT.md.',
    }),
    model: Type.Object(
      {
        base_url: Type.String({
          minLength: 1,
          maxLength: 2048,
          description: 'An OpenAI-compatible API root, e.g. http://127.0.0.1:11434/v1 (Ollama).',
        }),
        model: Type.String({ minLength: 1, maxLength: 256 }),
        api_key: Type.Optional(
          Type.Union([Type.String({ maxLength: 4096 }), Sealed], {
            description: 'Send the key; it is sealed at rest and shown only as {sealed}.',
          }),
        ),
        temperature: Type.Optional(Type.Number({ minimum: 0, maximum: 2 })),
        max_tokens: Type.Optional(
          Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'Completion tokens per model call.' }),
        ),
      },
      { additionalProperties: false },
    ),
    tools: Type.Array(agentToolSchema, { default: [], maxItems: MAX_TOOLS }),
    max_steps: Type.Integer({
      minimum: 1,
      maximum: 200,
      default: 10,
      description: 'Model calls a run may make before it stops.',
    }),
    token_budget: Type.Integer({
      minimum: 1,
      maximum: 100_000_000,
      default: 200_000,
      description: 'Total tokens (prompt + completion) a run may spend.',
    }),
    timeout_s: Type.Integer({
      minimum: 1,
      maximum: 86_400,
      default: 600,
      description: 'Wall-clock limit of a run.',
    }),
    output_schema: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), {
        description: 'A JSON Schema the final answer (JSON) must satisfy.',
      }),
    ),
  },
  { additionalProperties: false },
)

export type AgentSpec = Static<typeof agentSpec>
export type AgentToolSpec = Static<typeof agentToolSchema>

/** What a tool entry points at. */
export type ToolTarget =
  | { kind: 'element'; path: string; operation?: string; name?: string; description?: string }
  | { kind: 'function'; id: string; name?: string; description?: string; inputSchema?: JsonObject }
  | { kind: 'mcp'; url: string; only?: string[]; headers?: Record<string, string | { sealed: string }> }

export function toolTarget(tool: AgentToolSpec): ToolTarget {
  if (typeof tool === 'string') {
    if (/^https?:\/\//i.test(tool)) return { kind: 'mcp', url: tool }
    if (tool.includes('::')) return { kind: 'function', id: tool }
    return { kind: 'element', path: tool }
  }
  if ('element' in tool)
    return {
      kind: 'element',
      path: tool.element,
      operation: tool.operation,
      name: tool.name,
      description: tool.description,
    } as ToolTarget
  if ('function' in tool)
    return {
      kind: 'function',
      id: tool.function,
      name: tool.name,
      description: tool.description,
      inputSchema: tool.input_schema as JsonObject | undefined,
    } as ToolTarget
  return { kind: 'mcp', url: tool.mcp, only: tool.tools, headers: tool.headers } as ToolTarget
}

const binding = (elementId: string) => ({ elementId, version: 0, purpose: SECRET_PURPOSE })

async function sealValue(
  value: unknown,
  field: string,
  elementId: string,
  elements: ElementsPort,
): Promise<unknown> {
  if (typeof value === 'string') return { sealed: await sealJson({ elements }, binding(elementId), value) }
  if (
    value &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    typeof (value as JsonObject)['sealed'] === 'string'
  ) {
    await openJson({ elements }, binding(elementId), (value as { sealed: string }).sealed).catch(() => {
      throw validationError(field, 'a sealed value only opens for the agent that sealed it; send the value')
    })
  }
  return value
}

/** Seals the model's API key and MCP headers; a sealed one must open for this element. */
export async function sealAgentSecrets(
  spec: JsonObject,
  elementId: string,
  elements: ElementsPort,
): Promise<JsonObject> {
  let out = spec
  const model = spec['model']
  if (model && typeof model === 'object' && !Array.isArray(model) && model['api_key'] !== undefined)
    out = {
      ...out,
      model: {
        ...model,
        api_key: (await sealValue(model['api_key'], 'spec.model.api_key', elementId, elements)) as never,
      },
    }
  const tools = spec['tools']
  if (Array.isArray(tools)) {
    const sealed = []
    for (const [i, tool] of tools.entries()) {
      const headers = tool && typeof tool === 'object' && !Array.isArray(tool) ? tool['headers'] : undefined
      if (!headers || typeof headers !== 'object' || Array.isArray(headers)) {
        sealed.push(tool)
        continue
      }
      const h: JsonObject = {}
      for (const [name, v] of Object.entries(headers))
        h[name] = (await sealValue(v, `spec.tools.${i}.headers.${name}`, elementId, elements)) as never
      sealed.push({ ...(tool as JsonObject), headers: h })
    }
    out = { ...out, tools: sealed }
  }
  return out
}

/** Opens a sealed value of this agent (the model key, an MCP header); plain strings pass. */
export async function openAgentSecret(
  elements: ElementsPort,
  elementId: string,
  value: string | { sealed: string } | undefined,
): Promise<string | undefined> {
  if (value === undefined || typeof value === 'string') return value
  return String(await openJson({ elements }, binding(elementId), value.sealed))
}

/** The instructions live in Source as `AGENT.md`, the rest in `.periodic/spec.yaml`. */
export function agentSourceFiles(spec: JsonObject): { spec: JsonObject; files: Record<string, string> } {
  const { instructions, ...rest } = spec
  return { spec: rest, files: typeof instructions === 'string' ? { [AGENT_FILE]: instructions } : {} }
}

export function agentSpecFromSource(
  spec: JsonObject,
  file: (path: string) => string | undefined,
): JsonObject {
  const text = file(AGENT_FILE)
  return text !== undefined && text !== '' ? { ...spec, instructions: text } : spec
}
