// Agent runs end to end over real HTTP: the real `openai` client talks to a scripted model server
// (test/scripted-model-server.ts, standing in for the external model); tools are a python element
// and engine functions, run as the starter's key allows. Final answers, tool errors and refusals
// fed back, limits, artifacts, the sealed key, and write-time checks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ScriptedModelServer, startScriptedModelServer } from '../../../test/scripted-model-server.ts'
import { startTestServer, type TestServer } from '../../../test/test-server.ts'
import { createPython } from '../../http/runs-api/runs-api-helpers.ts'

const ADD = 'def handler(input):\n    return {"sum": input["a"] + input["b"]}\n'
const BOOM = 'def handler(input):\n    raise ValueError("no such invoice")\n'

describe('agent runs', () => {
  let s: TestServer
  let model: ScriptedModelServer
  let n = 0

  async function agent(spec: Record<string, unknown>, key?: string) {
    const slug = `agent-${++n}`
    const r = await s.api(
      'POST',
      '/api/acme',
      {
        element_type: 'agent',
        slug,
        spec: {
          instructions: 'You add numbers.',
          model: { base_url: model.baseUrl, model: 'scripted' },
          ...spec,
        },
      },
      key ? { key } : {},
    )
    expect(r.status, JSON.stringify(r.body)).toBe(201)
    return slug
  }
  const invoke = (slug: string, input: unknown, key?: string) =>
    s.api('POST', `/api/acme/${slug}/ops/invoke?wait_for_completion=60`, input, key ? { key } : {})
  const artifact = async (id: string, path: string) =>
    (
      await fetch(`${s.url}/api/v1/runs/${id}/artifacts/${path}`, {
        headers: { authorization: `Bearer ${s.adminKey}` },
      })
    ).text()

  beforeAll(async () => {
    model = await startScriptedModelServer()
    s = await startTestServer({ env: { PERIODIC_OUTBOUND_ALLOW: `127.0.0.1:${model.port}` } })
    await s.createCircle('acme')
    await createPython(s, 'acme', 'add', ADD)
    await createPython(s, 'acme', 'boom', BOOM)
  }, 120_000)

  afterAll(async () => {
    await s?.close()
    await model?.close()
  })

  it('calls two tools (a python element and an engine function) and reaches a final answer', async () => {
    const slug = await agent({
      model: { base_url: model.baseUrl, model: 'scripted', api_key: 'sk-test-123' },
      tools: ['acme/add', 'state::set'],
    })
    const got = await s.api('GET', `/api/acme/${slug}`)
    expect(JSON.stringify(got.body)).not.toContain('sk-test-123')
    expect(got.body.spec.model.api_key).toEqual({ sealed: expect.any(String) })
    model.script([
      {
        tool_calls: [
          { name: 'add', arguments: { a: 2, b: 3 } },
          { name: 'state__set', arguments: { scope: 'notes', key: 'k', value: 5 } },
        ],
      },
      { content: 'The sum is 5.' },
    ])
    model.requests.length = 0
    const r = await invoke(slug, 'What is 2 + 3?')
    expect(r.status, JSON.stringify(r.body)).toBe(200)
    expect(r.body.status).toBe('succeeded')
    expect(r.body.output).toEqual({ text: 'The sum is 5.' })
    const [first, second] = model.requests
    expect(first!.headers.authorization).toBe('Bearer sk-test-123')
    expect(first!.body.messages[0]).toEqual({ role: 'system', content: 'You add numbers.' })
    expect(first!.body.messages[1]).toEqual({ role: 'user', content: 'What is 2 + 3?' })
    expect(first!.body.tools!.map((t) => t.function.name)).toEqual(['add', 'state__set'])
    const toolMessages = second!.body.messages.filter((m) => m.role === 'tool')
    expect(toolMessages.map((m) => JSON.parse(String(m.content)))).toEqual([
      { sum: 5 },
      expect.objectContaining({ new_value: 5 }),
    ])

    const run = await s.api('GET', `/api/v1/runs/${r.body.id}?expand=execution`)
    expect(run.body.element_type).toBe('agent')
    const steps = run.body.execution.steps as Array<Record<string, unknown>>
    expect(steps.map((st) => `${st['kind']}:${st['tool'] ?? ''}:${st['status']}`)).toEqual([
      'model::ok',
      'tool:add:ok',
      'tool:state__set:ok',
      'model::ok',
    ])
    expect(steps[0]!['tokens']).toEqual({ prompt: 10, completion: 5, total: 15 })
    const child = steps[1]!['child_run_id'] as string
    const childRun = await s.api('GET', `/api/v1/runs/${child}?expand=debug`)
    expect(childRun.body).toMatchObject({ status: 'succeeded', trigger: 'agent', output: { sum: 5 } })
    expect(childRun.body.debug.trigger_info).toMatchObject({ parent_run_id: r.body.id, depth: 1 })

    const listed = await s.api('GET', `/api/v1/runs/${r.body.id}/artifacts`)
    expect(listed.body.artifacts.map((a: { path: string }) => a.path)).toEqual([
      'issues.md',
      'periodic.lock',
      'trace.jsonl',
    ])
    const lock = JSON.parse(await artifact(r.body.id, 'periodic.lock'))
    expect(lock.model).toEqual({ base_url: model.baseUrl, model: 'scripted' })
    expect(lock.tools[0]).toMatchObject({
      name: 'add',
      kind: 'element',
      element_type: 'python',
      operation: 'invoke',
    })
    expect(lock.tools[1]).toMatchObject({ name: 'state__set', kind: 'function', id: 'state::set' })
    expect((await artifact(r.body.id, 'trace.jsonl')).trim().split('\n')).toHaveLength(4)
    expect(await artifact(r.body.id, 'issues.md')).toContain('No issues.')
    const listedRuns = await s.api('GET', '/api/v1/runs?element_type=agent')
    expect(listedRuns.body.runs.map((x: { id: string }) => x.id)).toContain(r.body.id)
  }, 60_000)

  it('feeds a tool’s error back to the model and goes on', async () => {
    const slug = await agent({ tools: ['boom'] })
    model.script([
      { tool_calls: [{ name: 'boom', arguments: {} }] },
      { content: 'The invoice could not be found.' },
    ])
    model.requests.length = 0
    const r = await invoke(slug, { invoice: 7 })
    expect(r.body.status, JSON.stringify(r.body)).toBe('succeeded')
    expect(model.requests[0]!.body.messages[1]!.content).toBe(JSON.stringify({ invoice: 7 }, null, 2))
    const fed = JSON.parse(String(model.requests[1]!.body.messages.find((m) => m.role === 'tool')!.content))
    expect(fed.error.message).toContain('no such invoice')
    expect(await artifact(r.body.id, 'issues.md')).toMatch(/tool boom failed: .*no such invoice/)
  }, 60_000)

  it('stops at max_steps with AGENT_STEP_LIMIT', async () => {
    const slug = await agent({ tools: ['state::get'], max_steps: 2 })
    model.script(() => ({ tool_calls: [{ name: 'state__get', arguments: { scope: 'x', key: 'y' } }] }))
    const r = await invoke(slug, 'loop')
    expect(r.body.status).toBe('failed')
    expect(r.body.error.code).toBe('AGENT_STEP_LIMIT')
    expect(await artifact(r.body.id, 'issues.md')).toContain('max_steps (2)')
  }, 60_000)

  it('stops when the token budget is spent with AGENT_TOKEN_BUDGET', async () => {
    const slug = await agent({ tools: ['state::get'], token_budget: 40 })
    model.script(() => ({ tool_calls: [{ name: 'state__get', arguments: { scope: 'x', key: 'y' } }] }))
    model.requests.length = 0
    const r = await invoke(slug, 'spend')
    expect(r.body.error.code).toBe('AGENT_TOKEN_BUDGET')
    expect(model.requests).toHaveLength(3) // 15 + 15 + 15 > 40
    expect(model.requests[2]!.body['max_tokens']).toBe(10)
  }, 60_000)

  it('refuses a tool the starter’s key may not run, tells the model, and records it', async () => {
    const key = await s.createKey('acme', ['read', 'execute'])
    const slug = await agent({ tools: ['state::set'] })
    model.script([
      { tool_calls: [{ name: 'state__set', arguments: { scope: 's', key: 'k', value: 1 } }] },
      { content: 'I may not write.' },
    ])
    model.requests.length = 0
    const r = await invoke(slug, 'write something', key)
    expect(r.body.status, JSON.stringify(r.body)).toBe('succeeded')
    const fed = JSON.parse(String(model.requests[1]!.body.messages.find((m) => m.role === 'tool')!.content))
    expect(fed.error.code).toBe('FORBIDDEN')
    expect(await artifact(r.body.id, 'issues.md')).toContain('tool state__set refused')
    const steps = await s.api('GET', `/api/acme/${slug}/ops/runs/${r.body.id}/steps`)
    expect(steps.body.steps[1]).toMatchObject({ kind: 'tool', status: 'refused' })
  }, 60_000)

  it('checks the final answer against output_schema and asks again on a mismatch', async () => {
    const slug = await agent({
      output_schema: { type: 'object', required: ['total'], properties: { total: { type: 'number' } } },
    })
    model.script([{ content: '{"sum": 3}' }, { content: '```json\n{"total": 3}\n```' }])
    model.requests.length = 0
    const r = await invoke(slug, 'total?')
    expect(r.body.output).toEqual({ total: 3 })
    expect(model.requests[0]!.body['response_format']).toMatchObject({ type: 'json_schema' })
    expect(String(model.requests[1]!.body.messages.at(-1)!.content)).toContain(
      'does not satisfy the output schema',
    )
  }, 60_000)

  it('ends the run AGENT_KEY_REFUSED when the starter’s key is revoked mid-run', async () => {
    const key = await s.createKey('acme', ['execute', 'write'])
    const slug = await agent({ tools: ['state::set'] })
    let release = () => {}
    const held = new Promise<void>((r) => {
      release = r
    })
    model.script([
      {
        chunks: ['thinking'],
        holdAfterFirst: held,
        tool_calls: [{ name: 'state__set', arguments: { scope: 's', key: 'k', value: 2 } }],
      },
    ])
    const before = model.requests.length
    const started = await s.api('POST', `/api/acme/${slug}/ops/invoke`, 'go', { key })
    expect(started.status).toBe(201)
    const deadline = Date.now() + 30_000
    while (model.requests.length === before && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20))
    const keys = await s.api('GET', '/api/acme/ops/api_keys')
    const id = keys.body.api_keys.find((k: { name: string }) => k.name === 'test execute,write').id
    expect((await s.api('DELETE', `/api/acme/ops/api_keys/${id}`)).status).toBe(200)
    release()
    const run = await s.api('GET', `/api/v1/runs/${started.body.id}?wait=30`)
    expect(run.body.status).toBe('failed')
    expect(run.body.error.code).toBe('AGENT_KEY_REFUSED')
    expect(await artifact(started.body.id, 'issues.md')).toContain('revoked')
  }, 60_000)

  it('ends the run AGENT_TIMEOUT after timeout_s', async () => {
    const slug = await agent({ timeout_s: 1 })
    model.script([{ hang: true }])
    const r = await invoke(slug, 'slow')
    expect(r.body.status).toBe('failed')
    expect(r.body.error.code).toBe('AGENT_TIMEOUT')
  }, 60_000)

  it('fails AGENT_MODEL_ERROR when the model answers an error, and estimates usage a server does not send', async () => {
    const slug = await agent({})
    model.script(() => ({ status: 500 }))
    const r = await invoke(slug, 'hello')
    expect(r.body.status).toBe('failed')
    expect(r.body.error.code).toBe('AGENT_MODEL_ERROR')
    expect(await artifact(r.body.id, 'issues.md')).toContain('the model call failed')
    model.script([{ content: 'hi there', usage: null }])
    const ok = await invoke(slug, 'hello')
    expect(ok.body.output).toEqual({ text: 'hi there' })
    const steps = await s.api('GET', `/api/v1/runs/${ok.body.id}/steps`)
    expect(steps.body.steps[0].tokens).toMatchObject({ estimated: true, total: expect.any(Number) })
  }, 60_000)

  it('refuses at write a tool that cannot run and a model address the outbound policy denies; a missing tool fails the run', async () => {
    expect(
      (await s.api('POST', '/api/acme', { element_type: 'variable', slug: 'just-data', spec: { value: 1 } }))
        .status,
    ).toBe(201)
    const r = await s.api('POST', '/api/acme', {
      element_type: 'agent',
      slug: 'bad-tools',
      spec: { model: { base_url: model.baseUrl, model: 'm' }, tools: ['acme/just-data'] },
    })
    expect(r.status).toBe(400)
    expect(r.body.error.code).toBe('AGENT_TOOL_INVALID')
    // An element that is not there yet is accepted (made later, imported in another order) …
    const early = await s.api('POST', '/api/acme', {
      element_type: 'agent',
      slug: 'early-agent',
      spec: { model: { base_url: model.baseUrl, model: 'm' }, tools: ['acme/not-yet'] },
    })
    expect(early.status).toBe(201)
    // … and a run while it is still missing fails, naming it.
    const ran = await s.api('POST', '/api/acme/early-agent/ops/invoke?wait_for_completion=30', 'hi')
    expect(ran.body.status).toBe('failed')
    expect(ran.body.error.code).toBe('AGENT_TOOL_INVALID')
    expect(ran.body.error.message).toContain('acme/not-yet')
    const blocked = await s.api('POST', '/api/acme', {
      element_type: 'agent',
      slug: 'blocked-model',
      spec: { model: { base_url: 'http://127.0.0.1:1/v1', model: 'm' } },
    })
    expect(blocked.status).toBe(403)
    expect(blocked.body.error.code).toBe('OUTBOUND_ADDRESS_BLOCKED')
  })
})
