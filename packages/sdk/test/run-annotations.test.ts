// client.runs.feedback, .expected, .comparison and .trace against a real server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../../server/test/test-server.ts'
import { ConflictError, NotFoundError, PeriodicClient, ValidationError } from '../src/index.ts'

let server: TestServer
let client: PeriodicClient
let runId: string

beforeAll(async () => {
  server = await startTestServer()
  client = new PeriodicClient({ baseUrl: server.url, apiKey: server.adminKey })
  await client.elements.create('', { element_type: 'circle', slug: 'acme' })
  await client.elements.create('acme', {
    element_type: 'python',
    slug: 'hello',
    spec: { source: { type: 'inline', code: 'def handler(input):\n  print("hi")\n  return input\n' } },
  })
  runId = (await client.run('acme/hello', { total: 3, items: ['a'] }, { waitForCompletion: 60 })).id
})

afterAll(async () => {
  await server?.close()
})

describe('client.runs annotations', () => {
  it('updates (merging by default, replacing on request), gets and clears feedback', async () => {
    expect((await client.runs.feedback.get(runId)).rating).toBeNull()
    await client.runs.feedback.update(runId, { rating: 1, comment: 'good', labels: ['smoke'] })
    const merged = await client.runs.feedback.update(runId, { comment: 'still good' })
    expect(merged).toMatchObject({ run_id: runId, rating: 1, comment: 'still good', labels: ['smoke'] })
    const replaced = await client.runs.feedback.update(runId, { rating: -1 }, { replace: true })
    expect(replaced).toMatchObject({ rating: -1, comment: null, labels: [] })
    await client.runs.feedback.clear(runId)
    expect((await client.runs.feedback.get(runId)).updated_at).toBeNull()
    await expect(client.runs.feedback.update(runId, { rating: 7 as never })).rejects.toBeInstanceOf(
      ValidationError,
    )
  })

  it('manages expected documents and compares the output with the expected output', async () => {
    await expect(client.runs.comparison.get(runId)).rejects.toMatchObject({
      code: 'EXPECTED_OUTPUT_NOT_FOUND',
      status: 404,
    })
    const copied = await client.runs.expected.copyOutput(runId)
    expect(copied.name).toBe('output')
    expect((await client.runs.comparison.get(runId)).match).toBe(true)

    await client.runs.expected.upload(runId, 'output', { total: 4, items: ['a'] })
    const diff = await client.runs.comparison.get(runId)
    expect(diff.match).toBe(false)
    expect(diff.fields.find((f) => f.path === '$.total')).toMatchObject({
      expected: 4,
      actual: 3,
      status: 'different',
    })

    await client.runs.expected.upload(runId, 'draft', null)
    expect(await client.runs.expected.download(runId, 'draft')).toBeNull()
    await expect(client.runs.expected.rename(runId, 'draft', 'output')).rejects.toBeInstanceOf(ConflictError)
    expect((await client.runs.expected.rename(runId, 'draft', 'final')).name).toBe('final')
    expect((await client.runs.expected.list(runId)).map((d) => d.name)).toEqual(['final', 'output'])
    await client.runs.expected.delete(runId, 'final')
    await expect(client.runs.expected.download(runId, 'final')).rejects.toBeInstanceOf(NotFoundError)
    await expect(client.runs.expected.upload(runId, '../escape', {})).rejects.toMatchObject({
      code: 'INVALID_EXPECTED_NAME',
    })
  })

  it('gets the run trace', async () => {
    const trace = await client.runs.trace.get(runId)
    expect(trace.events.map((e) => e.type)).toEqual(['created', 'started', 'ended'])
    expect(trace.logs.stdout).toBe(1)
    expect(trace.attempts).toBe(1)
  })
})
