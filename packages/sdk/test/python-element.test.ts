// client.python(path) against a real server running real Python: invoke (waiting and not),
// its runs, logs, build and cancel.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../../server/test/test-server.ts'
import { ConflictError, NotFoundError, PeriodicClient, type Run } from '../src/index.ts'

let server: TestServer
let client: PeriodicClient

const echo = 'def handler(input):\n  return input'
const chatty = 'def handler(input):\n  print("hello from", input.get("name"))\n  return {"ok": True}'
const failing = 'def handler(input):\n  raise ValueError("nope")'

beforeAll(async () => {
  server = await startTestServer()
  client = new PeriodicClient({ baseUrl: server.url, apiKey: server.adminKey })
  await client.elements.create('', { element_type: 'circle', slug: 'acme' })
  for (const [slug, code] of [
    ['hello', echo],
    ['chatty', chatty],
    ['failing', failing],
  ] as const) {
    await client.elements.create('acme', {
      element_type: 'python',
      slug,
      spec: { source: { type: 'inline', code } },
    })
  }
})

afterAll(async () => {
  await server?.close()
})

async function settled(path: string, run: Run): Promise<Run> {
  for (let i = 0; i < 100; i++) {
    const current = await client.python(path).run(run.id)
    if (['succeeded', 'failed', 'cancelled'].includes(current.status)) return current
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`run ${run.id} did not end`)
}

describe('client.python(path)', () => {
  it('invokes and waits for the result', async () => {
    const run = await client.python('acme/hello').invoke({ name: 'Ada' }, { waitForCompletion: 30 })
    expect(run.status).toBe('succeeded')
    expect(run.output).toEqual({ name: 'Ada' })
    expect(run.id).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('delivers any payload unchanged, even one with its own payload key, or a bare value', async () => {
    const hello = client.python('acme/hello')
    const wrapped = await hello.invoke({ payload: { a: 1 } }, { waitForCompletion: 30 })
    expect(wrapped.output).toEqual({ payload: { a: 1 } })
    expect((await hello.invoke({ data: { b: 2 } }, { waitForCompletion: 30 })).output).toEqual({
      data: { b: 2 },
    })
    expect((await hello.invoke([1, 2, 3], { waitForCompletion: 30 })).output).toEqual([1, 2, 3])
    expect((await hello.invoke('text', { waitForCompletion: 30 })).output).toBe('text')
    expect((await hello.invoke(undefined, { waitForCompletion: 30 })).output).toEqual({})
  })

  it('returns at once without waiting, and the run can be read afterwards', async () => {
    const started = await client.python('acme/hello').invoke({ n: 1 })
    expect(['queued', 'running', 'succeeded']).toContain(started.status)
    const done = await settled('acme/hello', started)
    expect(done.status).toBe('succeeded')
    expect(done.output).toEqual({ n: 1 })
    expect(done.input).toEqual({ n: 1 })
  })

  it('reports a handler error in the run, without throwing or retrying', async () => {
    const run = await client.python('acme/failing').invoke({}, { waitForCompletion: 30 })
    expect(run.status).toBe('failed')
    expect(run.error?.code).toBe('PYTHON_RUNTIME_ERROR')
    expect(run.attempts).toBe(1)
  })

  it('shows the logs of a run', async () => {
    const run = await client.python('acme/chatty').invoke({ name: 'Ada' }, { waitForCompletion: 30 })
    const logs = await client.python('acme/chatty').logs({ runId: run.id })
    expect(logs.runs).toHaveLength(1)
    expect(logs.runs[0]?.logs.map((l) => l.data).join('')).toContain('hello from Ada')
    const detail = await client.python('acme/chatty').run(run.id)
    expect(detail.logs.map((l) => l.data).join('')).toContain('hello from Ada')
  })

  it('lists runs newest first, one page with await and all pages with for await', async () => {
    const hello = client.python('acme/hello')
    for (let i = 0; i < 3; i++) await hello.invoke({ i }, { waitForCompletion: 30 })
    const page = await hello.runs({ limit: 2 })
    expect(page.runs).toHaveLength(2)
    expect(page.has_more).toBe(true)
    const ids: string[] = []
    for await (const run of hello.runs({ limit: 2 })) ids.push(run.id)
    expect(ids.length).toBeGreaterThanOrEqual(3)
    expect(new Set(ids).size).toBe(ids.length)
    expect(ids.slice(0, 2)).toEqual(page.runs.map((r) => r.id))
  })

  it('builds the dependency layer and reads the build back', async () => {
    const hello = client.python('acme/hello')
    const build = await hello.build({ waitForCompletion: 60 })
    expect(build.status).toBe('succeeded')
    const status = await hello.buildStatus(build.build_id)
    expect(status.build_id).toBe(build.build_id)
    expect(status.status).toBe('succeeded')
    await expect(hello.buildStatus('no-such-build')).rejects.toBeInstanceOf(NotFoundError)
  })

  it('refuses to cancel a finished run with a ConflictError', async () => {
    const run = await client.python('acme/hello').invoke({}, { waitForCompletion: 30 })
    const error = await client
      .python('acme/hello')
      .cancel(run.id)
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConflictError)
    expect((error as ConflictError).code).toBe('RUN_NOT_CANCELLABLE')
  })
})
