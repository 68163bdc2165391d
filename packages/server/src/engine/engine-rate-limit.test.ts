// The per-key engine rate limit through real iii-sdk workers: calls over the limit are answered
// RATE_LIMITED while the connection stays open and works again once tokens refill; another key
// has its own bucket; the bootstrap admin key is exempt.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type EngineKit, eventually, startEngineKit } from './engine-test-kit.ts'

let kit: EngineKit

beforeAll(async () => {
  kit = await startEngineKit({
    env: { PERIODIC_ENGINE_RATE_LIMIT: '2', PERIODIC_ENGINE_RATE_LIMIT_BURST: '10' },
  })
})
afterAll(async () => kit?.close())

const burst = (w: ReturnType<EngineKit['worker']>, n: number) =>
  Promise.allSettled(
    Array.from({ length: n }, () =>
      w.trigger({ function_id: 'engine::workers::list', payload: {}, timeoutMs: 5000 }),
    ),
  )

describe('engine rate limit per key', () => {
  it('answers calls beyond the burst RATE_LIMITED and keeps the connection usable', async () => {
    const w = kit.worker()
    const engine = kit.server.platform.engine.engine
    await eventually(() => expect(engine.workers.size).toBe(1))
    const [conn] = [...engine.workers.values()]
    const results = await burst(w, 30)
    const refused = results.filter((r) => r.status === 'rejected')
    // Whatever the SDK spent at connect, at most the burst of 10 got through.
    expect(refused.length).toBeGreaterThanOrEqual(20)
    for (const r of refused)
      expect((r as PromiseRejectedResult).reason).toMatchObject({
        code: 'RATE_LIMITED',
        message: expect.stringContaining('engine rate limit'),
      })
    // The same socket (no reconnect) answers again once a token has refilled (2/s).
    await eventually(() => w.trigger({ function_id: 'engine::workers::list', payload: {}, timeoutMs: 2000 }))
    expect([...engine.workers.values()]).toEqual([conn])
    expect(conn!.ws.readyState).toBe(conn!.ws.OPEN)
  })

  it('gives another key its own bucket, and exempts the admin key', async () => {
    const own = await kit.server.createKey('acme', ['read', 'write', 'execute'])
    const other = kit.worker({ key: own })
    const fine = await burst(other, 8)
    expect(fine.every((r) => r.status === 'fulfilled')).toBe(true)

    const { registerWorker } = await import('iii-sdk')
    const admin = registerWorker(`${kit.url}?circle=acme`, {
      headers: { authorization: `Bearer ${kit.server.adminKey}` },
      otel: { enabled: false },
      enableMetricsReporting: false,
    })
    try {
      const all = await burst(admin, 50)
      expect(all.filter((r) => r.status === 'rejected')).toEqual([])
    } finally {
      await admin.shutdown()
    }
  })
})
