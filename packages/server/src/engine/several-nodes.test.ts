// Engine change events across nodes: two platforms on one database and one Redis (a prefix of
// this test's own). A write through a worker on node A fires the state and stream triggers a
// worker registered on node B — once each, not once per node. Also functions, stream::send events
// and publishes across nodes, and engine::functions::list showing the other nodes' functions.
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type IIIClient, registerWorker } from 'iii-sdk'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { redisAnswers, TEST_REDIS_URL } from '../../test/test-redis.ts'
import { connect, wsUrl } from '../../test/ws-test-client.ts'
import { parseConfig } from '../config.ts'
import { type Platform, startPlatform } from '../main.ts'
import { eventually, waitForFunction, waitForTrigger } from './engine-test-kit.ts'

const HAVE_REDIS = await redisAnswers('engine several-nodes')
const ADMIN = `admin-${randomBytes(12).toString('hex')}`

describe.skipIf(!HAVE_REDIS)('engine change events on several nodes (Redis)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'periodic-engine-nodes-'))
  const env = {
    PERIODIC_ADMIN_KEY: ADMIN,
    PERIODIC_RATE_LIMIT: '0',
    REDIS_URL: TEST_REDIS_URL,
    PERIODIC_REDIS_PREFIX: `t${randomBytes(6).toString('hex')}:`,
  }
  const nodes: Platform[] = []
  const workers: IIIClient[] = []
  let key = ''

  const worker = (node: Platform) => {
    const w = registerWorker(node.engineUrl, {
      headers: { authorization: `Bearer ${key}` },
      otel: { enabled: false },
      enableMetricsReporting: false,
    })
    workers.push(w)
    return w
  }

  beforeAll(async () => {
    // One SQLite file for both nodes: the same data directory.
    for (let i = 0; i < 2; i++)
      nodes.push(
        await startPlatform(parseConfig(['--port', '0', '--data-dir', dir], env), {
          logger: pino({ level: 'silent' }),
        }),
      )
    const headers = { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }
    const post = async (path: string, body: unknown) => {
      const r = await fetch(nodes[0]!.url + path, { method: 'POST', headers, body: JSON.stringify(body) })
      if (r.status >= 300) throw new Error(`${path}: ${r.status} ${await r.text()}`)
      return (await r.json()) as Record<string, any>
    }
    await post('/api', { element_type: 'circle', slug: 'acme' })
    const k = await post('/api/acme/ops/api_keys', { name: 'nodes', scopes: ['read', 'write', 'execute'] })
    key = k['key']
  })
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.shutdown().catch(() => {})))
    for (const n of nodes) await n.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('fires node B’s state and stream triggers for a write made on node A, once each', async () => {
    const onB = worker(nodes[1]!)
    const seen: Array<{ kind: string; e: any }> = []
    onB.registerFunction('nodes::on-state', async (e: unknown) => {
      seen.push({ kind: 'state', e })
      return null
    })
    onB.registerFunction('nodes::on-stream', async (e: unknown) => {
      seen.push({ kind: 'stream', e })
      return null
    })
    onB.registerTrigger({ type: 'state', function_id: 'nodes::on-state', config: { scope: 'carts' } })
    onB.registerTrigger({ type: 'stream', function_id: 'nodes::on-stream', config: { stream_name: 'chat' } })
    await waitForFunction(onB, 'nodes::on-stream')
    await eventually(async () => {
      const r = await onB.trigger<unknown, { registered_triggers: unknown[] }>({
        function_id: 'engine::registered-triggers::list',
        payload: {},
      })
      if (r.registered_triggers.length < 2) throw new Error('triggers not registered yet')
    })

    const onA = worker(nodes[0]!)
    await onA.trigger({
      function_id: 'state::set',
      payload: { scope: 'carts', key: 'u1', value: { items: 1 } },
    })
    await onA.trigger({
      function_id: 'stream::set',
      payload: { stream_name: 'chat', group_id: 'room1', item_id: 'm1', data: { text: 'hi' } },
    })
    await eventually(() => expect(seen).toHaveLength(2))
    const state = seen.find((s) => s.kind === 'state')!.e
    expect(state).toMatchObject({ scope: 'carts', key: 'u1', new_value: { items: 1 } })
    const stream = seen.find((s) => s.kind === 'stream')!.e
    expect(stream).toMatchObject({ streamName: 'chat', groupId: 'room1', id: 'm1' })
    // A write on B itself fires B's trigger once (handled in process, not again from Redis).
    await onB.trigger({ function_id: 'state::set', payload: { scope: 'carts', key: 'u2', value: 2 } })
    await eventually(() => expect(seen).toHaveLength(3))
    await new Promise((r) => setTimeout(r, 200))
    expect(seen).toHaveLength(3)
  })

  it('calls a function a worker serves on the other node, with its errors, until the worker goes', async () => {
    const server = worker(nodes[1]!)
    server.registerFunction('nodes::double', async (x: { n: number; traced?: boolean }) => {
      if (x.n < 0) throw new Error('negative')
      return { n: x.n * 2 }
    })
    await waitForFunction(server, 'nodes::double')
    const caller = worker(nodes[0]!)
    const result = await eventually(() =>
      caller.trigger<unknown, { n: number }>({ function_id: 'nodes::double', payload: { n: 21 } }),
    )
    expect(result).toEqual({ n: 42 })
    await expect(caller.trigger({ function_id: 'nodes::double', payload: { n: -1 } })).rejects.toMatchObject({
      message: expect.stringContaining('negative'),
    })
    await server.shutdown()
    await eventually(async () => {
      const err = await caller.trigger({ function_id: 'nodes::double', payload: { n: 1 } }).then(
        () => null,
        (e: unknown) => e,
      )
      expect(err).toMatchObject({ code: 'function_not_found' })
    })
  })

  it('streams a write made on node A to a browser subscribed on node B', async () => {
    const c = await connect(wsUrl(nodes[1]!.url, `/streams/acme?token=${key}`))
    c.ws.send(
      JSON.stringify({ type: 'join', data: { subscriptionId: 's', streamName: 'chat', groupId: 'lobby' } }),
    )
    expect(await c.next()).toMatchObject({ event: { type: 'sync', data: [] } })
    const onA = worker(nodes[0]!)
    await onA.trigger({
      function_id: 'stream::set',
      payload: { stream_name: 'chat', group_id: 'lobby', item_id: 'm1', data: { text: 'across' } },
    })
    expect(await c.next()).toMatchObject({ id: 'm1', event: { type: 'create', data: { text: 'across' } } })
    c.ws.close()
  })

  it('sends a stream::send event made on node A to a browser subscribed on node B, once', async () => {
    const c = await connect(wsUrl(nodes[1]!.url, `/streams/acme?token=${key}`))
    c.ws.send(
      JSON.stringify({ type: 'join', data: { subscriptionId: 's', streamName: 'chat', groupId: 'typing' } }),
    )
    expect(await c.next()).toMatchObject({ event: { type: 'sync', data: [] } })
    const onA = worker(nodes[0]!)
    const sent = (type: string) =>
      onA.trigger({
        function_id: 'stream::send',
        payload: { stream_name: 'chat', group_id: 'typing', type, data: { user: 'ada' } },
      })
    await sent('typing')
    expect(await c.next()).toMatchObject({
      type: 'stream',
      streamName: 'chat',
      groupId: 'typing',
      id: null,
      event: { type: 'event', event: { type: 'typing', data: { user: 'ada' } } },
    })
    // Sent on B itself: delivered in process, not again from Redis (the next event comes first).
    const onB = worker(nodes[1]!)
    await onB.trigger({
      function_id: 'stream::send',
      payload: { stream_name: 'chat', group_id: 'typing', type: 'local', data: null },
    })
    await sent('after')
    expect((await c.next()).event.event.type).toBe('local')
    expect((await c.next()).event.event.type).toBe('after')
    expect(c.pending()).toEqual([])
    c.ws.close()
  })

  it('lists the functions node B’s workers serve on node A, with their registration, until they go', async () => {
    const onB = worker(nodes[1]!)
    onB.registerFunction('nodes::listed-public', async () => null, {
      description: 'served on B',
      metadata: { team: 'b' },
    })
    onB.registerFunction('nodes::listed-private', async () => null)
    await waitForFunction(onB, 'nodes::listed-private')
    const onA = worker(nodes[0]!)
    const listOnA = async (w: IIIClient) =>
      (
        await w.trigger<unknown, { functions: Array<Record<string, unknown>> }>({
          function_id: 'engine::functions::list',
          payload: {},
        })
      ).functions.filter((f) => String(f['function_id']).startsWith('nodes::listed'))
    await eventually(async () => expect(await listOnA(onA)).toHaveLength(2))
    expect(await listOnA(onA)).toEqual([
      {
        function_id: 'nodes::listed-private',
        description: null,
        request_format: null,
        response_format: null,
        metadata: null,
        namespace: 'default',
        worker_name: 'nodes',
      },
      {
        function_id: 'nodes::listed-public',
        description: 'served on B',
        request_format: null,
        response_format: null,
        metadata: { team: 'b' },
        namespace: 'default',
        worker_name: 'nodes',
      },
    ])
    expect(
      await onA.trigger({
        function_id: 'engine::functions::info',
        payload: { function_id: 'nodes::listed-public' },
      }),
    ).toMatchObject({ description: 'served on B' })

    // An RBAC port on node A lists only what its policy exposes, remote functions included.
    const circle = (await nodes[0]!.storage.findCircle('acme'))!
    const port = await nodes[0]!.engine.openWorkerPort({
      circleId: circle.id,
      circleSlug: 'acme',
      host: '127.0.0.1',
      port: 0,
      rbac: {
        auth_function_id: null,
        on_function_registration_function_id: null,
        on_trigger_registration_function_id: null,
        on_trigger_type_registration_function_id: null,
        expose_functions: [{ match: 'nodes::listed-pub*' }, { match: 'engine::functions::list' }],
      },
      middlewareFunctionId: null,
    })
    const limited = registerWorker(`ws://127.0.0.1:${port.port}`, {
      otel: { enabled: false },
      enableMetricsReporting: false,
    })
    workers.push(limited)
    expect((await listOnA(limited)).map((f) => f['function_id'])).toEqual(['nodes::listed-public'])

    await onB.shutdown()
    await eventually(async () => expect(await listOnA(onA)).toEqual([]))
  })

  it('delivers a publish on node A to a subscriber on node B, once', async () => {
    const onB = worker(nodes[1]!)
    const got: unknown[] = []
    onB.registerFunction('nodes::on-news', async (d: unknown) => {
      got.push(d)
      return null
    })
    onB.registerTrigger({ type: 'subscribe', function_id: 'nodes::on-news', config: { topic: 'news' } })
    await waitForTrigger(onB, 'nodes::on-news')
    const onA = worker(nodes[0]!)
    await onA.trigger({ function_id: 'publish', payload: { topic: 'news', data: { headline: 'across' } } })
    await eventually(() => expect(got).toEqual([{ headline: 'across' }]))
    // And on B itself: delivered in process, not again from Redis.
    await onB.trigger({ function_id: 'publish', payload: { topic: 'news', data: { headline: 'local' } } })
    await eventually(() => expect(got).toHaveLength(2))
    await new Promise((r) => setTimeout(r, 200))
    expect(got).toEqual([{ headline: 'across' }, { headline: 'local' }])
  })
})
