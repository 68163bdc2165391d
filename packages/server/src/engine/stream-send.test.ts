// `stream::send` end to end: a real iii-sdk worker sends custom events, real `ws` clients
// subscribed at /streams/{circle} receive them. No sleeps: an event that must not arrive is
// proven absent by a later event arriving first (one socket delivers in order).
import type { IIIClient } from 'iii-sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, type TestClient, wsUrl } from '../../test/ws-test-client.ts'
import { type EngineKit, startEngineKit } from './engine-test-kit.ts'

let kit: EngineKit
let iii: IIIClient
let readKey: string

const join = (c: TestClient, data: Record<string, unknown>) =>
  c.ws.send(JSON.stringify({ type: 'join', data }))
const sendEvent = (payload: Record<string, unknown>) =>
  iii.trigger<unknown, unknown>({ function_id: 'stream::send', payload: { stream_name: 'chat', ...payload } })

async function subscribed(data: Record<string, unknown>): Promise<TestClient> {
  const c = await connect(wsUrl(kit.server.url, `/streams/acme?token=${readKey}`))
  join(c, { streamName: 'chat', ...data })
  expect(await c.next()).toMatchObject({ event: { type: 'sync' } })
  return c
}

beforeAll(async () => {
  kit = await startEngineKit()
  readKey = await kit.server.createKey('acme', ['read'])
  iii = kit.worker()
})
afterAll(async () => kit?.close())

