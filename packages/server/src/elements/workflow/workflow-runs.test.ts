// Workflows end to end through HTTP: the example (python elements, a local HTTP server
// for the approvals endpoint), bad definitions, step records, and the scope rules.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../../../test/test-server.ts'
import { createPython, pollRun } from '../../http/runs-api/runs-api-helpers.ts'

export const EXAMPLE = `document: { dsl: '1.0.0', namespace: acme, name: extract-invoice, version: '1.0.0' }
input:
  schema: { format: json, document: { type: object, required: [contract] } }
do:
  - parse:
      call: periodic            # an element or engine function of this circle
      with: { target: acme/pdf-parse, input: '\${ { file: .contract } }' }
  - checkTotals:
      for: { each: line, in: '\${ .parse.lines }' }
      do: [ { check: { call: periodic, with: { target: acme/check-line, input: '\${ $line }' } } } ]
  - route:
      switch:
        - big:   { when: '\${ .parse.total > 10000 }', then: review }
        - default: { then: end }
  - review:
      call: http
      with: { method: post, endpoint: 'APPROVALS', body: '\${ .parse }' }
`

const PDF_PARSE = `def handler(input):
    amounts = [int(x) for x in input["file"].split(",")]
    return {"lines": [{"amount": a} for a in amounts], "total": sum(amounts)}
`
const CHECK_LINE = `def handler(input):
    if input["amount"] < 0:
        raise ValueError("negative line")
    return {"ok": True, "amount": input["amount"]}
`

