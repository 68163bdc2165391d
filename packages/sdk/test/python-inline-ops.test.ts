// client.python(path).measure/apply/scaffold/lifecycle against a real server running real
// Python: the envelope inline with its run id, a handler error as a typed error naming the run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../../server/test/test-server.ts'
import { ConflictError, PeriodicClient, ServerError } from '../src/index.ts'

let server: TestServer
let client: PeriodicClient

beforeAll(async () => {
  server = await startTestServer()
  client = new PeriodicClient({ baseUrl: server.url, apiKey: server.adminKey })
  await client.elements.create('', { element_type: 'circle', slug: 'acme' })
  const code =
    'def handler(event):\n    if event.get("fail"):\n        raise ValueError("nope")\n    return {"n": len(event)}\n'
  await client.elements.create('acme', {
    element_type: 'python',
    slug: 'det',
    spec: { source: { type: 'inline', code } },
  })
  await client.elements.create('acme', {
    element_type: 'python',
    slug: 'blank',
    spec: { source: { type: 'inline', code: '\n' } },
  })
})

afterAll(async () => {
  await server?.close()
})

describe('client.python(path) inline operations', () => {
  it('measures and applies with the envelope and run id, a handler error thrown with its run', async () => {
    const det = client.python('acme/det')
    const m = await det.measure({ a: 1, b: 2 })
    expect(m.output).toEqual({ n: 2 })
    expect((await det.run(m.runId!)).trigger).toBe('measure')
    // A payload shaped like an envelope arrives unchanged.
    expect((await det.apply({ input: { x: 1 } })).output).toEqual({ n: 1 })
    const err = await det.measure({ fail: true }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ServerError)
    expect(err).toMatchObject({ code: 'PYTHON_RUNTIME_ERROR', details: { run_id: expect.any(String) } })
  })

  it('scaffolds a draft and moves it between states', async () => {
    const blank = client.python('acme/blank')
    const s = await blank.scaffold({ template: 'basic' })
    expect(s).toMatchObject({ template: 'basic', state: 'ready' })
    expect((await blank.measure({ name: 'Ada' })).output).toEqual({ message: 'Hello, Ada!' })
    await expect(blank.scaffold()).rejects.toBeInstanceOf(ConflictError)
    expect(await blank.lifecycle('draft', { reason: 'rewriting' })).toMatchObject({
      state: 'draft',
      changed: true,
    })
    await expect(blank.lifecycle('error')).rejects.toMatchObject({ code: 'PYTHON_INVALID_TRANSITION' })
  })
})
