// A Python element's invoke as an MCP tool (needs a sandbox: bwrap), and the MCP listing on
// PostgreSQL when a test database is configured.
import { existsSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, storageKinds, type TestServer } from '../../test/test-server.ts'
import { createPython, pollRun } from '../http/runs-api/runs-api-helpers.ts'
import { connectMcp } from './mcp-test-helpers.ts'

const sandbox = existsSync('/usr/bin/bwrap')

describe.skipIf(!sandbox)('a Python element over MCP', () => {
  let s: TestServer

  beforeAll(async () => {
    s = await startTestServer()
    await s.createCircle('acme')
    await createPython(s, 'acme', 'echo')
  })
  afterAll(async () => {
    await s?.close()
  })

  it('lists invoke as a tool and answers with the run and its output', async () => {
    const key = await s.createKey('acme', ['read', 'execute'])
    const client = await connectMcp(s.url, 'acme', key)
    const { tools } = await client.listTools()
    const invoke = tools.find((t) => t.name === 'echo__invoke')
    expect(invoke?.inputSchema.type).toBe('object')
    expect(invoke?.description).toContain('[echo · python')
    const r = await client.callTool({ name: 'echo__invoke', arguments: { greeting: 'hi' } })
    expect(r.isError).toBeFalsy()
    expect(r.structuredContent).toMatchObject({ status: 'succeeded', output: { greeting: 'hi' } })
    const failed = await client.callTool({ name: 'echo__invoke', arguments: { fail: true } })
    expect(failed.structuredContent).toMatchObject({ status: 'failed' })
    await client.close()
  }, 120_000)

  it('ends a call still running when its key is revoked', async () => {
    const made = await s.api('POST', '/api/acme/ops/api_keys', {
      name: 'doomed',
      scopes: ['read', 'execute'],
    })
    const client = await connectMcp(s.url, 'acme', made.body.key)
    const call = client.callTool({ name: 'echo__invoke', arguments: { sleep: 60 } }).then(
      () => 'answered',
      () => 'cut off',
    )
    // Wait for the run to be running, then revoke while the tool call holds its response.
    const deadline = Date.now() + 60_000
    let runId: string | undefined
    while (!runId && Date.now() < deadline) {
      const runs = await s.api('GET', '/api/acme/echo/ops/runs?status=running')
      runId = runs.body.runs?.[0]?.id ?? runs.body.items?.[0]?.id
      if (!runId) await new Promise((res) => setTimeout(res, 50))
    }
    expect(runId).toBeDefined()
    expect((await s.api('DELETE', `/api/acme/ops/api_keys/${made.body.id}`)).status).toBe(200)
    expect(await call).toBe('cut off')
    // The response ended long before the handler's 60 s sleep.
    expect((await s.api('GET', `/api/v1/runs/${runId}`)).body.status).toBe('running')
    await s.api('POST', `/api/acme/echo/ops/runs/${runId}/cancel`)
    await pollRun(s, runId!)
    await client.close()
  }, 120_000)
})

describe.skipIf(!storageKinds().includes('postgres'))('MCP on PostgreSQL', () => {
  it('lists and calls tools', async () => {
    const s = await startTestServer({ storage: 'postgres' })
    try {
      await s.createCircle('acme')
      await s.api('POST', '/api/acme', { element_type: 'variable', slug: 'counter', spec: { value: 5 } })
      const client = await connectMcp(s.url, 'acme', s.adminKey)
      expect((await client.listTools()).tools.map((t) => t.name)).toContain('counter__value')
      const r = await client.callTool({ name: 'counter__value', arguments: {} })
      expect(r.structuredContent).toMatchObject({ value: 5 })
      await client.close()
    } finally {
      await s.close()
    }
  }, 60_000)
})
