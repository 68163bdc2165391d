// One MCP server (the SDK's low-level `Server`) for one request of one key on one circle: tools
// from the circle's catalogue filtered by the key's scopes, tools/call through callOperation,
// element READMEs as resources. Built per request (stateless transport), so nothing outlives
// the key's authentication of that request.
import { Server } from '@modelcontextprotocol/sdk/server/index.js'
import {
  CallToolRequestSchema,
  ErrorCode,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  ReadResourceRequestSchema,
} from '@modelcontextprotocol/sdk/types.js'
import { hasScope } from '../auth/actor.ts'
import { genericOperations } from '../elements/generic/index.ts'
import { callOperation } from '../elements/operation-call.ts'
import { PlatformError } from '../errors.ts'
import { callTool, type ToolCallContext } from './mcp-tool-call.ts'
import type { ToolCatalogue } from './tool-catalogue.ts'

export const SERVER_INFO = { name: 'periodic', version: '1.0.0' }
/** JSON-RPC error code MCP gives a resource that does not exist. */
const RESOURCE_NOT_FOUND = -32002
const README = 'README.md'
/** Tools per tools/list page: a circle of 1,000 elements lists in a few pages (MCP pagination). */
export const TOOLS_PAGE = 500
const readmeOp = genericOperations.find((op) => op.name === 'readme')!

export function createMcpServer(ctx: ToolCallContext, catalogue: ToolCatalogue): Server {
  const circle = ctx.circle
  const server = new Server(SERVER_INFO, {
    capabilities: { tools: {}, resources: {} },
    instructions: `Tools are the operations of the elements of circle "${circle.slug}" that this key may run. A type's own operations are named <element path with / as __>__<operation> (e.g. invoice-parser__invoke); generic ones (get, update, readme, …) are element_<operation> and take the element's path as "element"; circle_<operation> are the circle's own. Element READMEs are resources periodic://${circle.slug}/<path>/README.md.`,
  })

  server.setRequestHandler(ListToolsRequestSchema, async (req) => {
    const tools = await catalogue.list(circle, ctx.actor)
    const from = req.params?.cursor === undefined ? 0 : offsetOf(req.params.cursor, tools.length)
    const to = from + TOOLS_PAGE
    return {
      tools: tools.slice(from, to),
      ...(to < tools.length ? { nextCursor: Buffer.from(String(to)).toString('base64url') } : {}),
    }
  })

  server.setRequestHandler(CallToolRequestSchema, async (req) => {
    const name = req.params.name
    let entry = (await catalogue.get(circle)).byName.get(name)
    if (!entry) {
      // Created a moment ago, or on another node: one fresh look before "unknown".
      catalogue.invalidate(circle.id)
      entry = (await catalogue.get(circle)).byName.get(name)
    }
    if (!entry) throw new McpError(ErrorCode.InvalidParams, `Tool ${name.slice(0, 100)} not found`)
    return callTool(ctx, entry, req.params.arguments)
  })

  server.setRequestHandler(ListResourcesRequestSchema, async () => {
    if (!hasScope(ctx.actor, 'read')) return { resources: [] }
    const { readmes } = await catalogue.get(circle)
    return {
      resources: readmes.map((r) => ({
        uri: readmeUri(circle.slug, r.segments),
        name: r.segments.length ? r.segments.join('/') : circle.slug,
        title: `${r.name}: README`,
        mimeType: 'text/markdown',
        size: r.bytes,
      })),
    }
  })

  server.setRequestHandler(ListResourceTemplatesRequestSchema, async () => ({
    resourceTemplates: [
      {
        uriTemplate: `periodic://${circle.slug}/{+path}/${README}`,
        name: 'element-readme',
        title: 'An element’s README',
        description: `The README of the element at {path} in circle ${circle.slug} (empty when none was written)`,
        mimeType: 'text/markdown',
      },
    ],
  }))

  server.setRequestHandler(ReadResourceRequestSchema, async (req) => {
    const uri = req.params.uri
    const segments = readmeSegments(circle.slug, uri)
    if (!segments) throw new McpError(RESOURCE_NOT_FOUND, 'Resource not found', { uri: uri.slice(0, 500) })
    try {
      const element = await ctx.deps.elements.resolve(ctx.actor, circle.slug, segments)
      const out = (await callOperation(ctx.deps, {
        actor: ctx.actor,
        element,
        op: readmeOp,
        params: {},
        input: {},
        fromQuery: false,
        query: {},
        elementPath: [circle.slug, ...segments].join('/'),
        requestId: ctx.requestId,
        headers: ctx.headers,
        reply: { status: () => {}, header: () => {} },
      })) as { content: string }
      return { contents: [{ uri, mimeType: 'text/markdown', text: out.content }] }
    } catch (err) {
      if (!(err instanceof PlatformError)) throw err
      const code = err.status === 404 ? RESOURCE_NOT_FOUND : ErrorCode.InvalidRequest
      throw new McpError(code, `${err.code}: ${err.message}`, { error: err.toJSON() })
    }
  })
  return server
}

function offsetOf(cursor: string, total: number): number {
  const n = /^[A-Za-z0-9_-]{1,16}$/.test(cursor)
    ? Number(Buffer.from(cursor, 'base64url').toString())
    : Number.NaN
  if (!Number.isInteger(n) || n < 0 || n > total)
    throw new McpError(ErrorCode.InvalidParams, 'Invalid cursor: pass the nextCursor of the previous page')
  return n
}

export function readmeUri(circleSlug: string, segments: string[]): string {
  return `periodic://${[circleSlug, ...segments].join('/')}/${README}`
}

/** The element path of `periodic://{circle}/{path}/README.md` in this circle, else undefined. */
function readmeSegments(circleSlug: string, uri: string): string[] | undefined {
  const prefix = `periodic://${circleSlug}/`
  if (!uri.startsWith(prefix) || (!uri.endsWith(`/${README}`) && uri !== `${prefix}${README}`))
    return undefined
  if (uri.length > 2000) return undefined
  const parts = uri.slice(prefix.length).split('/')
  parts.pop()
  try {
    return parts.filter(Boolean).map(decodeURIComponent)
  } catch {
    return undefined
  }
}
