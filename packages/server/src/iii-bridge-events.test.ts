// iii's stream bridge carries change events, Periodic → Periodic: the edge server's iii-stream
// bridges to a hub server and subscribes to the hub's `stream.events`. Real iii-sdk workers on
// both sides and a real stream client on the edge's iii-stream port: writes made directly on the
// hub reach the edge's stream triggers and subscribers; the edge's own writes through the bridge
// fire its trigger once; a dropped bridge reconnects and subscribes again.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type IIIClient, registerWorker } from 'iii-sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../test/test-server.ts'
import { connect, type TestClient } from '../test/ws-test-client.ts'
import { eventually, waitForTrigger } from './engine/engine-test-kit.ts'

let hub: TestServer
let edge: TestServer
let hubWorker: IIIClient
let edgeWorker: IIIClient
const workers: IIIClient[] = []
/** What the edge's stream trigger received, by item id. */
const edgeEvents: any[] = []
const of = (id: string) => edgeEvents.filter((e) => e.id === id)

function configFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'periodic-iii-bridge-events-')), 'config.yaml')
  writeFileSync(file, text)
  return file
}

function worker(s: TestServer): IIIClient {
  const w = registerWorker(`ws://127.0.0.1:${s.platform.iii!.workerPorts[0]}`, {
    otel: { enabled: false },
    enableMetricsReporting: false,
    reconnectionConfig: { initialDelayMs: 50, maxDelayMs: 200 },
  })
  workers.push(w)
  return w
}

const item = (item_id: string) => ({ stream_name: 'chat', group_id: 'room', item_id })
const onHub = (function_id: string, payload: unknown) => hubWorker.trigger({ function_id, payload })
const onEdge = (function_id: string, payload: unknown) => edgeWorker.trigger({ function_id, payload })

/** The hub's worker connections of the edge's stream bridge (it registers `stream::bridge::on_pub::…`). */
function bridgeConnections() {
  return [...hub.platform.engine.engine.workers.values()].filter(
    (c) => !c.closed && [...c.functions].some((f) => f.startsWith('stream::bridge::on_pub::')),
  )
}

/** The edge's stream client, joined to chat/room (its sync frame taken). */
async function subscriber(): Promise<TestClient> {
  const c = await connect(`ws://127.0.0.1:${edge.platform.iii!.streamPort}/`)
  c.ws.send(
    JSON.stringify({ type: 'join', data: { subscriptionId: 's1', streamName: 'chat', groupId: 'room' } }),
  )
  expect(await c.next()).toMatchObject({ event: { type: 'sync' } })
  return c
}

beforeAll(async () => {
  hub = await startTestServer({
    env: {
      PERIODIC_III_CONFIG: configFile(
        'circle: hub\nworkers:\n  - name: iii-worker-manager\n    config: { port: 0 }\n',
      ),
    },
  })
  const hubPort = hub.platform.iii!.workerPorts[0]
  edge = await startTestServer({
    env: {
      PERIODIC_III_CONFIG: configFile(`circle: edge
workers:
  - name: iii-worker-manager
    config: { port: 0 }
  - name: iii-stream
    config: { port: 0, adapter: { name: bridge, config: { bridge_url: "ws://127.0.0.1:${hubPort}" } } }
`),
      PERIODIC_OUTBOUND_ALLOW: `127.0.0.1:${hubPort}`,
    },
  })
  hubWorker = worker(hub)
  edgeWorker = worker(edge)
  edgeWorker.registerFunction('edge::on-chat', async (e: any) => void edgeEvents.push(e))
  edgeWorker.registerTrigger({
    type: 'stream',
    function_id: 'edge::on-chat',
    config: { stream_name: 'chat' },
  })
  await waitForTrigger(edgeWorker, 'edge::on-chat')
  // The stream bridge connects at start and subscribes to the hub's stream.events.
  await eventually(() => expect(bridgeConnections()).toHaveLength(1))
})
afterAll(async () => {
  await Promise.all(workers.map((w) => w.shutdown().catch(() => {})))
  await edge?.close()
  await hub?.close()
})

