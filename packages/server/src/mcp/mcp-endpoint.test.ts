// /mcp/{circle} through the official MCP SDK client against a real server: tools from element
// operations filtered by the key's scopes, calls with the key's identity, README resources,
// key revocation, circle isolation and malformed JSON-RPC.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../../test/test-server.ts'
import { connectMcp, postMcp } from './mcp-test-helpers.ts'
import { isValidToolName } from './tool-names.ts'

const LIST = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} })

describe('the MCP endpoint', () => {
  let s: TestServer

  async function newKey(circle: string, scopes: string[]): Promise<{ id: string; key: string }> {
    const r = await s.api('POST', `/api/${circle}/ops/api_keys`, { name: 'mcp', scopes })
    expect(r.status).toBe(201)
    return { id: r.body.id, key: r.body.key }
  }

  beforeAll(async () => {
    s = await startTestServer()
    await s.createCircle('acme')
    await s.createCircle('other')
    for (const slug of ['counter', 'limit'])
      expect(
        (await s.api('POST', '/api/acme', { element_type: 'variable', slug, spec: { value: 1 } })).status,
      ).toBe(201)
  })
  afterAll(async () => {
    await s?.close()
  })

  it('lists the circle’s operations as tools with valid, reversible names', async () => {
    const client = await connectMcp(s.url, 'acme', s.adminKey)
    const { tools } = await client.listTools()
    const names = tools.map((t) => t.name)
    expect(names).toEqual(
      expect.arrayContaining(['counter__set', 'counter__value', 'element_get', 'circle_types']),
    )
    expect(names.every(isValidToolName)).toBe(true)
    expect(new Set(names).size).toBe(names.length)
    const set = tools.find((t) => t.name === 'counter__set')!
    expect(set.inputSchema).toMatchObject({ type: 'object', required: ['value'] })
    expect(set.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: false })
    expect(tools.find((t) => t.name === 'element_delete')?.annotations?.destructiveHint).toBe(true)
    expect(tools.find((t) => t.name === 'element_get')?.inputSchema.required).toContain('element')
    // Binary answers (a bundle download, the SSE event stream) are not tools.
    expect(names.some((n) => n.includes('export') || n === 'circle_events')).toBe(false)
    await client.close()
  })

  it('runs a tool with the key’s identity and answers JSON as text and structured content', async () => {
    const { id, key } = await newKey('acme', ['read', 'write'])
    const client = await connectMcp(s.url, 'acme', key)
    const set = await client.callTool({ name: 'counter__set', arguments: { value: { n: 42 } } })
    expect(set.isError).toBeFalsy()
    expect(set.structuredContent).toMatchObject({ value: { n: 42 } })
    const got = await client.callTool({ name: 'element_get', arguments: { element: 'counter' } })
    expect(JSON.parse((got.content as { text: string }[])[0]!.text)).toMatchObject({
      slug: 'counter',
      spec: { value: { n: 42 } },
    })
    // The write is the key's: the activity names it.
    const activity = await s.api('GET', '/api/acme/counter/ops/activity')
    expect(JSON.stringify(activity.body)).toContain(id)
    await client.close()
  })

  it('turns a platform error into a tool error with its code, never a protocol error', async () => {
    const client = await connectMcp(s.url, 'acme', s.adminKey)
    const bad = await client.callTool({ name: 'counter__set', arguments: { nope: 1 } })
    expect(bad.isError).toBe(true)
    expect(bad.structuredContent).toMatchObject({ error: { code: 'VALIDATION_FAILED' } })
    const missing = await client.callTool({ name: 'element_get', arguments: { element: 'no-such' } })
    expect(missing.structuredContent).toMatchObject({ error: { code: 'ELEMENT_NOT_FOUND' } })
    await expect(client.callTool({ name: 'nope__get', arguments: {} })).rejects.toThrow(/-32602/)
    await client.close()
  })

  it('shows a read-only key no write or execute tools, and refuses it calling one', async () => {
    const { key } = await newKey('acme', ['read'])
    const client = await connectMcp(s.url, 'acme', key)
    const { tools } = await client.listTools()
    const auths = tools.map((t) => (t._meta?.['periodic/operation'] as { auth: string } | undefined)?.auth)
    expect(new Set(auths)).toEqual(new Set(['read']))
    expect(tools.map((t) => t.name)).not.toContain('counter__set')
    expect(tools.every((t) => t.annotations?.readOnlyHint !== false || t.name.endsWith('validate'))).toBe(
      true,
    )
    const refused = await client.callTool({ name: 'counter__set', arguments: { value: 0 } })
    expect(refused.isError).toBe(true)
    expect(refused.structuredContent).toMatchObject({
      error: { code: 'FORBIDDEN', details: { required_scope: 'write' } },
    })
    expect((await s.api('GET', '/api/acme/counter/ops/value')).body.value).not.toBe(0)
    await client.close()
  })

  it('names a nested element’s tools by its whole path', async () => {
    expect((await s.api('POST', '/api/acme', { element_type: 'project', slug: 'billing' })).status).toBe(201)
    const child = await s.api('POST', '/api/acme/billing', {
      element_type: 'variable',
      slug: 'rate',
      spec: { value: 3 },
    })
    expect(child.status).toBe(201)
    const client = await connectMcp(s.url, 'acme', s.adminKey)
    const r = await client.callTool({ name: 'billing__rate__value', arguments: {} })
    expect(r.structuredContent).toMatchObject({ value: 3 })
    const g = await client.callTool({ name: 'element_get', arguments: { element: 'billing/rate' } })
    expect(g.structuredContent).toMatchObject({ slug: 'rate' })
    await client.close()
  })

  it('lists an element created a moment ago (element events drop the cached listing)', async () => {
    const client = await connectMcp(s.url, 'acme', s.adminKey)
    expect((await client.listTools()).tools.map((t) => t.name)).not.toContain('fresh__value')
    await s.api('POST', '/api/acme', { element_type: 'variable', slug: 'fresh', spec: { value: 7 } })
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('fresh__value')
    expect((await client.callTool({ name: 'fresh__value', arguments: {} })).structuredContent).toMatchObject({
      value: 7,
    })
    await client.close()
  })

  it('cuts a revoked key off on its very next request', async () => {
    const { id, key } = await newKey('acme', ['read'])
    const client = await connectMcp(s.url, 'acme', key)
    expect((await client.listTools()).tools.length).toBeGreaterThan(0)
    expect((await s.api('DELETE', `/api/acme/ops/api_keys/${id}`)).status).toBe(200)
    await expect(client.listTools()).rejects.toMatchObject({ code: 401 })
    const raw = await postMcp(s.url, 'acme', key, LIST)
    expect(raw.status).toBe(401)
    expect(JSON.parse(raw.text).error.code).toBe('AUTH_INVALID')
  })

  it('answers 401 without a key and 404 to another circle’s key, with the API’s envelope', async () => {
    const none = await postMcp(s.url, 'acme', null, LIST)
    expect(none.status).toBe(401)
    expect(JSON.parse(none.text).error.code).toBe('AUTH_REQUIRED')
    const { key } = await newKey('other', ['read', 'write', 'execute', 'admin'])
    const other = await postMcp(s.url, 'acme', key, LIST)
    expect(other.status).toBe(404)
    expect(JSON.parse(other.text).error.code).toBe('CIRCLE_NOT_FOUND')
    // The same answer as for a circle that does not exist: nothing leaks.
    const nowhere = await postMcp(s.url, 'nowhere', key, LIST)
    expect([nowhere.status, JSON.parse(nowhere.text).error.code]).toEqual([404, 'CIRCLE_NOT_FOUND'])
  })

  it('serves element READMEs as resources', async () => {
    const client = await connectMcp(s.url, 'acme', s.adminKey)
    const w = await client.callTool({
      name: 'element_readme_update',
      arguments: { element: 'limit', content: '# Limit\nThe cap.' },
    })
    expect(w.isError).toBeFalsy()
    const { resources } = await client.listResources()
    expect(resources).toContainEqual(
      expect.objectContaining({ uri: 'periodic://acme/limit/README.md', mimeType: 'text/markdown' }),
    )
    const read = await client.readResource({ uri: 'periodic://acme/limit/README.md' })
    expect(read.contents[0]).toMatchObject({ text: '# Limit\nThe cap.' })
    const templates = await client.listResourceTemplates()
    expect(templates.resourceTemplates[0]?.uriTemplate).toBe('periodic://acme/{+path}/README.md')
    await expect(client.readResource({ uri: 'periodic://acme/no-such/README.md' })).rejects.toThrow(/-32002/)
    await expect(client.readResource({ uri: 'periodic://other/limit/README.md' })).rejects.toThrow(/-32002/)
    await client.close()
  })

  it('answers malformed JSON-RPC, bad cursors and GET/DELETE as the protocol says', async () => {
    const parse = await postMcp(s.url, 'acme', s.adminKey, '{"jsonrpc": "2.0", "id": 1,')
    expect(parse.status).toBe(400)
    expect(JSON.parse(parse.text).error.code).toBe(-32700)
    const notRpc = await postMcp(s.url, 'acme', s.adminKey, '{"hello": "world"}')
    expect(notRpc.status).toBe(400)
    expect(JSON.parse(notRpc.text).error.code).toBe(-32700)
    const text = await postMcp(s.url, 'acme', s.adminKey, LIST, { 'content-type': 'text/plain' })
    expect(text.status).toBe(415)
    for (const method of ['GET', 'DELETE']) {
      const r = await fetch(`${s.url}/mcp/acme`, {
        method,
        headers: { authorization: `Bearer ${s.adminKey}`, accept: 'text/event-stream' },
      })
      expect(r.status).toBe(405)
      expect((await r.json()).jsonrpc).toBe('2.0')
    }
    const client = await connectMcp(s.url, 'acme', s.adminKey)
    await expect(client.listTools({ cursor: 'not a cursor' })).rejects.toThrow(/-32602/)
    await client.close()
  })
})

describe('the MCP endpoint’s body limit', () => {
  it('refuses a JSON-RPC body over the server’s limit with 413', async () => {
    const s = await startTestServer({ env: { PERIODIC_BODY_LIMIT: '2048' } })
    try {
      await s.createCircle('acme')
      const big = JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/list',
        params: { pad: 'x'.repeat(4096) },
      })
      const r = await postMcp(s.url, 'acme', s.adminKey, big)
      expect(r.status).toBe(413)
      expect(JSON.parse(r.text).jsonrpc).toBe('2.0')
    } finally {
      await s.close()
    }
  })
})
