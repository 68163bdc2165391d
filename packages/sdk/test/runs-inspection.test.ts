// The SDK's newer runs surface against a real server: batch and example ids and the list
// filters, `finished` and runs.waitForCompletion, a rerun that waits, connect, definition,
// compare, and feedback.resolve; runs started through the SDK record `source: sdk`.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../../server/test/test-server.ts'
import { isFinished, NotFoundError, PeriodicClient, type RunEvent } from '../src/index.ts'

let server: TestServer
let client: PeriodicClient

beforeAll(async () => {
  server = await startTestServer()
  client = new PeriodicClient({ baseUrl: server.url, apiKey: server.adminKey })
  await client.elements.create('', { element_type: 'circle', slug: 'acme' })
  await client.elements.create('acme', {
    element_type: 'python',
    slug: 'hello',
    spec: {
      source: {
        type: 'inline',
        code: 'import time\ndef handler(input):\n  print("hi", flush=True)\n  time.sleep(input.get("sleep", 0))\n  return input\n',
      },
    },
  })
})

afterAll(async () => {
  await server?.close()
})

describe('client.runs: filters, waiting and inspection', () => {
  it('records batch and example ids and the sdk source, and filters on them', async () => {
    const batch = `b-${randomUUID()}`
    const a = await client.run(
      'acme/hello',
      { n: 1 },
      { batchId: batch, exampleId: 'inv-1', waitForCompletion: 30 },
    )
    const b = await client.run(
      'acme/hello',
      { n: 2 },
      { batchId: batch, exampleId: 'inv-2', waitForCompletion: 30 },
    )
    expect(a).toMatchObject({ batch_id: batch, example_id: 'inv-1', source: 'sdk', finished: true })
    const page = await client.runs.list({ batch_id: batch, source: 'sdk', type: 'python' })
    expect(page.runs.map((r) => r.id)).toEqual([b.id, a.id])
    const one = await client.runs.list({ batch_id: batch, example_id_contains: '-1' })
    expect(one.runs.map((r) => r.id)).toEqual([a.id])
    const skipped = await client.runs.list({ batch_id: batch, offset: 1 })
    expect(skipped.runs.map((r) => r.id)).toEqual([a.id])
  })

  it('waits until the run is finished, and reruns waiting for the result', async () => {
    const started = await client.run('acme/hello', { sleep: 0.3 })
    expect(isFinished(started)).toBe(false)
    const done = await client.runs.waitForCompletion(started.id, { timeoutMs: 30_000 })
    expect(done).toMatchObject({ status: 'succeeded', finished: true, execution: { status: 'succeeded' } })
    expect(done.timing.duration_ms).toBeGreaterThanOrEqual(300)
    const again = await client.rerun(started.id, { waitForCompletion: 30 })
    expect(again).toMatchObject({ status: 'succeeded', trigger: 'rerun', output: { sleep: 0.3 } })
    const atDraft = await client.rerun(started.id, { ref: 'draft', waitForCompletion: 30 })
    expect(atDraft).toMatchObject({ status: 'succeeded', source_ref: 'draft' })
  })

  it('connects to a run’s live events', async () => {
    const started = await client.run('acme/hello', {})
    const events: RunEvent[] = []
    for await (const e of client.runs.connect(started.id)) events.push(e)
    expect(events.filter((e) => e.event === 'log').map((e) => (e.data as { line: string }).line)).toEqual([
      'hi',
    ])
    expect(events.at(-1)).toMatchObject({ event: 'status', data: { status: 'succeeded', finished: true } })
  })

  it('reads the definition a run executed, and compares runs', async () => {
    const a = await client.run('acme/hello', { total: 1 }, { waitForCompletion: 30 })
    const b = await client.run('acme/hello', { total: 2 }, { waitForCompletion: 30 })
    const d = await client.runs.definition(a.id)
    expect(d).toMatchObject({ run_id: a.id, element_type: 'python', captured: 'source_commit' })
    const c = await client.runs.compare([a.id, b.id])
    expect(c.comparisons[0]).toMatchObject({ run_id: b.id, match: false })
    expect(c.comparisons[0]!.summary.different).toBe(1)
    await expect(client.runs.definition(randomUUID())).rejects.toBeInstanceOf(NotFoundError)
  })

  it('resolves and reopens feedback', async () => {
    const run = await client.run('acme/hello', {}, { waitForCompletion: 30 })
    await client.runs.feedback.update(run.id, { rating: -1 })
    const resolved = await client.runs.feedback.resolve(run.id, { note: 'known issue' })
    expect(resolved).toMatchObject({ resolved: true, resolution_note: 'known issue' })
    const reopened = await client.runs.feedback.resolve(run.id, { resolved: false })
    expect(reopened.resolved).toBe(false)
  })
})
