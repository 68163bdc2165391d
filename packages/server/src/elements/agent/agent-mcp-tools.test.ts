// An agent with an external MCP server's tools: a small MCP server made with the official SDK
// (Streamable HTTP, stateless) on 127.0.0.1, the agent's client connecting through the outbound
// policy with its sealed header; the model is the scripted server (test/scripted-model-server.ts).
import { createServer, type Server as HttpServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Server } from '@modelcontextprotocol/sdk/server/index.js'
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ScriptedModelServer, startScriptedModelServer } from '../../../test/scripted-model-server.ts'
import { startTestServer, type TestServer } from '../../../test/test-server.ts'

function mcpServer(seen: string[]): HttpServer {
  return createServer(async (req, res) => {
    seen.push(String(req.headers['authorization'] ?? ''))
    const server = new Server({ name: 'lookup', version: '1.0.0' }, { capabilities: { tools: {} } })
    server.setRequestHandler(ListToolsRequestSchema, async () => ({
      tools: [
        {
          name: 'lookup.customer',
          description: 'Find a customer by id',
          inputSchema: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
        },
      ],
    }))
    server.setRequestHandler(CallToolRequestSchema, async (r) => ({
      content: [{ type: 'text', text: `customer ${String(r.params.arguments?.['id'])} is ACME Ltd` }],
    }))
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined })
    res.on('close', () => void transport.close())
    await server.connect(transport)
    await transport.handleRequest(req, res)
  })
}

describe('agent with MCP tools', () => {
  let s: TestServer
  let model: ScriptedModelServer
  let mcp: HttpServer
  const seen: string[] = []

  beforeAll(async () => {
    model = await startScriptedModelServer()
    mcp = mcpServer(seen)
    await new Promise<void>((r) => mcp.listen(0, '127.0.0.1', r))
    const port = (mcp.address() as AddressInfo).port
    s = await startTestServer({
      env: { PERIODIC_OUTBOUND_ALLOW: `127.0.0.1:${model.port},127.0.0.1:${port}` },
    })
    await s.createCircle('acme')
    const r = await s.api('POST', '/api/acme', {
      element_type: 'agent',
      slug: 'crm',
      spec: {
        model: { base_url: model.baseUrl, model: 'scripted' },
        tools: [{ mcp: `http://127.0.0.1:${port}/mcp`, headers: { Authorization: 'Bearer mcp-secret' } }],
      },
    })
    expect(r.status, JSON.stringify(r.body)).toBe(201)
    expect(JSON.stringify(r.body)).not.toContain('mcp-secret')
  }, 60_000)

  afterAll(async () => {
    await s?.close()
    await model?.close()
    mcp?.close()
  })

  it('lists the server’s tools for the model and calls one', async () => {
    model.script([
      { tool_calls: [{ name: 'lookup_customer', arguments: { id: 'c-7' } }] },
      { content: 'ACME Ltd.' },
    ])
    const r = await s.api('POST', '/api/acme/crm/ops/invoke?wait_for_completion=60', 'who is c-7?')
    expect(r.body.status, JSON.stringify(r.body)).toBe('succeeded')
    expect(model.requests[0]!.body.tools!.map((t) => t.function.name)).toEqual(['lookup_customer'])
    const fed = model.requests[1]!.body.messages.find((m) => m.role === 'tool')!.content
    expect(String(fed)).toContain('customer c-7 is ACME Ltd')
    expect(seen.every((h) => h === 'Bearer mcp-secret')).toBe(true)
    const lock = await s.api('GET', `/api/v1/runs/${r.body.id}/artifacts/periodic.lock`)
    expect(lock.body.tools[0]).toMatchObject({
      kind: 'mcp',
      tool: 'lookup.customer',
      tools_sha256: expect.any(String),
    })
  }, 60_000)
})