describe('workflow element', () => {
  let s: TestServer
  let approvals: Server
  const received: unknown[] = []
  let approvalsUrl = ''

  beforeAll(async () => {
    approvals = createServer((req, res) => {
      let body = ''
      req.on('data', (c) => {
        body += c
      })
      req.on('end', () => {
        received.push(JSON.parse(body))
        res.setHeader('content-type', 'application/json')
        res.end(JSON.stringify({ request: received.length, state: 'pending' }))
      })
    })
    await new Promise<void>((r) => approvals.listen(0, '127.0.0.1', r))
    const port = (approvals.address() as AddressInfo).port
    approvalsUrl = `http://127.0.0.1:${port}/requests`
    s = await startTestServer({ env: { PERIODIC_OUTBOUND_ALLOW: `127.0.0.1:${port}` } })
    await s.createCircle('acme')
    await createPython(s, 'acme', 'pdf-parse', PDF_PARSE)
    await createPython(s, 'acme', 'check-line', CHECK_LINE)
    const r = await s.api('POST', '/api/acme', {
      element_type: 'workflow',
      slug: 'extract-invoice',
      spec: { definition: EXAMPLE.replace('APPROVALS', approvalsUrl) },
    })
    expect(r.status, JSON.stringify(r.body)).toBe(201)
  }, 120_000)

  afterAll(async () => {
    await s?.close()
    approvals?.close()
  })

  it('runs the issue’s example: calls, a loop over a call, a switch, and an HTTP call', async () => {
    const r = await s.api('POST', '/api/acme/extract-invoice/ops/invoke?wait_for_completion=60', {
      contract: '9000,3000',
    })
    expect(r.status, JSON.stringify(r.body)).toBe(200)
    expect(r.body.status).toBe('succeeded')
    expect(r.body.output).toEqual({ request: 1, state: 'pending' })
    expect(received).toEqual([{ lines: [{ amount: 9000 }, { amount: 3000 }], total: 12000 }])
    const steps = await s.api('GET', `/api/acme/extract-invoice/ops/runs/${r.body.id}/steps`)
    expect(steps.status).toBe(200)
    const names = steps.body.steps.map((x: { name: string }) => x.name)
    expect(names).toEqual(['parse', 'checkTotals', 'check', 'check', 'route', 'review'])
    const check = steps.body.steps.find((x: { name: string }) => x.name === 'check')
    expect(check).toMatchObject({ status: 'succeeded', attempts: 1, error: null })
    expect(check.child_run_id).toMatch(/^[0-9a-f-]{36}$/)
    const viaRuns = await s.api('GET', `/api/v1/runs/${r.body.id}/steps`)
    expect(viaRuns.body.steps.map((x: { name: string }) => x.name)).toEqual(names)
    const definition = await s.api('GET', `/api/v1/runs/${r.body.id}/definition`)
    expect(JSON.stringify(definition.body)).toContain('extract-invoice')
    const child = await s.api('GET', `/api/v1/runs/${check.child_run_id}`)
    expect(child.body).toMatchObject({ status: 'succeeded', trigger: 'workflow' })
  })

  it('a small invoice ends at the switch without calling the approvals endpoint', async () => {
    const before = received.length
    const r = await s.api('POST', '/api/acme/extract-invoice/ops/invoke?wait_for_completion=60', {
      contract: '100,200',
    })
    expect(r.body.status).toBe('succeeded')
    expect(r.body.output.parse.total).toBe(300)
    expect(received.length).toBe(before)
  })

  it('a failing step fails the run with the DSL error and its task', async () => {
    const r = await s.api('POST', '/api/acme/extract-invoice/ops/invoke?wait_for_completion=60', {
      contract: '5,-1',
    })
    expect(r.body.status).toBe('failed')
    expect(r.body.error.code).toBe('WORKFLOW_TASK_FAILED')
    expect(r.body.error.message).toMatch(/checkTotals/)
    const input = await s.api('POST', '/api/acme/extract-invoice/ops/invoke?wait_for_completion=60', {})
    expect(input.body.status).toBe('failed')
    expect(input.body.error.error.type).toMatch(/validation$/)
  })

  it('refuses invalid definitions with their path', async () => {
    const bad = await s.api('POST', '/api/acme', {
      element_type: 'workflow',
      slug: 'bad',
      spec: { definition: 'document: [unclosed' },
    })
    expect(bad.status).toBe(400)
    expect(bad.body.error.code).toBe('WORKFLOW_DEFINITION_INVALID')
    const unknownTask = await s.api('POST', '/api/acme', {
      element_type: 'workflow',
      slug: 'bad2',
      spec: {
        definition:
          "document: { dsl: '1.0.0', namespace: a, name: b, version: '1.0.0' }\ndo:\n  - x: { frobnicate: {} }\n",
      },
    })
    expect(unknownTask.status).toBe(400)
    expect(unknownTask.body.error.code).toMatch(/^WORKFLOW_/)
  })

  it('a call to another circle’s element is not found, never a leak', async () => {
    await s.createCircle('other')
    await createPython(s, 'other', 'secret-fn', 'def handler(input):\n    return {"leak": True}\n')
    const wf = `document: { dsl: '1.0.0', namespace: acme, name: sneaky, version: '1.0.0' }
do:
  - steal: { call: periodic, with: { target: other/secret-fn } }
`
    const c = await s.api('POST', '/api/acme', {
      element_type: 'workflow',
      slug: 'sneaky',
      spec: { definition: wf },
    })
    expect(c.status).toBe(201)
    const r = await s.api('POST', '/api/acme/sneaky/ops/invoke?wait_for_completion=30', {})
    expect(r.body.status).toBe('failed')
    expect(JSON.stringify(r.body.error)).toMatch(/no element/)
    expect(JSON.stringify(r.body.error)).not.toMatch(/leak/)
  })

  it('runs with the scopes of the key that started it: a revoked key stops the next call', async () => {
    const wf = `document: { dsl: '1.0.0', namespace: acme, name: slow, version: '1.0.0' }
do:
  - nap: { wait: { milliseconds: 500 } }
  - parse: { call: periodic, with: { target: pdf-parse, input: { file: '1' } } }
`
    expect(
      (await s.api('POST', '/api/acme', { element_type: 'workflow', slug: 'slow', spec: { definition: wf } }))
        .status,
    ).toBe(201)
    const key = await s.createKey('acme', ['execute', 'read'])
    const started = await s.api('POST', '/api/acme/slow/ops/invoke', {}, { key })
    expect(started.status).toBe(201)
    const keys = await s.api('GET', '/api/acme/ops/api_keys')
    const id = keys.body.api_keys.find((k: { name: string }) => k.name === 'test execute,read').id
    expect((await s.api('DELETE', `/api/acme/ops/api_keys/${id}`)).status).toBe(200)
    const run = await pollRun(s, started.body.id)
    expect(run.status).toBe('failed')
    expect(run.error.error.type).toMatch(/authentication$/)
  })

  it('a call the starting key may not make fails with an authorization error (403)', async () => {
    const wf = `document: { dsl: '1.0.0', namespace: acme, name: writer, version: '1.0.0' }
do:
  - put: { call: periodic, with: { target: 'state::set', input: { scope: s, key: k, value: 1 } } }
`
    expect(
      (
        await s.api('POST', '/api/acme', {
          element_type: 'workflow',
          slug: 'writer',
          spec: { definition: wf },
        })
      ).status,
    ).toBe(201)
    const key = await s.createKey('acme', ['execute', 'read'])
    const r = await s.api('POST', '/api/acme/writer/ops/invoke?wait_for_completion=30', {}, { key })
    expect(r.body.status).toBe('failed')
    expect(r.body.error.error).toMatchObject({ status: 403, code: 'FORBIDDEN' })
    expect(r.body.error.error.type).toMatch(/authorization$/)
    const admin = await s.api('POST', '/api/acme/writer/ops/invoke?wait_for_completion=30', {})
    expect(admin.body.status, JSON.stringify(admin.body.error)).toBe('succeeded')
  })
})
