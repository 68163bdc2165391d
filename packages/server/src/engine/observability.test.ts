// iii-observability through real iii-sdk workers: spans of an invocation chain share a trace id,
// engine::log::* lines are listed, metrics count errors, the buffers keep only the newest
// entries, and `enabled: false` records nothing.
import type { IIIClient } from 'iii-sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type EngineKit, eventually, startEngineKit, waitForFunction } from './engine-test-kit.ts'
import { DEFAULT_OBSERVABILITY } from './observability.ts'

let kit: EngineKit
let iii: IIIClient

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'
const SPAN = '00f067aa0ba902b7'

interface Span {
  trace_id: string
  start_time_ms: number
  span_id: string
  parent_span_id: string | null
  function_id: string
  worker_id: string | null
  status: string
  error: { code: string } | null
  duration_ms: number
}

const call = <T = unknown>(function_id: string, payload: unknown = {}) =>
  iii.trigger<unknown, T>({ function_id, payload })
const spans = (q: object) => call<{ spans: Span[]; total: number }>('engine::traces::list', q)

beforeAll(async () => {
  kit = await startEngineKit()
  iii = kit.worker()
  iii.registerFunction('obs::fail', async () => {
    throw new Error('nope')
  })
  iii.registerFunction('obs::ok', async () => ({ ok: true }))
  await waitForFunction(iii, 'obs::ok')
})
afterAll(async () => kit?.close())

