// Workflow tasks with effects, through HTTP: events in (POST /api/v1/events) and out (emit) to
// `listen`, `run: script` in the sandbox, sub-workflows (`run: workflow` on a block) with a
// depth limit, and `$secret` (sealed at rest, never in step records).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../../../test/test-server.ts'
import { pollRun } from '../../http/runs-api/runs-api-helpers.ts'

const doc = (name: string, body: string) =>
  `document: { dsl: '1.0.0', namespace: acme, name: ${name}, version: '1.0.0' }\n${body}`

describe('workflow tasks with effects', () => {
  let s: TestServer
  const create = async (slug: string, definition: string, extra: object = {}) => {
    const r = await s.api('POST', '/api/acme', {
      element_type: 'workflow',
      slug,
      spec: { definition, ...extra },
    })
    expect(r.status, JSON.stringify(r.body)).toBe(201)
    return r.body
  }
  const invoke = async (slug: string, input: unknown = {}, wait = 60) =>
    (await s.api('POST', `/api/acme/${slug}/ops/invoke?wait_for_completion=${wait}`, input)).body

  beforeAll(async () => {
    s = await startTestServer()
    await s.createCircle('acme')
  }, 60_000)
  afterAll(async () => s?.close())

  it('listen takes an event posted to /api/v1/events, and one emitted by another workflow', {
    timeout: 90_000,
  }, async () => {
    await create(
      'waiter',
      doc(
        'waiter',
        `do:
  - hear:
      listen: { to: { one: { with: { type: com.acme.approved, source: 'https://acme.example/approvals' } } } }
  - done: { set: { approved: '\${ .[0].amount }' } }`,
      ),
    )
    const started = await s.api('POST', '/api/acme/waiter/ops/invoke', {})
    expect(started.status).toBe(201)
    await pollRun(s, started.body.id, (r) => r.status === 'running')
    const bad = await s.api('POST', '/api/v1/events?circle=acme', { type: 'x' })
    expect(bad.status).toBe(400)
    expect(bad.body.error.code).toBe('WORKFLOW_EVENT_INVALID')
    const other = await s.api('POST', '/api/v1/events?circle=acme', {
      specversion: '1.0',
      type: 'com.acme.approved',
      source: 'elsewhere',
      data: { amount: 1 },
    })
    expect(other.status).toBe(202)
    const posted = await s.api(
      'POST',
      '/api/v1/events?circle=acme',
      { amount: 42 },
      {
        headers: {
          'ce-specversion': '1.0',
          'ce-type': 'com.acme.approved',
          'ce-source': 'https://acme.example/approvals',
          'ce-id': 'e-1',
        },
      },
    )
    expect(posted.status).toBe(202)
    const run = await pollRun(s, started.body.id)
    expect(run.status).toBe('succeeded')
    expect(run.output).toEqual({ approved: 42 })

    await create(
      'emitter',
      doc(
        'emitter',
        `do:\n  - tell: { emit: { event: { with: { type: com.acme.approved, source: 'https://acme.example/approvals', data: { amount: 7 } } } } }`,
      ),
    )
    const again = await s.api('POST', '/api/acme/waiter/ops/invoke', {
      source: 'https://acme.example/approvals',
    })
    await pollRun(s, again.body.id, (r) => r.status === 'running')
    expect((await invoke('emitter')).status).toBe('succeeded')
    expect((await pollRun(s, again.body.id)).output).toEqual({ approved: 7 })
  })

  it('run: script runs Python in the sandbox with its arguments', async () => {
    await create(
      'scripted',
      doc(
        'scripted',
        `do:
  - compute:
      run:
        script:
          language: python
          code: |
            import json, os
            print(json.dumps({"sum": sum(arguments["xs"]), "uid": os.getuid() != 0 or os.path.exists("/etc/shadow") is False}))
          arguments: { xs: '\${ .xs }' }`,
      ),
    )
    const r = await invoke('scripted', { xs: [1, 2, 3] })
    expect(r.status, JSON.stringify(r.error)).toBe('succeeded')
    expect(r.output.sum).toBe(6)
    await create(
      'badscript',
      doc('badscript', `do:\n  - x: { run: { script: { language: python, code: 'raise SystemExit(3)' } } }`),
    )
    const f = await invoke('badscript')
    expect(f.status).toBe('failed')
    expect(f.error.message).toMatch(/exited with 3/)
  })

  it('run: workflow calls a block; recursion stops at the depth limit', async () => {
    await create('double', doc('double', `do:\n  - d: { set: { n: '\${ .n * 2 }' } }`), { kind: 'block' })
    await create(
      'caller',
      doc(
        'caller',
        `do:\n  - sub: { run: { workflow: { namespace: acme, name: double, version: '1.0.0', input: { n: '\${ .n }' } } } }`,
      ),
    )
    const r = await invoke('caller', { n: 21 })
    expect(r.status, JSON.stringify(r.error)).toBe('succeeded')
    expect(r.output).toEqual({ n: 42 })
    await create(
      'loop',
      doc('loop', `do:\n  - again: { run: { workflow: { namespace: acme, name: loop, version: '1.0.0' } } }`),
    )
    const deep = await invoke('loop', {}, 120)
    expect(deep.status).toBe('failed')
    expect(JSON.stringify(deep.error)).toMatch(/nest at most 10/)
  })

  it('$secret reads sealed secrets; step records never hold their values', async () => {
    const el = await create(
      'secretive',
      doc(
        'secretive',
        `use: { secrets: [token] }\ndo:\n  - use: { set: { header: '\${ "Bearer " + $secret.token }' } }`,
      ),
      { secrets: { token: 'tok-very-secret-123' } },
    )
    expect(JSON.stringify(el)).not.toMatch(/tok-very-secret-123/)
    const r = await invoke('secretive')
    expect(r.status).toBe('succeeded')
    const steps = await s.api('GET', `/api/acme/secretive/ops/runs/${r.id}/steps`)
    expect(JSON.stringify(steps.body)).not.toMatch(/tok-very-secret-123/)
    expect(steps.body.steps[0].output.header).toBe('Bearer ***')
  })

  it('spills a large step output to an artifact of the run; the next step still reads it', async () => {
    await create(
      'bulky',
      doc(
        'bulky',
        `do:\n  - make: { set: { big: '\${ "x" * 300000 }' } }\n  - measure: { set: { n: '\${ .big | length }' } }`,
      ),
    )
    const r = await invoke('bulky')
    expect(r.status, JSON.stringify(r.error)).toBe('succeeded')
    expect(r.output).toEqual({ n: 300000 })
    const steps = await s.api('GET', `/api/acme/bulky/ops/runs/${r.id}/steps`)
    const make = steps.body.steps.find((x: { name: string }) => x.name === 'make')
    expect(make.output).toMatchObject({
      $artifact: expect.stringMatching(/^output\/make-\d+\.output\.json$/),
      stepName: 'make',
    })
    const listed = await s.api('GET', `/api/v1/runs/${r.id}/artifacts`)
    expect(JSON.stringify(listed.body)).toContain('make-')
  })

  it('call: http goes through the outbound policy: loopback and metadata addresses are refused', async () => {
    await create(
      'nosy',
      doc(
        'nosy',
        `do:\n  - peek: { call: http, with: { method: get, endpoint: 'http://169.254.169.254/latest/meta-data/' } }`,
      ),
    )
    const r = await invoke('nosy')
    expect(r.status).toBe('failed')
    expect(r.error.error).toMatchObject({ code: 'OUTBOUND_ADDRESS_BLOCKED', instance: '/do/0/peek' })
    await create(
      'loopy',
      doc('loopy', `do:\n  - peek: { call: http, with: { method: get, endpoint: '${s.url}/healthz' } }`),
    )
    const l = await invoke('loopy')
    expect(l.status).toBe('failed')
    expect(l.error.error.code).toBe('OUTBOUND_ADDRESS_BLOCKED')
  })
})
