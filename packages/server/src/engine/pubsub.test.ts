// iii-pubsub through real iii-sdk workers: `publish` reaches every subscribe trigger of the topic
// (and no other topic), a condition function filters, bad input is refused with a code.
import type { IIIClient } from 'iii-sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type EngineKit,
  eventually,
  startEngineKit,
  waitForFunction,
  waitForTrigger,
} from './engine-test-kit.ts'

let kit: EngineKit
let iii: IIIClient

beforeAll(async () => {
  kit = await startEngineKit()
  iii = kit.worker()
})
afterAll(async () => kit?.close())

async function subscriber(id: string, config: Record<string, unknown>) {
  const seen: unknown[] = []
  iii.registerFunction(id, async (e: unknown) => {
    seen.push(e)
    return null
  })
  iii.registerTrigger({ type: 'subscribe', function_id: id, config })
  await waitForTrigger(iii, id)
  return seen
}

const publish = (topic: string, data: unknown) =>
  iii.trigger({ function_id: 'publish', payload: { topic, data } })

describe('pubsub', () => {
  it('delivers a publish to every subscriber of the topic and to no other topic', async () => {
    const a1 = await subscriber('sub::a1', { topic: 'orders' })
    const a2 = await subscriber('sub::a2', { topic: 'orders' })
    const b = await subscriber('sub::b', { topic: 'invoices' })
    expect(await publish('orders', { id: 1 })).toBeUndefined()
    await publish('invoices', { id: 'inv' })
    // Invocations reach the worker in order: once the later publish arrives, an earlier
    // misdelivery would have arrived before it.
    await publish('orders', { id: 2 })
    await eventually(() => expect(a1).toHaveLength(2))
    await eventually(() => expect(a2).toHaveLength(2))
    await eventually(() => expect(b).toHaveLength(1))
    expect(a1).toEqual([{ id: 1 }, { id: 2 }])
    expect(a2).toEqual([{ id: 1 }, { id: 2 }])
    expect(b).toEqual([{ id: 'inv' }])
  })

  it('runs the condition function first and skips the subscriber when it answers false', async () => {
    iii.registerFunction('cond::big', async (e: { n: number }) => e.n > 5)
    await waitForFunction(iii, 'cond::big')
    const seen = await subscriber('sub::big', { topic: 'numbers', condition_function_id: 'cond::big' })
    await publish('numbers', { n: 1 })
    await publish('numbers', { n: 10 })
    await eventually(() => expect(seen).toEqual([{ n: 10 }]))
  })

  it('accepts a publish nobody listens to, and refuses a publish without a topic', async () => {
    expect(await publish('nobody-listens', 1)).toBeUndefined()
    // iii's code for a publish without a topic.
    await expect(iii.trigger({ function_id: 'publish', payload: { data: 1 } })).rejects.toMatchObject({
      code: 'topic_not_set',
    })
    await expect(iii.trigger({ function_id: 'publish', payload: { topic: 7 } })).rejects.toMatchObject({
      code: 'invalid_payload',
    })
  })

  it('refuses a subscribe trigger without a topic', async () => {
    const pubsub = kit.server.platform.engine.pubsub
    expect(() =>
      pubsub.register({
        id: 't',
        trigger_type: 'subscribe',
        function_id: 'x',
        config: {},
        metadata: null,
        circleId: 'c',
        circleSlug: 'c',
        conn: null,
      }),
    ).toThrow(expect.objectContaining({ code: 'invalid_trigger_config' }))
  })

  it('hands each publish to the transport and delivers what the transport brings in', async () => {
    const pubsub = kit.server.platform.engine.pubsub
    const sent: unknown[] = []
    pubsub.transport = { send: (m) => sent.push(m) }
    try {
      const seen = await subscriber('sub::remote', { topic: 'remote' })
      await publish('remote', { from: 'here' })
      await eventually(() => expect(seen).toEqual([{ from: 'here' }]))
      expect(sent).toEqual([expect.objectContaining({ topic: 'remote', data: { from: 'here' } })])
      const circleId = (sent[0] as { circleId: string }).circleId
      expect(pubsub.deliverLocal(circleId, 'remote', { from: 'elsewhere' })).toBe(1)
      await eventually(() => expect(seen).toEqual([{ from: 'here' }, { from: 'elsewhere' }]))
    } finally {
      pubsub.transport = null
    }
  })
})
