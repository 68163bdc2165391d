// Stream subscriptions for clients, end to end: real `ws` clients at /streams/{circle}, writes
// made by a real iii-sdk worker through iii.trigger, stream:join/stream:leave triggers and the
// stream auth function served by that worker. No sleeps: a frame that must not arrive is proven
// absent by a later frame arriving first (one socket delivers in order).
import type { IIIClient } from 'iii-sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, refusal, type TestClient, wsUrl } from '../../test/ws-test-client.ts'
import {
  type EngineKit,
  eventually,
  startEngineKit,
  waitForFunction,
  waitForTrigger,
} from './engine-test-kit.ts'

let kit: EngineKit
let iii: IIIClient
let readKey: string
const joins: any[] = []

const send = (c: TestClient, m: unknown) => c.ws.send(typeof m === 'string' ? m : JSON.stringify(m))
const join = (c: TestClient, data: Record<string, unknown>) => send(c, { type: 'join', data })
const set = (group: string, item: string, data: unknown) =>
  iii.trigger({
    function_id: 'stream::set',
    payload: { stream_name: 'chat', group_id: group, item_id: item, data },
  })

/** A leave of an id nobody holds answers an error: once it arrives, every earlier frame was handled. */
async function settled(c: TestClient): Promise<void> {
  send(c, { type: 'leave', data: { subscriptionId: 'fence' } })
  expect(await c.next()).toMatchObject({
    type: 'error',
    subscriptionId: 'fence',
    code: 'subscription_not_found',
  })
}

async function client(path = `/streams/acme?token=${readKey}`): Promise<TestClient> {
  return connect(wsUrl(kit.server.url, path))
}

beforeAll(async () => {
  kit = await startEngineKit()
  readKey = await kit.server.createKey('acme', ['read'])
  iii = kit.worker()
  iii.registerFunction('streams::gate', async (e: any) => {
    joins.push(e)
    return { unauthorized: e.group_id === 'secret' }
  })
  iii.registerTrigger({ type: 'stream:join', function_id: 'streams::gate', config: {} })
  await waitForTrigger(iii, 'streams::gate')
})
afterAll(async () => kit?.close())

