// One call to the agent's model: an OpenAI-compatible chat completion through the official
// `openai` client (any endpoint: OpenAI, Ollama, vLLM, llama.cpp server), streamed so every token
// reaches the run's live logs as it arrives, with the server's usage when it sends it (else an
// estimate, marked as such). The client's fetch goes through the outbound address policy.
import OpenAI from 'openai'
import type { Stream } from 'openai/core/streaming'
import type {
  ChatCompletionChunk,
  ChatCompletionMessageParam,
  ChatCompletionTool,
} from 'openai/resources/chat/completions'
import type { OutboundPolicy } from '../../net/outbound-policy.ts'
import { policyFetch } from '../../net/policy-fetch.ts'
import type { AgentSpec } from './spec.ts'

export type Message = ChatCompletionMessageParam

export interface ToolCall {
  id: string
  name: string
  arguments: string
}

export interface Usage {
  prompt: number
  completion: number
  total: number
  /** The server sent no usage: counted as ~4 characters a token. */
  estimated?: boolean
}

export interface ModelTurn {
  content: string
  toolCalls: ToolCall[]
  usage: Usage
  finishReason: string | null
}

export interface ModelRequest {
  messages: Message[]
  tools: ChatCompletionTool[]
  maxTokens?: number
  /** A JSON Schema the answer should follow (sent as response_format where the server allows it). */
  outputSchema?: Record<string, unknown>
}

/** A client for the agent's model; no key: no Authorization header at all. */
export function modelClient(spec: AgentSpec, apiKey: string | undefined, policy: OutboundPolicy): OpenAI {
  const through = policyFetch(policy)
  const fetch: typeof globalThis.fetch = apiKey
    ? through
    : (input, init = {}) => {
        const headers = new Headers(init.headers)
        headers.delete('authorization')
        return through(input, { ...init, headers })
      }
  return new OpenAI({
    baseURL: spec.model.base_url,
    apiKey: apiKey ?? 'none',
    fetch,
    maxRetries: 1,
    timeout: spec.timeout_s * 1000,
  })
}

const estimate = (chars: number) => Math.ceil(chars / 4)

/** Calls the model once, streaming; `onText` sees the answer's text as it arrives. */
export async function callModel(
  client: OpenAI,
  spec: AgentSpec,
  req: ModelRequest,
  runSignal: AbortSignal,
  onText: (text: string) => void,
  schemaFormat: { allowed: boolean },
): Promise<ModelTurn> {
  // A signal of this call only: whatever the client and fetch hang on it goes with the call.
  const ctl = new AbortController()
  const onAbort = () => ctl.abort(runSignal.reason)
  if (runSignal.aborted) onAbort()
  else runSignal.addEventListener('abort', onAbort, { once: true })
  try {
    return await streamTurn(client, spec, req, ctl.signal, onText, schemaFormat)
  } finally {
    runSignal.removeEventListener('abort', onAbort)
  }
}

async function streamTurn(
  client: OpenAI,
  spec: AgentSpec,
  req: ModelRequest,
  signal: AbortSignal,
  onText: (text: string) => void,
  schemaFormat: { allowed: boolean },
): Promise<ModelTurn> {
  const params = {
    model: spec.model.model,
    messages: req.messages,
    ...(req.tools.length ? { tools: req.tools } : {}),
    ...(spec.model.temperature !== undefined ? { temperature: spec.model.temperature } : {}),
    ...(req.maxTokens !== undefined ? { max_tokens: req.maxTokens } : {}),
    stream: true as const,
    stream_options: { include_usage: true },
  }
  const format =
    req.outputSchema && schemaFormat.allowed
      ? {
          response_format: {
            type: 'json_schema' as const,
            json_schema: { name: 'output', schema: req.outputSchema, strict: false },
          },
        }
      : {}
  let stream: Stream<ChatCompletionChunk>
  try {
    stream = await client.chat.completions.create({ ...params, ...format }, { signal })
  } catch (err) {
    // A server that refuses response_format gets the schema in the prompt only, from now on.
    if (!(err instanceof OpenAI.BadRequestError) || !('response_format' in format)) throw err
    schemaFormat.allowed = false
    stream = await client.chat.completions.create(params, { signal })
  }
  let content = ''
  let finishReason: string | null = null
  let usage: Usage | undefined
  const calls = new Map<number, ToolCall>()
  for await (const chunk of stream) {
    if (chunk.usage)
      usage = {
        prompt: chunk.usage.prompt_tokens ?? 0,
        completion: chunk.usage.completion_tokens ?? 0,
        total:
          chunk.usage.total_tokens ?? (chunk.usage.prompt_tokens ?? 0) + (chunk.usage.completion_tokens ?? 0),
      }
    const choice = chunk.choices?.[0]
    if (!choice) continue
    if (choice.finish_reason) finishReason = choice.finish_reason
    const text = choice.delta?.content
    if (text) {
      content += text
      onText(text)
    }
    for (const d of choice.delta?.tool_calls ?? []) {
      const c = calls.get(d.index) ?? { id: '', name: '', arguments: '' }
      if (d.id) c.id = d.id
      if (d.function?.name) c.name += d.function.name
      if (d.function?.arguments) c.arguments += d.function.arguments
      calls.set(d.index, c)
    }
  }
  const toolCalls = [...calls.entries()]
    .sort(([a], [b]) => a - b)
    .map(([i, c]) => ({ ...c, id: c.id || `call_${i}` }))
  if (!usage) {
    const prompt = estimate(JSON.stringify(req.messages).length)
    const completion = estimate(
      content.length + toolCalls.reduce((n, c) => n + c.name.length + c.arguments.length, 0),
    )
    usage = { prompt, completion, total: prompt + completion, estimated: true }
  }
  return { content, toolCalls, usage, finishReason }
}
