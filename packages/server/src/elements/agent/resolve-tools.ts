// An agent spec's tools resolved for a run (elements, engine functions, MCP servers' tools, with
// names unique for the model), and checked when the spec is written: an element that is not
// there or not runnable, a malformed function id, an MCP URL the outbound policy refuses, or two
// tools with one explicit name are refused (AGENT_TOOL_INVALID, 400).
import { PlatformError } from '../../errors.ts'
import type { OutboundPolicy } from '../../net/outbound-policy.ts'
import type { ElementRow } from '../../storage/storage.ts'
import type { PlatformContext, WriteTarget } from '../element.ts'
import { AGENT } from './agent-errors.ts'
import {
  type AgentTool,
  elementTool,
  functionTool,
  MissingToolElement,
  type ToolEnv,
  ToolSpecError,
} from './agent-tools.ts'
import { mcpTools } from './mcp-tools.ts'
import { type AgentSpec, toolTarget } from './spec.ts'

export interface ResolvedTools {
  tools: AgentTool[]
  close(): Promise<void>
}

export async function resolveAgentTools(
  env: ToolEnv,
  element: ElementRow,
  spec: AgentSpec,
  policy: OutboundPolicy,
  signal: AbortSignal,
): Promise<ResolvedTools> {
  const tools: AgentTool[] = []
  const closers: Array<() => Promise<void>> = []
  const close = async () => {
    for (const c of closers) await c()
  }
  try {
    for (const t of spec.tools ?? []) {
      const target = toolTarget(t)
      if (target.kind === 'element') tools.push(await elementTool(env, target))
      else if (target.kind === 'function') tools.push(functionTool(env, target))
      else {
        const mcp = await mcpTools(env, target, element.id, policy, signal)
        closers.push(mcp.close)
        tools.push(...mcp.tools)
      }
    }
  } catch (err) {
    await close()
    throw err
  }
  // Names the model sees are unique: a repeated one gets _2, _3, …
  const seen = new Set<string>()
  for (const tool of tools) {
    let name = tool.name
    for (let n = 2; seen.has(name); n++) name = `${tool.name.slice(0, 60)}_${n}`
    seen.add(name)
    tool.name = name
  }
  return { tools, close }
}

export async function verifyAgentTools(
  p: PlatformContext,
  policy: OutboundPolicy,
  spec: AgentSpec,
  target: WriteTarget,
): Promise<void> {
  const fail = (message: string) => {
    throw new PlatformError(AGENT.AGENT_TOOL_INVALID, message)
  }
  try {
    await policy.checkUrlAtWrite(spec.model.base_url)
  } catch (err) {
    if (err instanceof PlatformError) throw err
    fail(`spec.model.base_url "${spec.model.base_url.slice(0, 200)}" is not a URL`)
  }
  const env: ToolEnv = {
    p,
    run: { circle_id: target.circleId, id: target.elementId, trigger_info: null } as never,
    circleSlug: await p.elements.circleSlug(target.circleId),
    depth: 0,
    children: new Set(),
  }
  const names = new Set<string>()
  for (const [i, t] of (spec.tools ?? []).entries()) {
    const tt = toolTarget(t)
    const name = 'name' in tt ? tt.name : undefined
    if (name && names.has(name)) fail(`spec.tools.${i}: two tools are named "${name}"`)
    if (name) names.add(name)
    try {
      if (tt.kind === 'element') {
        const tool = await elementTool(env, tt)
        if (tool.lock['element_id'] === target.elementId)
          fail(`spec.tools.${i}: an agent cannot be its own tool`)
      } else if (tt.kind === 'function') functionTool(env, tt)
      else {
        let url: URL
        try {
          url = new URL(tt.url)
        } catch {
          return fail(`spec.tools.${i}: "${tt.url.slice(0, 200)}" is not a URL`)
        }
        if (url.protocol !== 'http:' && url.protocol !== 'https:')
          fail(`spec.tools.${i}: MCP servers speak http(s)`)
        await policy.checkUrlAtWrite(url)
      }
    } catch (err) {
      // An element made after its agent (or imported after it) is fine; a run names it if still missing.
      if (err instanceof MissingToolElement) continue
      if (err instanceof ToolSpecError) fail(`spec.tools.${i}: ${err.message}`)
      throw err
    }
  }
}
