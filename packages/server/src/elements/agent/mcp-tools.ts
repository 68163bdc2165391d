// The tools of an external MCP server (Streamable HTTP), through the official SDK's client: one
// connection per agent run, its fetch through the outbound address policy, the spec's headers
// (sealed at rest) opened for it. A call acts with the starter's key as it stands (revoked: no call).
import { createHash } from 'node:crypto'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import type { OutboundPolicy } from '../../net/outbound-policy.ts'
import { policyFetch } from '../../net/policy-fetch.ts'
import type { Json, JsonObject } from '../../storage/storage.ts'
import { starterActor } from '../run-starter.ts'
import { type AgentTool, functionName, type ToolEnv, ToolSpecError } from './agent-tools.ts'
import { openAgentSecret, type ToolTarget } from './spec.ts'

export interface McpConnection {
  tools: AgentTool[]
  close(): Promise<void>
}

export async function mcpTools(
  env: ToolEnv,
  target: Extract<ToolTarget, { kind: 'mcp' }>,
  elementId: string,
  policy: OutboundPolicy,
  signal: AbortSignal,
): Promise<McpConnection> {
  let url: URL
  try {
    url = new URL(target.url)
  } catch {
    throw new ToolSpecError(`tool "${target.url.slice(0, 200)}" is not a URL`)
  }
  const headers: Record<string, string> = {}
  for (const [name, v] of Object.entries(target.headers ?? {}))
    headers[name] = (await openAgentSecret(env.p.elements, elementId, v)) ?? ''
  const transport = new StreamableHTTPClientTransport(url, {
    fetch: policyFetch(policy),
    requestInit: { headers },
  })
  const client = new Client({ name: 'periodic-agent', version: '1.0.0' })
  try {
    await client.connect(transport, { signal })
  } catch (err) {
    throw new ToolSpecError(`MCP server ${url.origin}${url.pathname}: ${(err as Error).message}`)
  }
  const listed = (await client.listTools(undefined, { signal })).tools.filter(
    (t) => !target.only || target.only.includes(t.name),
  )
  const hash = createHash('sha256').update(JSON.stringify(listed)).digest('hex')
  const tools = listed.map(
    (t): AgentTool => ({
      name: functionName(t.name),
      description: t.description ?? `${t.name} (MCP ${url.host})`,
      parameters: (t.inputSchema ?? { type: 'object' }) as JsonObject,
      lock: { kind: 'mcp', url: `${url.origin}${url.pathname}`, tool: t.name, tools_sha256: hash },
      async call(args, _callKey, callSignal) {
        await starterActor(env.p.elements, env.run)
        const res = await client.callTool(
          { name: t.name, arguments: (args ?? {}) as Record<string, unknown> },
          undefined,
          { signal: callSignal, timeout: 600_000 },
        )
        const output = (res.structuredContent ?? res.content ?? res) as Json
        return res.isError
          ? {
              status: 'error',
              error: { code: 'MCP_TOOL_ERROR', message: JSON.stringify(output).slice(0, 2000) },
            }
          : { status: 'ok', output }
      },
    }),
  )
  return { tools, close: () => client.close().catch(() => {}) }
}
