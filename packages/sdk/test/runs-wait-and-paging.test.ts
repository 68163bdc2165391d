// The client's side of long polls and paging, where a scripted server shows what is sent:
// runs.wait asks in chunks of at most 55 s and never spins; a list fetches nothing until used.
import { afterEach, describe, expect, it } from 'vitest'
import { PeriodicClient } from '../src/index.ts'
import { type FakeServer, sendJson, startFakeServer } from './fake-server.ts'

let server: FakeServer | undefined

afterEach(async () => {
  await server?.close()
  server = undefined
})

describe('runs.wait', () => {
  it('long-polls in chunks of at most 55 s until the run is terminal', async () => {
    server = await startFakeServer((_req, res, index) =>
      sendJson(res, 200, { id: 'r1', status: index < 2 ? 'running' : 'failed' }),
    )
    const client = new PeriodicClient({ baseUrl: server.url, apiKey: 'k' })
    const run = await client.runs.wait('r1', { timeoutMs: 300_000 })
    expect(run.status).toBe('failed')
    expect(server.requests.map((r) => r.url)).toEqual([
      '/api/v1/runs/r1?wait=55',
      '/api/v1/runs/r1?wait=55',
      '/api/v1/runs/r1?wait=55',
    ])
  })

  it('asks for no more than the time left, and polls gently a server that answers at once', async () => {
    server = await startFakeServer((_req, res) => sendJson(res, 200, { id: 'r1', status: 'queued' }))
    const client = new PeriodicClient({ baseUrl: server.url, apiKey: 'k' })
    const error = await client.runs.wait('r1', { timeoutMs: 2500 }).catch((e: unknown) => e)
    expect((error as { code?: string }).code).toBe('RUN_WAIT_TIMEOUT')
    expect(server.requests[0]?.url).toBe('/api/v1/runs/r1?wait=3')
    // About one request a second, not thousands.
    expect(server.requests.length).toBeLessThanOrEqual(4)
  })
})

describe('list paging', () => {
  it('fetches nothing until awaited or iterated, and sends the filters on every page', async () => {
    server = await startFakeServer((req, res) => {
      const cursor = new URL(req.url, 'http://x').searchParams.get('cursor')
      if (!cursor) sendJson(res, 200, { runs: [{ id: 'a' }, { id: 'b' }], next_cursor: 'c2', has_more: true })
      else sendJson(res, 200, { runs: [{ id: 'c' }], next_cursor: null, has_more: false })
    })
    const client = new PeriodicClient({ baseUrl: server.url, apiKey: 'k' })
    const list = client.runs.list({ status: ['failed', 'cancelled'], element_type: 'python', limit: 2 })
    await new Promise((r) => setTimeout(r, 50))
    expect(server.requests).toHaveLength(0)

    const ids: string[] = []
    for await (const run of list) ids.push(run.id)
    expect(ids).toEqual(['a', 'b', 'c'])
    expect(server.requests.map((r) => r.url)).toEqual([
      '/api/v1/runs?status=failed%2Ccancelled&element_type=python&limit=2',
      '/api/v1/runs?status=failed%2Ccancelled&element_type=python&limit=2&cursor=c2',
    ])
    // Awaiting the same list reuses its first page.
    expect((await list).runs).toHaveLength(2)
    expect(server.requests).toHaveLength(2)
  })
})
