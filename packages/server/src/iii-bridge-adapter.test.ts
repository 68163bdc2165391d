// iii's `bridge` adapter, Periodic → Periodic: the edge server's iii config bridges its circle's
// state and streams to a hub server over the worker protocol. Real iii-sdk workers on both sides:
// the edge's writes land in the hub's store, fire the hub's change triggers and the edge's own.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type IIIClient, registerWorker } from 'iii-sdk'
import type { Kysely } from 'kysely'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../test/test-server.ts'
import { BridgeClient } from './engine/bridge-client.ts'
import { eventually, waitForTrigger } from './engine/engine-test-kit.ts'
import { parseIiiConfig } from './engine/iii-config.ts'
import { OutboundPolicy } from './net/outbound-policy.ts'

let hub: TestServer
let edge: TestServer
const edgeLog: any[] = []
const workers: IIIClient[] = []

function configFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'periodic-iii-bridge-')), 'config.yaml')
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

beforeAll(async () => {
  hub = await startTestServer({
    env: {
      PERIODIC_III_CONFIG: configFile(
        'circle: hub\nworkers:\n  - name: iii-worker-manager\n    config: { port: 0 }\n',
      ),
    },
  })
  const hubPort = hub.platform.iii!.workerPorts[0]
  const bridge = `ws://127.0.0.1:${hubPort}`
  const logger = pino({ level: 'info' }, { write: (s: string) => void edgeLog.push(JSON.parse(s)) })
  edge = await startTestServer({
    env: {
      PERIODIC_III_CONFIG: configFile(`circle: edge
workers:
  - name: iii-worker-manager
    config: { port: 0 }
  - name: iii-state
    config: { adapter: { name: bridge, config: { bridge_url: "${bridge}" } } }
  - name: iii-stream
    config: { port: 0, adapter: { name: bridge, config: { bridge_url: "${bridge}" } } }
`),
      // The hub is on loopback: the edge's outbound policy must allow it.
      PERIODIC_OUTBOUND_ALLOW: `127.0.0.1:${hubPort}`,
    },
    start: { logger },
  })
})
afterAll(async () => {
  await Promise.all(workers.map((w) => w.shutdown().catch(() => {})))
  await edge?.close()
  await hub?.close()
})

describe('iii bridge adapter (Periodic → Periodic)', () => {
  it('accepts the bridge on iii-state and iii-stream without a "not supported" warning', () => {
    expect(edgeLog.filter((l) => String(l.msg).includes('not supported'))).toEqual([])
  })

  it('forwards state and stream operations to the other engine; change triggers fire on both', async () => {
    const hubWorker = worker(hub)
    const edgeWorker = worker(edge)
    const hubEvents: any[] = []
    const edgeEvents: any[] = []
    hubWorker.registerFunction('hub::on-cart', async (e: any) => void hubEvents.push(e))
    hubWorker.registerTrigger({ type: 'state', function_id: 'hub::on-cart', config: { scope: 'carts' } })
    edgeWorker.registerFunction('edge::on-cart', async (e: any) => void edgeEvents.push(e))
    edgeWorker.registerTrigger({ type: 'state', function_id: 'edge::on-cart', config: { scope: 'carts' } })
    await waitForTrigger(hubWorker, 'hub::on-cart')
    await waitForTrigger(edgeWorker, 'edge::on-cart')
    const call = (function_id: string, payload: unknown) => edgeWorker.trigger({ function_id, payload })

    await call('state::set', { scope: 'carts', key: 'c1', value: { n: 1 } })
    expect(
      await call('state::update', {
        scope: 'carts',
        key: 'c1',
        ops: [{ type: 'increment', path: 'n', by: 1 }],
      }),
    ).toMatchObject({ new_value: { n: 2 } })
    expect(await call('state::get', { scope: 'carts', key: 'c1' })).toEqual({ n: 2 })
    expect(await call('state::list_groups', {})).toEqual({ groups: ['carts'] })
    await call('stream::set', { stream_name: 'chat', group_id: 'room', item_id: 'm1', data: { text: 'hi' } })

    // The items are the hub's: its own workers read them, and the edge's database holds none.
    const read = (function_id: string, payload: unknown) => hubWorker.trigger({ function_id, payload })
    expect(await read('state::get', { scope: 'carts', key: 'c1' })).toEqual({ n: 2 })
    expect(await read('stream::get', { stream_name: 'chat', group_id: 'room', item_id: 'm1' })).toEqual({
      text: 'hi',
    })
    const db = edge.platform.storage.kysely as unknown as Kysely<{ engine_items: { item_key: string } }>
    expect(await db.selectFrom('engine_items').select('item_key').execute()).toEqual([])

    const types = (es: any[]) => es.map((e) => e.event_type)
    await eventually(() => expect(types(hubEvents)).toEqual(['state:created', 'state:updated']))
    await eventually(() => expect(types(edgeEvents)).toEqual(['state:created', 'state:updated']))

    await call('state::delete', { scope: 'carts', key: 'c1' })
    expect((await read('state::get', { scope: 'carts', key: 'c1' })) ?? null).toBeNull()
  })

  it('reads bridge_url as iii does and refuses a bridge the outbound policy does not allow', async () => {
    const c = parseIiiConfig('workers:\n  - name: iii-state\n    config: { adapter: { name: bridge } }\n')
    expect(c).toMatchObject({ bridges: [{ kind: 'state', url: 'ws://localhost:49134/' }], unsupported: [] })
    expect(() =>
      parseIiiConfig(
        'workers:\n  - name: iii-state\n    config: { adapter: { name: bridge, config: { bridge_url: "http://x" } } }\n',
      ),
    ).toThrow(/bridge_url must be a ws/)
    const blocked = new BridgeClient('ws://10.1.2.3:49134', new OutboundPolicy(), 1000)
    await expect(blocked.call('state::get', { scope: 's', key: 'k' })).rejects.toMatchObject({
      code: 'outbound_address_blocked',
    })
    blocked.close()
  })
})