describe('stream subscriptions', () => {
  it('syncs the group on join, then streams create, update and delete as the writes commit', async () => {
    await set('room1', 'a', { id: 'a', text: 'hi' })
    const c = await client()
    join(c, { subscriptionId: 's1', streamName: 'chat', groupId: 'room1' })
    const sync = await c.next()
    expect(sync).toEqual({
      type: 'stream',
      streamName: 'chat',
      groupId: 'room1',
      id: null,
      timestamp: expect.any(Number),
      event: { type: 'sync', data: [{ id: 'a', text: 'hi' }] },
    })
    await set('room1', 'b', { id: 'b', text: 'yo' })
    await iii.trigger({
      function_id: 'stream::update',
      payload: {
        stream_name: 'chat',
        group_id: 'room1',
        item_id: 'b',
        ops: [{ type: 'set', path: 'text', value: 'yo!' }],
      },
    })
    await iii.trigger({
      function_id: 'stream::delete',
      payload: { stream_name: 'chat', group_id: 'room1', item_id: 'a' },
    })
    const frames = [await c.next(), await c.next(), await c.next()]
    expect(frames.map((f) => [f.id, f.event])).toEqual([
      ['b', { type: 'create', data: { id: 'b', text: 'yo' } }],
      ['b', { type: 'update', data: { id: 'b', text: 'yo!' } }],
      ['a', { type: 'delete', data: { id: 'a', text: 'hi' } }],
    ])
    expect(frames.every((f) => f.type === 'stream' && f.streamName === 'chat' && f.groupId === 'room1')).toBe(
      true,
    )
    expect(joins).toContainEqual({
      subscription_id: 's1',
      stream_name: 'chat',
      group_id: 'room1',
      id: null,
      context: null,
    })
    c.ws.close()
  })

  it('gives an item-level subscription its item only', async () => {
    const c = await client()
    join(c, { subscriptionId: 'one', streamName: 'chat', groupId: 'room2', id: 'x' })
    expect(await c.next()).toMatchObject({ groupId: 'room2', id: 'x', event: { type: 'sync', data: null } })
    await set('room2', 'y', 'not mine')
    await set('room2', 'x', 'mine')
    expect(await c.next()).toMatchObject({ id: 'x', event: { type: 'create', data: 'mine' } })
    const again = await client()
    join(again, { subscriptionId: 'one', streamName: 'chat', groupId: 'room2', id: 'x' })
    expect(await again.next()).toMatchObject({ id: 'x', event: { type: 'sync', data: 'mine' } })
    c.ws.close()
    again.ws.close()
  })

  it('stops the events of a subscription after leave', async () => {
    const c = await client()
    join(c, { subscriptionId: 'g3', streamName: 'chat', groupId: 'room3' })
    join(c, { subscriptionId: 'g4', streamName: 'chat', groupId: 'room4' })
    const syncs = [await c.next(), await c.next()]
    expect(syncs.map((s) => s.groupId).sort()).toEqual(['room3', 'room4'])
    send(c, { type: 'leave', data: { subscriptionId: 'g3' } })
    await settled(c)
    await set('room3', 'k', 1)
    await set('room4', 'k', 2)
    expect(await c.next()).toMatchObject({ groupId: 'room4', event: { type: 'create', data: 2 } })
    c.ws.close()
  })

  it('refuses a join a stream:join trigger answers unauthorized: no sync, no events', async () => {
    const c = await client()
    join(c, { subscriptionId: 'nope', streamName: 'chat', groupId: 'secret' })
    // iii's refusal first (what iii clients watch for), then the error frame naming the subscription.
    expect(await c.next()).toMatchObject({
      type: 'stream',
      streamName: 'chat',
      groupId: 'secret',
      id: null,
      event: { type: 'unauthorized' },
    })
    expect(await c.next()).toEqual({
      type: 'error',
      subscriptionId: 'nope',
      code: 'unauthorized',
      message: expect.any(String),
    })
    join(c, { subscriptionId: 'yes', streamName: 'chat', groupId: 'public' })
    expect(await c.next()).toMatchObject({ groupId: 'public', event: { type: 'sync', data: [] } })
    await set('secret', 'k', 'hidden')
    await set('public', 'k', 'shown')
    expect(await c.next()).toMatchObject({ groupId: 'public', event: { type: 'create', data: 'shown' } })
    c.ws.close()
  })

  it('answers malformed messages with error frames and keeps the socket usable', async () => {
    const c = await client()
    const cases: Array<[unknown, string]> = [
      ['not json', 'invalid_message'],
      ['[1,2]', 'invalid_message'],
      [{ type: 'subscribe', data: {} }, 'unknown_message_type'],
      [{ type: 'join' }, 'invalid_message'],
      [{ type: 'join', data: { subscriptionId: 'm1', streamName: 'chat' } }, 'invalid_message'],
      [
        { type: 'join', data: { subscriptionId: 'm2', streamName: 'x'.repeat(513), groupId: 'g' } },
        'invalid_message',
      ],
      [
        { type: 'join', data: { subscriptionId: 'm3', streamName: 'chat', groupId: 'g', id: 7 } },
        'invalid_message',
      ],
      [{ type: 'leave', data: { subscriptionId: 'never' } }, 'subscription_not_found'],
    ]
    for (const [m, code] of cases) {
      send(c, m)
      const f = await c.next()
      expect(f, JSON.stringify(m).slice(0, 80)).toMatchObject({ type: 'error', code })
      expect(f.streamName).toBeUndefined()
    }
    // An empty frame is a keep-alive (ignored); a binary frame is read as JSON, as iii does.
    send(c, '  ')
    c.ws.send(Buffer.from([1, 2, 3]), { binary: true })
    expect(await c.next()).toMatchObject({ type: 'error', code: 'invalid_message' })
    const joinOk = { type: 'join', data: { subscriptionId: 'ok', streamName: 'chat', groupId: 'room5' } }
    c.ws.send(Buffer.from(JSON.stringify(joinOk)), { binary: true })
    expect(await c.next()).toMatchObject({ event: { type: 'sync' } })
    send(c, joinOk)
    expect(await c.next()).toMatchObject({ type: 'error', subscriptionId: 'ok', code: 'subscription_exists' })
    c.ws.close()
  })

  it('closes with 1009 on an oversize frame and bounds subscriptions per connection', async () => {
    const big = await client()
    big.ws.send('x'.repeat(65 * 1024))
    expect((await big.closed).code).toBe(1009)
    const c = await client()
    for (let i = 0; i <= 256; i++) join(c, { subscriptionId: `s${i}`, streamName: 'chat', groupId: 'many' })
    const frames = await Promise.all(Array.from({ length: 257 }, () => c.next()))
    expect(frames.filter((f) => f.type === 'error')).toEqual([
      expect.objectContaining({ subscriptionId: 's256', code: 'too_many_subscriptions' }),
    ])
    c.ws.close()
  })

  it('authorizes the upgrade with a read key of the circle, as a bearer header or ?token=', async () => {
    const url = (p: string) => wsUrl(kit.server.url, p)
    expect((await refusal(url('/streams/acme'))).status).toBe(401)
    expect((await refusal(url('/streams/acme?token=wrong'))).status).toBe(401)
    expect((await refusal(url(`/streams/nowhere?token=${readKey}`))).body.error.code).toBe('CIRCLE_NOT_FOUND')
    await kit.server.createCircle('other')
    const otherKey = await kit.server.createKey('other', ['read'])
    expect((await refusal(url(`/streams/acme?token=${otherKey}`))).status).toBe(401)
    const writeOnly = await kit.server.createKey('acme', ['write'])
    expect((await refusal(url(`/streams/acme?token=${writeOnly}`))).status).toBe(403)
    const c = await connect(url('/streams/acme/'), { headers: { authorization: `Bearer ${readKey}` } })
    join(c, { subscriptionId: 'h', streamName: 'chat', groupId: 'room6' })
    expect(await c.next()).toMatchObject({ event: { type: 'sync', data: [] } })
    c.ws.close()
  })
})

