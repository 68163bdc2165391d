// The named response schemas of openapi.json against what the server really answers: every
// answer of the runs API and the element read is validated with every object closed (a field
// the schema does not declare fails, as does a declared one that is missing or mistyped). The
// SDK's types are generated from these schemas, so this is what keeps them true to the server.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormatsModule from 'ajv-formats'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../../../test/test-server.ts'
import { connect, wsUrl } from '../../../test/ws-test-client.ts'
import { createPython } from '../runs-api/runs-api-helpers.ts'

type Obj = Record<string, unknown>
type AddFormats = (ajv: Ajv2020) => Ajv2020
const addFormats: AddFormats =
  (addFormatsModule as unknown as { default?: AddFormats }).default ??
  (addFormatsModule as unknown as AddFormats)

const DOCUMENT = join(import.meta.dirname, '../../../openapi.json')
/** Free-form by design: a handler's or an error code's own fields. */
const OPEN = new Set(['RunError'])

const WRITER = [
  'import os',
  'def handler(input):',
  '    with open(os.path.join(os.environ["PERIODIC_OUTPUT_DIR"], "out.txt"), "w") as f:',
  '        f.write("hello")',
  '    if input.get("fail"):',
  '        raise RuntimeError("asked to")',
  '    return {"echo": input, "items": [1, "two", None]}',
  '',
].join('\n')

/** `schema` with every object that lists its properties closed to others. */
function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed)
  if (!schema || typeof schema !== 'object') return schema
  const out: Obj = Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, closed(v)]))
  if (
    out['properties'] &&
    (out['additionalProperties'] === undefined || out['additionalProperties'] === true)
  )
    out['additionalProperties'] = false
  return out
}

function validators() {
  const doc = JSON.parse(readFileSync(DOCUMENT, 'utf8')) as { components: { schemas: Obj } }
  const schemas = Object.fromEntries(
    Object.entries(doc.components.schemas).map(([name, s]) => [name, OPEN.has(name) ? s : closed(s)]),
  )
  const ajv = new Ajv2020({ strict: false, allErrors: true })
  addFormats(ajv)
  ajv.addSchema({ $id: 'https://periodic.invalid/api', components: { schemas } })
  return (component: string, body: unknown) => {
    const validate = ajv.getSchema(`https://periodic.invalid/api#/components/schemas/${component}`)
    if (!validate) throw new Error(`openapi.json has no component ${component}`)
    return validate(body) ? [] : validate.errors
  }
}

