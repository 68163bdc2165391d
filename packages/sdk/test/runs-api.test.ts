// client.run, client.rerun and client.runs against a real server's /api/v1/runs: start with
// and without waiting, idempotency, list across pages, get with expansions, wait, cancel and
// the event stream.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../../server/test/test-server.ts'
import { NotFoundError, PeriodicClient, type RunEvent, TimeoutError } from '../src/index.ts'

let server: TestServer
let client: PeriodicClient

const sleepy = [
  'import time',
  'def handler(input):',
  '  for i in range(input.get("lines", 0)):',
  '    print("line", i, flush=True)',
  '  time.sleep(input.get("sleep", 0))',
  '  return input',
].join('\n')

beforeAll(async () => {
  server = await startTestServer()
  client = new PeriodicClient({ baseUrl: server.url, apiKey: server.adminKey })
  await client.elements.create('', { element_type: 'circle', slug: 'acme' })
  for (const slug of ['hello', 'other']) {
    await client.elements.create('acme', {
      element_type: 'python',
      slug,
      spec: { source: { type: 'inline', code: sleepy } },
    })
  }
})

afterAll(async () => {
  await server?.close()
})

describe('client.run and client.runs', () => {
  it('starts a run and waits for its result', async () => {
    const run = await client.run('acme/hello', { name: 'Ada' }, { waitForCompletion: 30 })
    expect(run.status).toBe('succeeded')
    expect(run.output).toEqual({ name: 'Ada' })
    expect(run.target).toBe('acme/hello')
    expect(run.element_type).toBe('python')
  })

  it('starts a run without waiting, then runs.wait resolves with its result', async () => {
    const started = await client.run('acme/hello', { sleep: 0.3 })
    expect(['queued', 'running']).toContain(started.status)
    const done = await client.runs.wait(started.id, { timeoutMs: 30_000 })
    expect(done.status).toBe('succeeded')
    expect(done.output).toEqual({ sleep: 0.3 })
  })

  it('returns the same run for the same Idempotency-Key', async () => {
    const first = await client.run(
      'acme/hello',
      { k: 1 },
      { idempotencyKey: 'sdk-idem-1', waitForCompletion: 30 },
    )
    const again = await client.run(
      'acme/hello',
      { k: 1 },
      { idempotencyKey: 'sdk-idem-1', waitForCompletion: 30 },
    )
    expect(again.id).toBe(first.id)
  })

  it('lists one page with await and every run with for await, following next_cursor', async () => {
    for (let i = 0; i < 5; i++) await client.run('acme/other', { i }, { waitForCompletion: 30 })
    const page = await client.runs.list({ target: 'acme/other', limit: 2 })
    expect(page.runs).toHaveLength(2)
    expect(page.has_more).toBe(true)
    expect(page.next_cursor).toBeTypeOf('string')

    const inputs: unknown[] = []
    for await (const run of client.runs.list({ target: 'acme/other', limit: 2, status: ['succeeded'] }))
      inputs.push(run.output)
    expect(inputs).toEqual([4, 3, 2, 1, 0].map((i) => ({ i })))

    const pages: number[] = []
    for await (const p of client.runs.list({ target: 'acme/other', limit: 2 }).pages())
      pages.push(p.runs.length)
    expect(pages).toEqual([2, 2, 1])
  })

  it('gets a run with expansions', async () => {
    const run = await client.run('acme/hello', { e: 1 }, { waitForCompletion: 30 })
    const plain = await client.runs.get(run.id)
    expect(plain.input).toBeUndefined()
    const expanded = await client.runs.get(run.id, { expand: ['input', 'usage', 'execution'] })
    expect(expanded.input).toEqual({ e: 1 })
    expect(expanded.usage).toMatchObject({ attempts: 1 })
    expect(expanded.execution).toMatchObject({ target: 'acme/hello', operation: 'invoke' })
  })

  it('throws NotFoundError for an unknown run', async () => {
    await expect(client.runs.get('00000000-0000-4000-8000-000000000000')).rejects.toBeInstanceOf(
      NotFoundError,
    )
  })

  it('cancels a running run, and wait then resolves with it cancelled', async () => {
    const started = await client.run('acme/hello', { sleep: 30 })
    const cancelled = await client.runs.cancel(started.id)
    expect(cancelled.status).toBe('cancelled')
    expect((await client.runs.wait(started.id)).status).toBe('cancelled')
  })

  it('gives up waiting after timeoutMs with a TimeoutError, leaving the run going', async () => {
    const started = await client.run('acme/hello', { sleep: 30 })
    const error = await client.runs.wait(started.id, { timeoutMs: 1000 }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TimeoutError)
    expect((error as TimeoutError).code).toBe('RUN_WAIT_TIMEOUT')
    expect(['queued', 'running']).toContain((await client.runs.get(started.id)).status)
    await client.runs.cancel(started.id)
  })

  it('reruns a run with the same input', async () => {
    const first = await client.run('acme/hello', { again: true }, { waitForCompletion: 30 })
    const second = await client.rerun(first.id)
    expect(second.id).not.toBe(first.id)
    const done = await client.runs.wait(second.id)
    expect(done.output).toEqual({ again: true })
    const pinned = await client.runs.wait((await client.rerun(first.id, { version: 'original' })).id)
    expect(pinned.status).toBe('succeeded')
  })

  it('streams a run’s events: status, log lines with ids, and the final status', async () => {
    const run = await client.run('acme/hello', { lines: 3 }, { waitForCompletion: 30 })
    const events: RunEvent[] = []
    for await (const event of client.runs.events(run.id)) events.push(event)
    const logs = events.filter((e) => e.event === 'log')
    expect(logs.map((e) => (e.data as { line: string }).line)).toEqual(['line 0', 'line 1', 'line 2'])
    expect(logs.map((e) => e.id)).toEqual(['1', '2', '3'])
    expect(events[0]?.event).toBe('status')
    expect(events.at(-1)).toMatchObject({ event: 'status', data: { status: 'succeeded' } })

    const resumed: RunEvent[] = []
    for await (const event of client.runs.events(run.id, { lastEventId: '2' })) resumed.push(event)
    expect(resumed.filter((e) => e.event === 'log').map((e) => e.id)).toEqual(['3'])
  })

  it('follows a live run’s events until it ends', async () => {
    const started = await client.run('acme/hello', { lines: 2, sleep: 0.5 })
    const events: RunEvent[] = []
    for await (const event of client.runs.events(started.id)) events.push(event)
    expect(events.at(-1)?.data).toMatchObject({ status: 'succeeded' })
    expect(events.filter((e) => e.event === 'log')).toHaveLength(2)
  })
})
