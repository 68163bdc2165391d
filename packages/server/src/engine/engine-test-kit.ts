// Test helpers for engine suites: a server, circle keys, and iii-sdk workers joined to it the
// way a user joins them. Used only by *.test.ts files.
import { type IIIClient, type InitOptions, registerWorker } from 'iii-sdk'
import { type StorageKind, startTestServer, type TestServer } from '../../test/test-server.ts'
import type { EngineClock } from './cron-triggers.ts'

export interface EngineKit {
  server: TestServer
  /** ws://host:port of the worker port. */
  url: string
  /** A circle key with read, write and execute. */
  key: string
  worker(opts?: InitOptions & { key?: string }): IIIClient
  close(): Promise<void>
}

export async function startEngineKit(
  opts: { storage?: StorageKind; env?: Record<string, string>; circle?: string; clock?: EngineClock } = {},
): Promise<EngineKit> {
  const server = await startTestServer({
    storage: opts.storage,
    env: { PERIODIC_RATE_LIMIT: '0', PERIODIC_ENGINE_RATE_LIMIT: '0', ...opts.env },
    start: opts.clock ? { engineClock: opts.clock } : {},
  })
  const circle = opts.circle ?? 'acme'
  await server.createCircle(circle)
  const key = await server.createKey(circle, ['read', 'write', 'execute'])
  const workers: IIIClient[] = []
  return {
    server,
    url: server.platform.engineUrl,
    key,
    worker(o = {}) {
      const { key: k, ...rest } = o
      const w = registerWorker(server.platform.engineUrl, {
        headers: { authorization: `Bearer ${k ?? key}` },
        otel: { enabled: false },
        enableMetricsReporting: false,
        reconnectionConfig: { initialDelayMs: 50, maxDelayMs: 200 },
        ...rest,
      })
      workers.push(w)
      return w
    },
    async close() {
      await Promise.all(workers.map((w) => w.shutdown().catch(() => {})))
      await server.close()
    },
  }
}

/** Polls until `fn` stops throwing (the SDK registers asynchronously, with no acknowledgement). */
export async function eventually<T>(fn: () => Promise<T> | T, timeoutMs = 5000): Promise<T> {
  const until = Date.now() + timeoutMs
  for (;;) {
    try {
      return await fn()
    } catch (err) {
      if (Date.now() > until) throw err
      await new Promise((r) => setTimeout(r, 20))
    }
  }
}

/** Resolves once `functionId` is visible to `iii` through engine::functions::list. */
export async function waitForFunction(iii: IIIClient, functionId: string): Promise<void> {
  await eventually(async () => {
    const r = await iii.trigger<unknown, { functions: Array<{ function_id: string }> }>({
      function_id: 'engine::functions::list',
      payload: {},
      timeoutMs: 2000,
    })
    if (!r.functions.some((f) => f.function_id === functionId))
      throw new Error(`${functionId} not registered yet`)
  })
}

/** A clock that only moves when told to: due timers fire in time order during `advance`. */
export class ManualClock implements EngineClock {
  private timers: Array<{ at: number; fn: () => void; cancelled: boolean }> = []

  constructor(private t: number) {}

  now(): number {
    return this.t
  }

  setTimer(fn: () => void, ms: number): () => void {
    const timer = { at: this.t + ms, fn, cancelled: false }
    this.timers.push(timer)
    return () => {
      timer.cancelled = true
    }
  }

  advance(ms: number): void {
    const end = this.t + ms
    for (;;) {
      this.timers = this.timers.filter((x) => !x.cancelled)
      const due = this.timers.filter((x) => x.at <= end).sort((a, b) => a.at - b.at)[0]
      if (!due) break
      this.timers.splice(this.timers.indexOf(due), 1)
      this.t = Math.max(this.t, due.at)
      due.fn()
    }
    this.t = end
  }
}

/** Waits until a trigger of `functionId` is registered (the SDK registers without acknowledgement). */
export async function waitForTrigger(w: IIIClient, functionId: string): Promise<void> {
  await waitForFunction(w, functionId)
  await eventually(async () => {
    const r = await w.trigger<unknown, { registered_triggers: Array<{ function_id: string }> }>({
      function_id: 'engine::registered-triggers::list',
      payload: {},
    })
    if (!r.registered_triggers.some((t) => t.function_id === functionId))
      throw new Error('trigger not yet registered')
  })
}