describe('observability', () => {
  it('records a span per invocation of a chain, all under one trace id, with the chain’s log line', async () => {
    // With OpenTelemetry on, iii-sdk hands the traceparent it receives on to the calls it makes.
    const w = kit.worker({ otel: { enabled: true } })
    w.registerFunction('chain::b', async () => {
      await w.trigger({ function_id: 'engine::log::info', payload: { message: 'in b' } })
      return 'b'
    })
    w.registerFunction('chain::a', async () => w.trigger({ function_id: 'chain::b', payload: {} }))
    await waitForFunction(w, 'chain::a')
    expect(await call('chain::a')).toBe('b')
    const a = (await spans({ function_id: 'chain::a' })).spans[0]!
    const chain = (await spans({ trace_id: a.trace_id })).spans
    // Spans are stored as they end: the innermost first, so the newest-first list starts outside.
    expect(chain.map((s) => s.function_id)).toEqual(['chain::a', 'chain::b', 'engine::log::info'])
    expect(a.parent_span_id).toBeNull()
    for (const s of chain.slice(1)) expect(s.parent_span_id).toMatch(/^[0-9a-f]{16}$/)
    expect(chain.every((s) => s.status === 'ok' && s.error === null && s.duration_ms >= 0)).toBe(true)
    const logs = await call<{ logs: Array<Record<string, unknown>> }>('engine::logs::list', {
      trace_id: a.trace_id,
    })
    expect(logs.logs).toMatchObject([{ level: 'info', message: 'in b', trace_id: a.trace_id }])
  })

  it('continues an incoming traceparent through triggers the engine fires (publish -> subscriber)', async () => {
    iii.registerFunction('chain::sub', async () => null)
    await waitForFunction(iii, 'chain::sub')
    iii.registerTrigger({ type: 'subscribe', function_id: 'chain::sub', config: { topic: 'chain' } })
    await eventually(async () => {
      const r = await call<{ registered_triggers: Array<{ function_id: string }> }>(
        'engine::registered-triggers::list',
      )
      if (!r.registered_triggers.some((t) => t.function_id === 'chain::sub')) throw new Error('not yet')
    })
    const engine = kit.server.platform.engine.engine
    const caller = [...engine.workers.values()][0]!.caller
    await engine.invoke(
      caller,
      'publish',
      { topic: 'chain', data: 1 },
      { traceparent: `00-${TRACE}-${SPAN}-01` },
    )
    await eventually(async () => {
      const ids = (await spans({ trace_id: TRACE })).spans.map((s) => s.function_id)
      expect(ids).toEqual(['chain::sub', 'publish'])
    })
    const pub = (await spans({ trace_id: TRACE, function_id: 'publish' })).spans[0]!
    expect(pub.parent_span_id).toBe(SPAN)
  })

  it('lists engine::log::* lines with their level, message and data', async () => {
    await call('engine::log::info', { message: 'order placed', data: { id: 7 } })
    await call('engine::log::warn', { message: 'stock low' })
    const r = await call<{ logs: Array<Record<string, unknown>> }>('engine::logs::list', {})
    expect(r.logs.slice(0, 2)).toMatchObject([
      { level: 'warn', message: 'stock low', data: null },
      { level: 'info', message: 'order placed', data: { id: 7 } },
    ])
    expect(r.logs[0]!['worker_id']).toMatch(/.+/)
    const warns = await call<{ logs: unknown[] }>('engine::logs::list', { level: 'warn' })
    expect(warns.logs).toHaveLength(1)
    await call('engine::log::error', { message: 'huge', data: { blob: 'x'.repeat(100_000) } })
    const errors = await call<{ logs: Array<{ data: unknown }> }>('engine::logs::list', { level: 'error' })
    expect(errors.logs[0]!.data).toEqual({ truncated: true, bytes: expect.any(Number) })
  })

  it('counts invocations and errors per function, and records the error on the span', async () => {
    await expect(call('obs::fail')).rejects.toBeTruthy()
    await call('obs::ok')
    await call('obs::ok')
    const r = await call<{ metrics: Array<Record<string, unknown>> }>('engine::metrics::list', {})
    expect(r.metrics.find((m) => m['function_id'] === 'obs::fail')).toMatchObject({
      invocations: 1,
      errors: 1,
    })
    expect(r.metrics.find((m) => m['function_id'] === 'obs::ok')).toMatchObject({ invocations: 2, errors: 0 })
    const failed = (await spans({ function_id: 'obs::fail' })).spans[0]!
    expect(failed).toMatchObject({ status: 'error', error: { code: 'invocation_failed' } })
  })

  it('refuses a bad query with a code', async () => {
    await expect(spans({ limit: -1 })).rejects.toMatchObject({ code: 'invalid_payload' })
  })

  it('keeps only the newest spans and logs within the configured limits', async () => {
    const obs = kit.server.platform.engine.observability
    obs.configure({ ...DEFAULT_OBSERVABILITY, maxSpans: 3, maxLogs: 2 })
    try {
      for (const id of ['obs::ok', 'obs::ok', 'engine::workers::list', 'engine::functions::list', 'obs::ok'])
        await call(id)
      for (const m of ['one', 'two', 'three']) await call('engine::log::info', { message: m })
      // The three log calls are spans too: the newest three spans are theirs.
      const r = await spans({})
      expect(r.total).toBe(3)
      expect(r.spans.map((s) => s.function_id)).toEqual([
        'engine::log::info',
        'engine::log::info',
        'engine::log::info',
      ])
      const logs = await call<{ logs: Array<{ message: string }> }>('engine::logs::list', {})
      expect(logs.logs.map((l) => l.message)).toEqual(['three', 'two'])
    } finally {
      obs.configure(DEFAULT_OBSERVABILITY)
    }
  })

  it('samples whole traces: sampling_ratio 0 keeps no span but counts metrics; 0.5 keeps chains whole', async () => {
    const obs = kit.server.platform.engine.observability
    obs.configure({ ...DEFAULT_OBSERVABILITY, samplingRatio: 0 })
    try {
      const before = await call<{ metrics: Array<Record<string, number>> }>('engine::metrics::list', {
        function_id: 'obs::ok',
      })
      const kept = (await spans({})).total
      await call('obs::ok')
      expect((await spans({})).total).toBe(kept)
      const after = await call<{ metrics: Array<Record<string, number>> }>('engine::metrics::list', {
        function_id: 'obs::ok',
      })
      expect(after.metrics[0]!['invocations']).toBe(before.metrics[0]!['invocations']! + 1)
      obs.configure({ ...DEFAULT_OBSERVABILITY, samplingRatio: 0.5 })
      const since = Date.now()
      for (let i = 0; i < 20; i++) await call('chain::a')
      const recent = (await spans({ limit: 1000 })).spans.filter((s) => s.start_time_ms >= since)
      const traces = (id: string) =>
        new Set(recent.filter((s) => s.function_id === id).map((s) => s.trace_id))
      // Some traces are kept, some not, and a kept trace has all its spans (chance of a fail: 2^-19).
      expect(traces('chain::a').size).toBeGreaterThan(0)
      expect(traces('chain::a').size).toBeLessThan(20)
      expect(traces('chain::b')).toEqual(traces('chain::a'))
    } finally {
      obs.configure(DEFAULT_OBSERVABILITY)
    }
  })

  it('records nothing while disabled, and the query functions still answer', async () => {
    const obs = kit.server.platform.engine.observability
    obs.configure({ ...DEFAULT_OBSERVABILITY, enabled: false })
    try {
      const before = (await spans({})).total
      await call('obs::ok')
      await call('engine::log::info', { message: 'while disabled' })
      expect((await spans({})).total).toBe(before)
      const logs = await call<{ logs: Array<{ message: string }> }>('engine::logs::list', {})
      expect(logs.logs.map((l) => l.message)).not.toContain('while disabled')
    } finally {
      obs.configure(DEFAULT_OBSERVABILITY)
    }
  })
})
