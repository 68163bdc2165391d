// The agent loop: model → tool calls → tool results → model, until a final answer (checked
// against the output schema when there is one), the step limit, the token budget, the timeout
// or a cancel. Each model call and tool call is a line of the run's trace; what went wrong goes
// to issues.md. A tool's failure or refusal is the tool's result for the model, not the run's end.
import type OpenAI from 'openai'
import type { ChatCompletionTool } from 'openai/resources/chat/completions'
import type { Json, JsonObject } from '../../storage/storage.ts'
import { StarterRefused } from '../run-starter.ts'
import { type AgentRecorder, traceValue } from './agent-artifacts.ts'
import { AGENT } from './agent-errors.ts'
import { callModel, type Message, type ToolCall } from './agent-model.ts'
import { checkAnswer } from './agent-output.ts'
import type { AgentTool, ToolResult } from './agent-tools.ts'
import type { AgentSpec } from './spec.ts'

/** How a run ended early: the run's error code and message. */
export class AgentStop extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

export interface LoopInput {
  spec: AgentSpec
  client: OpenAI
  tools: AgentTool[]
  recorder: AgentRecorder
  signal: AbortSignal
  /** The user message (the run's input, and its files). */
  prompt: string
  /** Model text as it streams (the run's live logs). */
  onText(text: string): void
}

export interface LoopResult {
  output: Json
  steps: number
  tokens: number
}

const isoNow = () => new Date().toISOString()

export function systemPrompt(spec: AgentSpec): string {
  if (!spec.output_schema) return spec.instructions
  return `${spec.instructions}\n\nAnswer with JSON only (no prose), satisfying this JSON Schema:\n${JSON.stringify(spec.output_schema)}`.trim()
}

export async function runAgentLoop(i: LoopInput): Promise<LoopResult> {
  const { spec, recorder, signal } = i
  const byName = new Map(i.tools.map((t) => [t.name, t]))
  const tools: ChatCompletionTool[] = i.tools.map((t) => ({
    type: 'function',
    function: { name: t.name, description: t.description.slice(0, 1024), parameters: t.parameters },
  }))
  const messages: Message[] = [
    ...(systemPrompt(spec) ? [{ role: 'system' as const, content: systemPrompt(spec) }] : []),
    { role: 'user', content: i.prompt },
  ]
  const schemaFormat = { allowed: true }
  let tokens = 0
  let lastMismatch: string | undefined
  for (let step = 1; step <= spec.max_steps; step++) {
    const started = isoNow()
    const t0 = performance.now()
    const remaining = spec.token_budget - tokens
    const maxTokens = Math.min(spec.model.max_tokens ?? remaining, remaining)
    let turn: Awaited<ReturnType<typeof callModel>>
    try {
      turn = await callModel(
        i.client,
        spec,
        { messages, tools, maxTokens, ...(spec.output_schema ? { outputSchema: spec.output_schema } : {}) },
        signal,
        i.onText,
        schemaFormat,
      )
    } catch (err) {
      if (signal.aborted) throw signal.reason
      const message = `the model call failed: ${(err as Error).message}`.slice(0, 2000)
      recorder.trace({
        kind: 'model',
        step,
        started_at: started,
        duration_ms: performance.now() - t0,
        status: 'error',
        error: message,
      })
      recorder.issue(`Step ${step}: ${message}`)
      throw new AgentStop(AGENT.AGENT_MODEL_ERROR.code, message)
    }
    // Each turn's text ends its own line in the run's logs (the next turn starts on a new one).
    if (turn.content && !turn.content.endsWith('\n')) i.onText('\n')
    tokens += turn.usage.total
    recorder.trace({
      kind: 'model',
      step,
      started_at: started,
      duration_ms: performance.now() - t0,
      status: 'ok',
      tokens: {
        prompt: turn.usage.prompt,
        completion: turn.usage.completion,
        total: turn.usage.total,
        ...(turn.usage.estimated ? { estimated: true } : {}),
      },
      finish_reason: turn.finishReason,
      tool_calls: turn.toolCalls.map((c) => c.name),
      ...(turn.toolCalls.length === 0 ? { content: traceValue(turn.content) } : {}),
    })
    if (turn.toolCalls.length === 0) {
      if (!spec.output_schema) return { output: { text: turn.content }, steps: step, tokens }
      const checked = checkAnswer(turn.content, spec.output_schema)
      if (checked.ok) return { output: checked.value, steps: step, tokens }
      lastMismatch = checked.problems.join('; ')
      recorder.issue(`Step ${step}: the answer does not satisfy the output schema: ${lastMismatch}`)
      messages.push({ role: 'assistant', content: turn.content })
      messages.push({
        role: 'user',
        content: `Your answer does not satisfy the output schema (${lastMismatch}). Answer again with JSON only.`,
      })
    } else {
      messages.push({
        role: 'assistant',
        content: turn.content || null,
        tool_calls: turn.toolCalls.map((c) => ({
          id: c.id,
          type: 'function',
          function: { name: c.name, arguments: c.arguments },
        })),
      })
      // Calls of one turn run at once; their trace lines and results keep the model's order.
      const results = await Promise.all(turn.toolCalls.map((c) => callTool(i, byName, c, step)))
      for (const [n, c] of turn.toolCalls.entries()) {
        const { result: r, entry } = results[n]!
        recordToolCall(i.recorder, entry, r, c.name, step)
        messages.push({
          role: 'tool',
          tool_call_id: c.id,
          content: JSON.stringify(r.status === 'ok' ? r.output : { error: r.error }),
        })
      }
    }
    if (tokens > spec.token_budget) {
      const message = `the token budget of ${spec.token_budget} is spent (${tokens} tokens after ${step} steps)`
      recorder.issue(message)
      throw new AgentStop(AGENT.AGENT_TOKEN_BUDGET.code, message)
    }
  }
  if (lastMismatch) {
    const message = `no answer satisfied the output schema within ${spec.max_steps} steps (last: ${lastMismatch})`
    recorder.issue(message)
    throw new AgentStop(AGENT.AGENT_OUTPUT_INVALID.code, message)
  }
  const message = `no final answer within max_steps (${spec.max_steps})`
  recorder.issue(message)
  throw new AgentStop(AGENT.AGENT_STEP_LIMIT.code, message)
}