describe('stream subscriptions with PERIODIC_STREAM_AUTH_FUNCTION', () => {
  let authKit: EngineKit
  let w: IIIClient
  const seen: { join: any[]; leave: any[]; auth: any[] } = { join: [], leave: [], auth: [] }

  beforeAll(async () => {
    authKit = await startEngineKit({ env: { PERIODIC_STREAM_AUTH_FUNCTION: 'auth::stream' } })
    w = authKit.worker()
    w.registerFunction('auth::stream', async (input: any) => {
      seen.auth.push(input)
      const token = input.query_params.t?.[0]
      if (token === 'null') return null
      if (token !== 'good') throw new Error('bad token')
      return { context: { user: 'ada' } }
    })
    w.registerFunction('on::join', async (e: any) => {
      seen.join.push(e)
      return { unauthorized: false }
    })
    w.registerFunction('on::leave', async (e: any) => {
      seen.leave.push(e)
      return null
    })
    // Refuses every join its condition lets through: only joins to "vip" groups.
    w.registerFunction('on::deny', async () => ({ unauthorized: true }))
    w.registerFunction('cond::vip', async (e: any) => e.group_id === 'vip')
    w.registerTrigger({ type: 'stream:join', function_id: 'on::join', config: {} })
    w.registerTrigger({ type: 'stream:leave', function_id: 'on::leave', config: {} })
    w.registerTrigger({
      type: 'stream:join',
      function_id: 'on::deny',
      config: { condition_function_id: 'cond::vip' },
    })
    await waitForTrigger(w, 'on::join')
    await waitForTrigger(w, 'on::leave')
    await waitForTrigger(w, 'on::deny')
    await waitForFunction(w, 'cond::vip')
  })
  afterAll(async () => authKit?.close())

  it('refuses the upgrade with 401 when the auth function throws or answers null', async () => {
    const url = (q: string) => wsUrl(authKit.server.url, `/streams/acme${q}`)
    expect((await refusal(url('?t=bad'))).status).toBe(401)
    expect((await refusal(url('?t=null'))).status).toBe(401)
    expect(seen.auth.at(-1)).toMatchObject({
      path: '/streams/acme',
      query_params: { t: ['null'] },
      headers: expect.objectContaining({ host: expect.any(String) }),
      addr: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
    })
  })

  it('asks a join trigger only when its condition_function_id answers true', async () => {
    const c = await connect(wsUrl(authKit.server.url, '/streams/acme?t=good'))
    join(c, { subscriptionId: 'v', streamName: 'chat', groupId: 'vip' })
    expect(await c.next()).toMatchObject({ event: { type: 'unauthorized' } })
    expect(await c.next()).toMatchObject({ type: 'error', subscriptionId: 'v', code: 'unauthorized' })
    join(c, { subscriptionId: 'p', streamName: 'chat', groupId: 'plain' })
    expect(await c.next()).toMatchObject({ groupId: 'plain', event: { type: 'sync' } })
    c.ws.close()
  })

  it('passes the auth context into join and leave triggers; leave fires on explicit leave and on disconnect', async () => {
    const c = await connect(wsUrl(authKit.server.url, '/streams/acme?t=good'))
    join(c, { subscriptionId: 'a1', streamName: 'chat', groupId: 'g' })
    join(c, { subscriptionId: 'a2', streamName: 'chat', groupId: 'g', id: 'i' })
    expect((await c.next()).event.type).toBe('sync')
    expect((await c.next()).event.type).toBe('sync')
    expect(seen.join).toContainEqual({
      subscription_id: 'a1',
      stream_name: 'chat',
      group_id: 'g',
      id: null,
      context: { user: 'ada' },
    })
    send(c, { type: 'leave', data: { subscriptionId: 'a1' } })
    const mine = () => seen.leave.filter((e) => e.subscription_id.startsWith('a'))
    await eventually(() => expect(mine().map((e) => e.subscription_id)).toEqual(['a1']))
    c.ws.close()
    await eventually(() => expect(mine().map((e) => e.subscription_id)).toEqual(['a1', 'a2']))
    expect(mine()[1]).toEqual({
      subscription_id: 'a2',
      stream_name: 'chat',
      group_id: 'g',
      id: 'i',
      context: { user: 'ada' },
    })
  })
})
