// Named queues behind TriggerAction.Enqueue, driven through iii-sdk: retries with exponential
// backoff, bounded concurrency, the dead-letter queue and redrive.
import { type IIIClient, TriggerAction } from 'iii-sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type EngineKit, eventually, startEngineKit, waitForFunction } from './engine-test-kit.ts'

let kit: EngineKit
let iii: IIIClient

beforeAll(async () => {
  kit = await startEngineKit()
  iii = kit.worker()
})
afterAll(async () => kit?.close())

const enqueue = (queue: string, function_id: string, payload: unknown) =>
  iii.trigger<unknown, { messageReceiptId: string }>({
    function_id,
    payload,
    action: TriggerAction.Enqueue({ queue }),
  })

describe('named queues', () => {
  it('retries a job that fails twice with exponential backoff, then it succeeds', async () => {
    const attempts: number[] = []
    iii.registerFunction('jobs::flaky', async () => {
      attempts.push(Date.now())
      if (attempts.length <= 2) throw new Error(`attempt ${attempts.length} failed`)
      return 'done'
    })
    // The queue trigger type sets the queue's policy.
    iii.registerTrigger({
      type: 'queue',
      function_id: 'jobs::flaky',
      config: { queue: 'flaky', max_retries: 3, backoff_ms: 60 },
    })
    await waitForFunction(iii, 'jobs::flaky')
    await eventually(async () => {
      const s = await iii.trigger<unknown, { config: { backoff_ms: number } }>({
        function_id: 'engine::queues::stats',
        payload: { queue: 'flaky' },
      })
      expect(s.config.backoff_ms).toBe(60)
    })
    const receipt = await enqueue('flaky', 'jobs::flaky', { order: 1 })
    expect(receipt.messageReceiptId).toMatch(/^[0-9a-f-]{36}$/)
    await eventually(() => expect(attempts).toHaveLength(3))
    // Backoff doubles: at least 60 ms, then at least 120 ms.
    expect(attempts[1]! - attempts[0]!).toBeGreaterThanOrEqual(55)
    expect(attempts[2]! - attempts[1]!).toBeGreaterThanOrEqual(115)
    await eventually(async () =>
      expect(
        await iii.trigger({ function_id: 'engine::queues::stats', payload: { queue: 'flaky' } }),
      ).toMatchObject({
        ready: 0,
        running: 0,
        retrying: 0,
        dead: 0,
      }),
    )
  })

  it('moves a job out of attempts to the dead-letter queue, and redrives it', async () => {
    let calls = 0
    iii.registerFunction('jobs::doomed', async () => {
      calls++
      throw new Error('always broken')
    })
    await waitForFunction(iii, 'jobs::doomed')
    await iii.trigger({
      function_id: 'engine::queues::configure',
      payload: { queue: 'doomed', max_retries: 1, backoff_ms: 10 },
    })
    const { messageReceiptId } = await enqueue('doomed', 'jobs::doomed', { n: 1 })
    const dead = await eventually(async () => {
      const r = await iii.trigger<unknown, { jobs: any[] }>({
        function_id: 'engine::queues::dead_letters',
        payload: { queue: 'doomed' },
      })
      if (r.jobs.length === 0) throw new Error('not dead yet')
      return r.jobs
    })
    expect(dead).toEqual([
      expect.objectContaining({
        id: messageReceiptId,
        function_id: 'jobs::doomed',
        data: { n: 1 },
        attempts: 2,
        last_error: { code: 'invocation_failed', message: 'always broken' },
      }),
    ])
    expect(calls).toBe(2)
    expect(
      await iii.trigger({ function_id: 'engine::queues::redrive', payload: { queue: 'doomed' } }),
    ).toEqual({ redriven: 1 })
    await eventually(() => expect(calls).toBe(4))
  })

  it('runs no more jobs at once than the queue’s concurrency', async () => {
    let running = 0
    let peak = 0
    let done = 0
    iii.registerFunction('jobs::slow', async () => {
      running++
      peak = Math.max(peak, running)
      await new Promise((r) => setTimeout(r, 30))
      running--
      done++
      return null
    })
    await waitForFunction(iii, 'jobs::slow')
    await iii.trigger({
      function_id: 'engine::queues::configure',
      payload: { queue: 'narrow', concurrency: 2 },
    })
    await Promise.all(Array.from({ length: 8 }, (_, i) => enqueue('narrow', 'jobs::slow', { i })))
    await eventually(() => expect(done).toBe(8))
    expect(peak).toBe(2)
  })

  it('refuses a bad queue configuration', async () => {
    await expect(
      iii.trigger({ function_id: 'engine::queues::configure', payload: { queue: 'q', concurrency: 0 } }),
    ).rejects.toMatchObject({ code: 'invalid_payload' })
    await expect(
      iii.trigger({ function_id: 'engine::queues::configure', payload: { queue: '', max_retries: 1 } }),
    ).rejects.toMatchObject({ code: 'invalid_payload' })
  })

  it('runs a job with no more scopes than the key that enqueued it', async () => {
    const runOnly = kit.worker({ key: await kit.server.createKey('acme', ['execute']) })
    await iii.trigger({
      function_id: 'engine::queues::configure',
      payload: { queue: 'narrow', max_retries: 0, backoff_ms: 10 },
    })
    const { messageReceiptId } = await runOnly.trigger<unknown, { messageReceiptId: string }>({
      function_id: 'state::set',
      payload: { scope: 'vault', key: 'k', value: 'planted' },
      action: TriggerAction.Enqueue({ queue: 'narrow' }),
    })
    const dead = await eventually(async () => {
      const r = await iii.trigger<unknown, { jobs: any[] }>({
        function_id: 'engine::queues::dead_letters',
        payload: { queue: 'narrow' },
      })
      if (r.jobs.length === 0) throw new Error('not dead yet')
      return r.jobs
    })
    expect(dead).toEqual([
      expect.objectContaining({
        id: messageReceiptId,
        last_error: expect.objectContaining({ code: 'FORBIDDEN' }),
      }),
    ])
    expect(
      await iii.trigger({ function_id: 'state::get', payload: { scope: 'vault', key: 'k' } }),
    ).toBeUndefined()
    await runOnly.shutdown()
  })
})