async function callTool(
  i: LoopInput,
  byName: Map<string, AgentTool>,
  c: ToolCall,
  step: number,
): Promise<{ result: ToolResult; entry: JsonObject }> {
  const started = isoNow()
  const t0 = performance.now()
  const tool = byName.get(c.name)
  let args: Json = {}
  let result: ToolResult
  try {
    if (c.arguments.trim()) args = JSON.parse(c.arguments) as Json
  } catch {
    args = null
  }
  if (!tool)
    result = {
      status: 'error',
      error: { code: 'AGENT_TOOL_UNKNOWN', message: `there is no tool "${c.name.slice(0, 64)}"` },
    }
  else if (args === null || typeof args !== 'object' || Array.isArray(args))
    result = {
      status: 'error',
      error: { code: 'AGENT_TOOL_ARGUMENTS', message: 'the arguments are not a JSON object' },
    }
  else
    try {
      result = await tool.call(args, `${step}:${c.id}`, i.signal)
    } catch (err) {
      if (i.signal.aborted) throw i.signal.reason
      if (err instanceof StarterRefused) {
        i.recorder.trace({
          kind: 'tool',
          step,
          started_at: started,
          duration_ms: performance.now() - t0,
          status: 'refused',
          tool: c.name,
          call_id: c.id,
          error: err.message,
        })
        i.recorder.issue(`Step ${step}: tool ${c.name} refused: ${err.message}`)
        throw new AgentStop(AGENT.AGENT_KEY_REFUSED.code, err.message)
      }
      result = {
        status: 'error',
        error: { code: 'AGENT_TOOL_FAILED', message: String((err as Error).message ?? err).slice(0, 2000) },
      }
    }
  const entry: JsonObject = {
    kind: 'tool',
    step,
    started_at: started,
    duration_ms: performance.now() - t0,
    status: result.status,
    tool: c.name,
    call_id: c.id,
    arguments: traceValue(args),
    ...(result.child_run_id ? { child_run_id: result.child_run_id } : {}),
    ...(result.status === 'ok' ? { output: traceValue(result.output) } : { error: result.error }),
  }
  return { result, entry }
}

function recordToolCall(
  recorder: AgentRecorder,
  entry: JsonObject,
  result: ToolResult,
  name: string,
  step: number,
) {
  recorder.trace(entry as never)
  const message = String(result.status === 'ok' ? '' : result.error['message'])
  if (result.status === 'refused') recorder.issue(`Step ${step}: tool ${name} refused: ${message}`)
  else if (result.status === 'error') recorder.issue(`Step ${step}: tool ${name} failed: ${message}`)
}
