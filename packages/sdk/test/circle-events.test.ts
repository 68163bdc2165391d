// client.events(circle) against a real server: events in order, the types filter, resume with
// lastEventId, reset for an id the server no longer knows, and the end when signal aborts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../../server/test/test-server.ts'
import { type CircleEvent, PeriodicClient } from '../src/index.ts'

let server: TestServer
let client: PeriodicClient

beforeAll(async () => {
  server = await startTestServer()
  client = new PeriodicClient({ baseUrl: server.url, apiKey: server.adminKey })
  await client.elements.create('', { element_type: 'circle', slug: 'acme' })
})
afterAll(async () => {
  server?.platform.app.server.closeAllConnections()
  await server?.close()
})

/** Collects up to `n` events of the iterable (stopping it then). */
async function take(events: AsyncIterable<CircleEvent>, n: number): Promise<CircleEvent[]> {
  const got: CircleEvent[] = []
  for await (const e of events) {
    got.push(e)
    if (got.length >= n) break
  }
  return got
}

describe('client.events', () => {
  it('yields the circle events in order, filtered by type, and resumes after an id', async () => {
    // An id the server does not know: the stream answers `reset` first, so it is live after it.
    const it = client.events('acme', { types: ['element.'], lastEventId: '0-0' })[Symbol.asyncIterator]()
    expect((await it.next()).value).toMatchObject({ type: 'reset' })
    await client.elements.create('acme', { element_type: 'variable', slug: 'v' })
    await client.elements.update('acme/v', { spec: { value: 1 } })
    await client.elements.update('acme/v', { spec: { value: 2 } })
    const got: CircleEvent[] = []
    for (let i = 0; i < 3; i++) got.push((await it.next()).value as CircleEvent)
    await it.return?.()
    expect(got.map((e) => [e.type, e.element_path, e.version])).toEqual([
      ['element.created', 'acme/v', 1],
      ['element.updated', 'acme/v', 2],
      ['element.updated', 'acme/v', 3],
    ])
    const resumed = await take(client.events('acme', { lastEventId: got[0]!.id, types: ['element.'] }), 2)
    expect(resumed.map((e) => e.id)).toEqual([got[1]!.id, got[2]!.id])
  })

  it('yields reset when the id is no longer known', async () => {
    const [first] = await take(client.events('acme', { lastEventId: '1-1' }), 1)
    expect(first).toMatchObject({ type: 'reset', data: { reason: expect.any(String) } })
  })
})