describe('response schemas of openapi.json', () => {
  let s: TestServer
  let check: ReturnType<typeof validators>
  let runId: string

  beforeAll(async () => {
    check = validators()
    s = await startTestServer({ env: { PERIODIC_OUTBOUND_ALLOW: '127.0.0.1:11434' } }) // agents' model (Ollama's address)
    await s.createCircle('acme')
    await createPython(s, 'acme', 'writer', WRITER)
    const run = await s.api('POST', '/api/v1/runs?wait_for_completion=60', {
      target: 'acme/writer',
      input: { a: 1 },
    })
    expect(run.status).toBe(200)
    runId = run.body.id
  }, 90_000)
  afterAll(async () => s?.close())

  const expectShape = async (component: string, method: string, path: string, body?: unknown) => {
    const r = await s.api(method, path, body)
    expect(r.status, `${method} ${path}: ${JSON.stringify(r.body)}`).toBeLessThan(300)
    expect(check(component, r.body), `${method} ${path} as ${component}`).toEqual([])
    return r.body
  }

  it('describes a run: created, failed, expanded, listed, rerun', async () => {
    await expectShape('Run', 'POST', '/api/v1/runs', { target: 'acme/writer' })
    const failed = await expectShape('Run', 'POST', '/api/v1/runs?wait_for_completion=60', {
      target: 'acme/writer',
      input: { fail: true },
    })
    expect(failed.error).toMatchObject({ code: expect.any(String) })
    await expectShape('Run', 'GET', `/api/v1/runs/${runId}?expand=input,usage,execution,debug`)
    await expectShape('RunsPage', 'GET', '/api/v1/runs?limit=2')
    await expectShape('Run', 'POST', `/api/v1/runs/${runId}/rerun`, {})
    await expectShape('Run', 'POST', `/api/v1/runs/${runId}/rerun?wait_for_completion=60`, {})
    await expectShape('RunDefinition', 'GET', `/api/v1/runs/${runId}/definition`)
    const other = await expectShape('Run', 'POST', '/api/v1/runs?wait_for_completion=60', {
      target: 'acme/writer',
      input: { a: 2 },
    })
    await expectShape('RunsComparison', 'POST', '/api/v1/runs/compare', { run_ids: [runId, other.id] })
  })

  it('describes a run’s files', async () => {
    const list = await expectShape('RunArtifactList', 'GET', `/api/v1/runs/${runId}/artifacts`)
    expect(list.artifacts).toHaveLength(1)
    await expectShape('RunInputFileList', 'GET', `/api/v1/runs/${runId}/files`)
  })

  it('describes feedback, expected documents, the comparison and the trace', async () => {
    await expectShape('RunFeedback', 'GET', `/api/v1/runs/${runId}/feedback`)
    await expectShape('RunFeedback', 'PUT', `/api/v1/runs/${runId}/feedback`, { rating: 1, labels: ['ok'] })
    await expectShape('ExpectedDocument', 'PUT', `/api/v1/runs/${runId}/expected/draft`, { echo: {} })
    await expectShape('ExpectedDocument', 'POST', `/api/v1/runs/${runId}/expected/draft/rename`, {
      to: 'kept',
    })
    await expectShape('ExpectedDocument', 'POST', `/api/v1/runs/${runId}/expected/copy_output`, {})
    await expectShape('ExpectedDocumentList', 'GET', `/api/v1/runs/${runId}/expected`)
    await expectShape('RunFeedback', 'POST', `/api/v1/runs/${runId}/feedback/resolve`, { note: 'ok' })
    await expectShape('RunComparison', 'GET', `/api/v1/runs/${runId}/comparison`)
    await expectShape('RunTrace', 'GET', `/api/v1/runs/${runId}/trace`)
  })

  it('describes the python operations', async () => {
    const ops = '/api/acme/writer/ops'
    const run = await expectShape('RunRecord', 'POST', `${ops}/invoke?wait_for_completion=60`, { x: 1 })
    await expectShape('ElementRunsPage', 'GET', `${ops}/runs?limit=2`)
    await expectShape('RunDetail', 'GET', `${ops}/runs/${run.id}`)
    await expectShape('RunLogs', 'GET', `${ops}/logs?run_id=${run.id}`)
    const build = await expectShape('BuildRecord', 'POST', `${ops}/build?wait_for_completion=60`, {})
    await expectShape('BuildRecord', 'GET', `${ops}/build/${build.build_id}`)
  })

  it('describes elements: read, created, updated, listed, deleted', async () => {
    await expectShape('Element', 'GET', '/api/acme/writer')
    await expectShape('Element', 'GET', '/api/acme/writer/ops/get')
    await expectShape('Element', 'POST', '/api/acme', { element_type: 'variable', slug: 'gone', spec: {} })
    await expectShape('Element', 'PATCH', '/api/acme/writer/ops/update', { name: 'Writer' })
    await expectShape('ElementChildrenPage', 'GET', '/api/acme/ops/children')
    await expectShape('DeletedElement', 'DELETE', '/api/acme/gone/ops/delete', { confirm: true })
  })

  it('describes a cookie jar and a websocket element', async () => {
    await s.api('POST', '/api/acme', { element_type: 'cookie-jar', slug: 'jar' })
    const cookies = [
      { name: 'sid', value: 'v1', domain: '.shop.test', path: '/' },
      { name: 'pref', value: 'dark', domain: 'www.shop.test', path: '/', expirationDate: 4102444800 },
    ]
    expect((await s.api('POST', '/api/acme/jar/ops/import', { cookies })).status).toBe(200)
    await expectShape('JarDescription', 'GET', '/api/acme/jar/ops/describe')

    const chat = {
      element_type: 'websocket',
      slug: 'chat',
      spec: { path: '/chat', rooms: { enabled: true } },
    }
    expect((await s.api('POST', '/api/acme', chat)).status).toBe(201)
    const client = await connect(wsUrl(s.url, '/ws/acme/chat?room=lobby'))
    try {
      await client.next() // the welcome: the connection is registered
      await expectShape('BroadcastResult', 'POST', '/api/acme/chat/ops/broadcast', { message: { hi: 1 } })
      const listed = await expectShape('WebSocketConnections', 'GET', '/api/acme/chat/ops/connections')
      expect(listed.connections).toHaveLength(1)
    } finally {
      client.ws.close()
    }
  })

  it('describes workflows: listed, read, their versions, and a workflow run', async () => {
    const definition = `document: { dsl: '1.0.0', namespace: acme, name: wf, version: '1.0.0', summary: 'S' }
input: { schema: { format: json, document: { type: object } } }
do:
  - a: { set: { ok: true } }
`
    const r = await s.api('POST', '/api/acme', { element_type: 'workflow', slug: 'wf', spec: { definition } })
    expect(r.status).toBe(201)
    await s.api('POST', '/api/acme/wf/ops/source/promote', { to: 'demo' })
    await s.api('POST', '/api/acme/wf/ops/source/promote', { to: 'live' })
    await expectShape('WorkflowList', 'GET', '/api/v1/workflows?circle=acme')
    await expectShape('WorkflowDetail', 'GET', `/api/v1/workflows/${r.body.id}`)
    const v = await expectShape(
      'WorkflowVersionList',
      'GET',
      '/api/v1/workflows/acme%2Fwf/versions?include=definition',
    )
    expect(v.versions[0].tags).toEqual(['v1'])
    await expectShape('Run', 'POST', '/api/v1/runs?wait_for_completion=60', {
      target: 'acme/wf',
      version: 'v1',
    })
  })

  it('describes agents: created, listed, read, their files, a file write and versions', async () => {
    const model = { base_url: 'http://127.0.0.1:11434/v1', model: 'qwen2.5:7b', api_key: 'k-1' }
    const tools = ['acme/add', { mcp: 'https://mcp.example.com/mcp', headers: { Authorization: 'Bearer t' } }]
    const a = await expectShape('AgentDetail', 'POST', '/api/v1/agents', {
      circle: 'acme',
      slug: 'ag',
      model,
      tools,
    })
    await expectShape('AgentList', 'GET', '/api/v1/agents?circle=acme')
    await expectShape('AgentDetail', 'GET', `/api/v1/agents/${a.id}?include=files`)
    await expectShape('AgentDetail', 'PATCH', `/api/v1/agents/${a.id}`, { max_steps: 3 })
    await expectShape('AgentFileList', 'GET', `/api/v1/agents/${a.id}/files`)
    await expectShape('AgentFileContent', 'GET', `/api/v1/agents/${a.id}/files?path=AGENT.md`)
    await expectShape('AgentFilesWritten', 'PUT', `/api/v1/agents/${a.id}/files?path=AGENT.md`, {
      content: 'Hi',
    })
    await s.api('POST', '/api/acme/ag/ops/source/promote', { to: 'demo' })
    await s.api('POST', '/api/acme/ag/ops/source/promote', { to: 'live' })
    const v = await expectShape('AgentVersionList', 'GET', '/api/v1/agents/acme%2Fag/versions')
    expect(v.versions[0].tags).toEqual(['v1'])
  })

  it('describes the error envelope', async () => {
    const missing = await s.api('GET', `/api/v1/runs/${crypto.randomUUID()}`)
    expect(missing.status).toBe(404)
    expect(check('ErrorEnvelope', missing.body)).toEqual([])
  })
})