describe('iii stream bridge: change events (Periodic → Periodic)', () => {
  it('relays writes made directly on the hub to the edge’s stream triggers and subscribers', async () => {
    const c = await subscriber()
    await onHub('stream::set', { ...item('m1'), data: { text: 'hi' } })
    expect(await c.next()).toEqual({
      type: 'stream',
      timestamp: expect.any(Number),
      streamName: 'chat',
      groupId: 'room',
      id: 'm1',
      event: { type: 'create', data: { text: 'hi' } },
    })
    await onHub('stream::update', { ...item('m1'), ops: [{ type: 'set', path: 'text', value: 'yo' }] })
    expect(await c.next()).toMatchObject({ id: 'm1', event: { type: 'update', data: { text: 'yo' } } })
    await onHub('stream::delete', item('m1'))
    expect(await c.next()).toMatchObject({ id: 'm1', event: { type: 'delete', data: { text: 'yo' } } })
    await eventually(() =>
      expect(of('m1').map((e) => [e.event.type, e.event.data])).toEqual([
        ['create', { text: 'hi' }],
        ['update', { text: 'yo' }],
        ['delete', { text: 'yo' }],
      ]),
    )
    expect(of('m1')[0]).toMatchObject({ type: 'stream', streamName: 'chat', groupId: 'room', id: 'm1' })
    c.ws.close()
  })

  it('fires the edge’s trigger once, and its subscriber gets one frame, for a write through the bridge', async () => {
    const c = await subscriber()
    await onEdge('stream::set', { ...item('m2'), data: { text: 'mine' } })
    // A later direct write on the hub is the fence: everything the hub relayed before it is in.
    await onHub('stream::set', { ...item('fence'), data: {} })
    expect((await c.next()).id).toBe('m2')
    expect((await c.next()).id).toBe('fence')
    await eventually(() => expect(of('fence')).toHaveLength(1))
    expect(of('m2').map((e) => e.event)).toEqual([{ type: 'create', data: { text: 'mine' } }])
    // The item is the hub's.
    expect(await onHub('stream::get', item('m2'))).toEqual({ text: 'mine' })
    c.ws.close()
  })

  it('carries stream::send events both ways, in iii’s frame', async () => {
    // Another worker of the hub listening on stream.events sees what the edge's bridge publishes.
    const listener = worker(hub)
    const heard: any[] = []
    listener.registerFunction('hub::heard', async (m: any) => void heard.push(m))
    listener.registerTrigger({
      type: 'subscribe',
      function_id: 'hub::heard',
      config: { topic: 'stream.events' },
    })
    await waitForTrigger(listener, 'hub::heard')
    const c = await subscriber()
    const typing = (by: string) => ({ stream_name: 'chat', group_id: 'room', type: 'typing', data: { by } })

    await onHub('stream::send', typing('hub'))
    expect(await c.next()).toEqual({
      type: 'stream',
      timestamp: expect.any(Number),
      streamName: 'chat',
      groupId: 'room',
      id: null,
      event: { type: 'event', event: { type: 'typing', data: { by: 'hub' } } },
    })
    await onEdge('stream::send', typing('edge'))
    await onHub('stream::send', typing('fence'))
    expect((await c.next()).event.event.data).toEqual({ by: 'edge' })
    expect((await c.next()).event.event.data).toEqual({ by: 'fence' })
    await eventually(() =>
      expect(
        heard
          .filter((m) => m.event.type === 'event')
          .map((m) => m.event.event.data.by)
          .sort(),
      ).toEqual(['edge', 'fence', 'hub']),
    )
    // What the edge published names its bridge (iii ignores the field).
    expect(heard.find((m) => m.event.event?.data?.by === 'edge').origin).toEqual(expect.any(String))
    await listener.shutdown()
    c.ws.close()
  })

  it('subscribes again after the bridge reconnects', async () => {
    const [first] = bridgeConnections()
    first!.ws.terminate()
    await eventually(() => {
      const now = bridgeConnections()
      expect(now).toHaveLength(1)
      expect(now[0]!.id).not.toBe(first!.id)
      expect(now[0]!.triggers.size).toBe(1)
    })
    await onHub('stream::set', { ...item('m3'), data: { after: 'reconnect' } })
    await eventually(() => expect(of('m3').map((e) => e.event.data)).toEqual([{ after: 'reconnect' }]))
  })
})