describe('stream::send', () => {
  it('delivers a custom event to the group’s subscribers as Motia’s event frame, storing nothing', async () => {
    const c = await subscribed({ subscriptionId: 'g', groupId: 'room1' })
    const answer = await sendEvent({ group_id: 'room1', type: 'typing', data: { user: 'ada' } })
    expect(answer).toBeNull()
    expect(await c.next()).toEqual({
      type: 'stream',
      streamName: 'chat',
      groupId: 'room1',
      id: null,
      timestamp: expect.any(Number),
      event: { type: 'event', event: { type: 'typing', data: { user: 'ada' } } },
    })
    // With an item id the group subscription gets it too, carrying that id; data defaults to null.
    await sendEvent({ group_id: 'room1', id: 'm1', type: 'seen' })
    expect(await c.next()).toMatchObject({
      id: 'm1',
      event: { type: 'event', event: { type: 'seen', data: null } },
    })
    const items = await iii.trigger({
      function_id: 'stream::list',
      payload: { stream_name: 'chat', group_id: 'room1' },
    })
    expect(items).toEqual([])
    c.ws.close()
  })

  it('gives an item subscription the events of its item only, not group-wide ones', async () => {
    const item = await subscribed({ subscriptionId: 'i', groupId: 'room2', id: 'x' })
    const other = await subscribed({ subscriptionId: 'o', groupId: 'room3' })
    await sendEvent({ group_id: 'room2', type: 'group-wide', data: 1 })
    await sendEvent({ group_id: 'room2', id: 'y', type: 'for-y', data: 2 })
    await sendEvent({ group_id: 'room3', type: 'elsewhere', data: 3 })
    await sendEvent({ group_id: 'room2', id: 'x', type: 'for-x', data: 4 })
    expect(await item.next()).toMatchObject({
      groupId: 'room2',
      id: 'x',
      event: { event: { type: 'for-x', data: 4 } },
    })
    // room3's subscriber saw its own event and nothing of room2 (which was sent before it).
    expect(await other.next()).toMatchObject({ groupId: 'room3', event: { event: { type: 'elsewhere' } } })
    expect([...item.pending(), ...other.pending()]).toEqual([])
    item.ws.close()
    other.ws.close()
  })

  it('stops the events of a subscription after leave, and keeps clients of other circles out', async () => {
    await kit.server.createCircle('other')
    const otherKey = await kit.server.createKey('other', ['read'])
    const foreign = await connect(wsUrl(kit.server.url, `/streams/other?token=${otherKey}`))
    join(foreign, { subscriptionId: 'f', streamName: 'chat', groupId: 'room4' })
    expect(await foreign.next()).toMatchObject({ event: { type: 'sync' } })
    const c = await subscribed({ subscriptionId: 'a', groupId: 'room4' })
    join(c, { subscriptionId: 'b', streamName: 'chat', groupId: 'room5' })
    expect(await c.next()).toMatchObject({ groupId: 'room5', event: { type: 'sync' } })
    c.ws.send(JSON.stringify({ type: 'leave', data: { subscriptionId: 'a' } }))
    // The leave is handled once a later frame of the same socket is answered.
    c.ws.send(JSON.stringify({ type: 'leave', data: { subscriptionId: 'fence' } }))
    expect(await c.next()).toMatchObject({ type: 'error', code: 'subscription_not_found' })
    await sendEvent({ group_id: 'room4', type: 'gone', data: null })
    await sendEvent({ group_id: 'room5', type: 'still', data: null })
    expect(await c.next()).toMatchObject({ groupId: 'room5', event: { event: { type: 'still' } } })
    expect(c.pending()).toEqual([])
    // The other circle's own event is the first its client sees: acme's never reached it.
    const otherWorker = kit.worker({ key: await kit.server.createKey('other', ['read', 'write', 'execute']) })
    await otherWorker.trigger({
      function_id: 'stream::send',
      payload: { stream_name: 'chat', group_id: 'room4', type: 'mine', data: null },
    })
    expect(await foreign.next()).toMatchObject({ groupId: 'room4', event: { event: { type: 'mine' } } })
    c.ws.close()
    foreign.ws.close()
  })

  it('refuses bad payloads with invalid_payload, and data over the item limit with value_too_large', async () => {
    const bad: Array<Record<string, unknown>> = [
      { group_id: 'g', data: 1 },
      { group_id: 'g', type: '', data: 1 },
      { group_id: 'g', type: 't'.repeat(257), data: 1 },
      { group_id: 'g', type: 't', id: 5, data: 1 },
      { group_id: '', type: 't', data: 1 },
      { stream_name: 'x'.repeat(513), group_id: 'g', type: 't', data: 1 },
    ]
    for (const payload of bad)
      await expect(sendEvent(payload)).rejects.toMatchObject({ code: 'invalid_payload' })
    await expect(iii.trigger({ function_id: 'stream::send', payload: 'text' })).rejects.toMatchObject({
      code: 'invalid_payload',
    })
    await expect(
      sendEvent({ group_id: 'g', type: 't', data: 'x'.repeat(1024 * 1024) }),
    ).rejects.toMatchObject({ code: 'value_too_large' })
    expect(await sendEvent({ group_id: 'g', type: 't'.repeat(256), data: 'x'.repeat(1000) })).toBeNull()
  })

  it('sends a custom stream event to a subscribed client with stream.send from a Python handler', async () => {
    const code =
      'from periodic import stream\ndef handler(input):\n    return stream.send("chat", "room-9", "typing", {"user": input["user"]})\n'
    const created = await kit.server.api('POST', '/api/acme', {
      element_type: 'python',
      slug: 'typing',
      spec: { source: { type: 'inline', code } },
    })
    expect(created.status).toBe(201)
    const c = await subscribed({ subscriptionId: 's', groupId: 'room-9' })
    const run = await kit.server.api('POST', '/api/acme/typing/ops/invoke?wait_for_completion=60', {
      user: 'ada',
    })
    expect(run.body).toMatchObject({ status: 'succeeded' })
    expect(run.body.output).toBeNull()
    expect(await c.next()).toMatchObject({
      streamName: 'chat',
      groupId: 'room-9',
      event: { type: 'event', event: { type: 'typing', data: { user: 'ada' } } },
    })
    c.ws.close()
  })
})
