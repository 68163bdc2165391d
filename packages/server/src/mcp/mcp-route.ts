// /mcp/{circle}: the Model Context Protocol's Streamable HTTP transport (the official SDK's
// StreamableHTTPServerTransport), stateless: every POST authenticates its key, gets a fresh
// server and transport, and ends with its response. So a revoked key is refused on its next
// request, and a response still streaming (a long tool call) ends when the key is revoked or
// the circle deleted (the same registry that ends its event streams and WebSockets).
// GET (a standalone server→client stream) and DELETE (ending a session) have no meaning
// without sessions: 405, as the transport's documentation says for stateless servers.
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Authenticator } from '../auth/api-keys.ts'
import { requireActor } from '../auth/require-actor.ts'
import type { OperationCallDeps } from '../elements/operation-call.ts'
import type { WatchCredential } from '../engine/credential-watch.ts'
import { createMcpServer } from './mcp-server.ts'
import { ToolCatalogue } from './tool-catalogue.ts'

export interface McpRouteDeps extends OperationCallDeps {
  auth: Authenticator
  /** Ends a request's response when its key is revoked or its circle deleted (absent: no watch). */
  watch?: WatchCredential | undefined
  /** The largest JSON-RPC body read (the server's body limit). */
  bodyLimit: number
}

export function registerMcpRoute(app: FastifyInstance, deps: McpRouteDeps): void {
  const catalogue = new ToolCatalogue(deps.elements, deps.elements.bus)
  app.addHook('onClose', async () => catalogue.close())
  void app.register(async (scope) => {
    // The transport reads the body itself (its size bound, JSON-RPC parse errors as -32700).
    scope.removeAllContentTypeParsers()
    scope.addContentTypeParser('*', (_req, _payload, done) => done(null, undefined))
    scope.route({
      method: ['GET', 'POST', 'DELETE'],
      url: '/mcp/:circle',
      handler: (req: FastifyRequest<{ Params: { circle: string } }>, reply) =>
        serve(deps, catalogue, req, reply),
    })
  })
}

async function serve(
  deps: McpRouteDeps,
  catalogue: ToolCatalogue,
  req: FastifyRequest<{ Params: { circle: string } }>,
  reply: FastifyReply,
): Promise<unknown> {
  // Before anything is read: no key, a bad key or another circle's key get the API's envelope.
  const actor = await requireActor(deps.auth, req.headers.authorization)
  const circle = await deps.elements.resolve(actor, req.params.circle, [])
  if (req.method !== 'POST') {
    return reply
      .code(405)
      .header('allow', 'POST')
      .send({
        jsonrpc: '2.0',
        error: { code: -32000, message: 'Method not allowed: this MCP endpoint is stateless (POST only)' },
        id: null,
      })
  }
  reply.hijack()
  const res = reply.raw
  const server = createMcpServer(
    {
      deps,
      circle,
      actor,
      requestId: req.id,
      headers: req.headers,
      onInternalError: (err) => req.log.error({ err }, 'mcp tool call failed'),
    },
    catalogue,
  )
  const transport = new StreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    // One JSON answer per POST: nothing here streams progress, and JSON costs the client less
    // than parsing a large SSE event.
    enableJsonResponse: true,
    maxRequestBodySize: deps.bodyLimit,
  })
  const unwatch = deps.watch?.(
    { keyId: actor.platformAdmin ? null : actor.keyId, circleId: circle.id },
    () => {
      void transport.close()
      res.destroy()
    },
  )
  res.on('close', () => {
    unwatch?.()
    void server.close()
  })
  try {
    await server.connect(transport)
    await transport.handleRequest(req.raw, res)
  } catch (err) {
    req.log.error({ err }, 'mcp request failed')
    if (!res.headersSent) {
      res.writeHead(500, { 'content-type': 'application/json' })
      res.end(
        JSON.stringify({ jsonrpc: '2.0', error: { code: -32603, message: 'Internal error' }, id: null }),
      )
    } else res.destroy()
  }
  return reply
}
