// Worker telemetry through a real iii-sdk worker with OpenTelemetry on: its spans, logs and
// metrics (the `/otel` frames) are kept in its key's circle, its spans join the engine's
// invocation span by trace id, and iii-observability's `exporter: otlp` delivers everything to an
// OTLP/HTTP receiver (telemetry-socket.test.ts covers the socket itself).
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Logger } from '@iii-dev/helpers/observability'
import { type IIIClient, registerWorker } from 'iii-sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type EngineKit, eventually, startEngineKit, waitForFunction } from './engine-test-kit.ts'
import { parseIiiConfig } from './iii-config.ts'
import { DEFAULT_OBSERVABILITY } from './observability.ts'

interface Span {
  trace_id: string
  span_id: string
  parent_span_id: string | null
  name: string
  function_id: string | null
  service_name: string
  status: string
  start_time_unix_nano: number
}
interface Received {
  path: string
  body: Record<string, Array<Record<string, unknown>>>
}

let kit: EngineKit
let caller: IIIClient
let otelWorker: IIIClient
let receiver: Server
let blockedReceiver: Server
const received: Received[] = []
const blockedHits: string[] = []

const listen = (s: Server) =>
  new Promise<number>((resolve) => s.listen(0, '127.0.0.1', () => resolve((s.address() as AddressInfo).port)))
const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
  })

let [receiverPort, blockedPort] = [0, 0]

beforeAll(async () => {
  receiver = createServer(async (req, res) => {
    const text = await readBody(req)
    received.push({ path: req.url ?? '', body: JSON.parse(text) })
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
  })
  blockedReceiver = createServer(async (req, res) => {
    await readBody(req)
    blockedHits.push(req.url ?? '')
    res.writeHead(200).end('{}')
  })
  receiverPort = await listen(receiver)
  blockedPort = await listen(blockedReceiver)
  // Only the receiver's address and port pass the outbound policy; the other loopback port does not.
  kit = await startEngineKit({ env: { PERIODIC_OUTBOUND_ALLOW: `127.0.0.1:${receiverPort}` } })
  caller = kit.worker()
  // iii-sdk's telemetry socket sends no headers: the key rides in the URL's user-info.
  const url = new URL(kit.url)
  url.username = 'iii'
  url.password = kit.key
  otelWorker = registerWorker(url.toString(), {
    otel: {
      enabled: true,
      serviceName: 'tel-svc',
      spansFlushIntervalMs: 20,
      logsFlushIntervalMs: 20,
      metricsExportIntervalMs: 200,
      reconnectionConfig: { initialDelayMs: 50, maxDelayMs: 200 },
    },
    enableMetricsReporting: true,
    reconnectionConfig: { initialDelayMs: 50, maxDelayMs: 200 },
  })
  otelWorker.registerFunction('tel::work', async (input: { note?: string }) => {
    new Logger().info(`working on ${input.note ?? 'nothing'}`, { step: 1 })
    return { done: true }
  })
  await waitForFunction(caller, 'tel::work')
})

afterAll(async () => {
  await otelWorker?.shutdown().catch(() => {})
  await kit?.close()
  receiver?.close()
  blockedReceiver?.close()
})

const spans = (q: object) =>
  caller.trigger<unknown, { spans: Span[]; total: number; offset: number; limit: number }>({
    function_id: 'engine::traces::list',
    payload: q,
  })

/** Invokes tel::work and returns the engine's span of that invocation. */
async function invokeWork(note: string): Promise<Span> {
  const since = Date.now()
  await caller.trigger({ function_id: 'tel::work', payload: { note } })
  return eventually(async () => {
    const r = await spans({ function_id: 'tel::work' })
    const s = r.spans.find((x) => x.start_time_unix_nano / 1e6 >= since - 1)
    if (!s) throw new Error('no engine span yet')
    return s
  })
}

describe('worker telemetry', () => {
  it("keeps a worker's span under the engine's invocation span of the same trace, and its log line", async () => {
    const engineSpan = await invokeWork('order 1')
    const chain = await eventually(async () => {
      const r = await spans({ trace_id: engineSpan.trace_id })
      if (!r.spans.some((s) => s.name === 'execute tel::work')) throw new Error('no worker span yet')
      return r
    })
    const worker = chain.spans.find((s) => s.name === 'execute tel::work')!
    expect(worker).toMatchObject({
      trace_id: engineSpan.trace_id,
      parent_span_id: engineSpan.span_id,
      service_name: 'tel-svc',
      status: 'ok',
      function_id: null,
    })
    expect(chain).toMatchObject({ offset: 0, limit: 100 })
    // The engine's span in iii's record shape too.
    expect(engineSpan).toMatchObject({ name: 'tel::work', service_name: 'periodic', status: 'ok' })
    const logs = await eventually(async () => {
      const r = await caller.trigger<unknown, { logs: Array<Record<string, unknown>>; timestamp: number }>({
        function_id: 'engine::logs::list',
        payload: { trace_id: engineSpan.trace_id },
      })
      if (r.logs.length === 0) throw new Error('no worker log yet')
      return r
    })
    expect(logs.logs[0]).toMatchObject({
      message: 'working on order 1',
      body: 'working on order 1',
      level: 'info',
      severity_number: 9,
      severity_text: 'INFO',
      trace_id: engineSpan.trace_id,
      span_id: worker.span_id,
      service_name: 'tel-svc',
    })
    expect(logs.logs[0]!['attributes']).toContainEqual(['log.data', expect.stringContaining('step')])
    // iii's filters: service, name and status of spans; span id and severity of logs.
    const bySvc = await spans({
      trace_id: engineSpan.trace_id,
      service_name: 'TEL-svc',
      name: 'execute',
      status: 'ok',
    })
    expect(bySvc.spans.map((x) => x.span_id)).toEqual([worker.span_id])
    const bySpan = async (q: object) =>
      (
        await caller.trigger<unknown, { logs: unknown[] }>({
          function_id: 'engine::logs::list',
          payload: { span_id: worker.span_id, ...q },
        })
      ).logs.length
    expect(await bySpan({ severity_min: 9, severity_text: 'info' })).toBe(1)
    expect(await bySpan({ severity_min: 13 })).toBe(0)
    expect(typeof logs.timestamp).toBe('number')
  })

  it("lists the worker's metrics as sdk_metrics, beside the engine's invocation counts", async () => {
    const r = await eventually(async () => {
      const m = await caller.trigger<
        unknown,
        {
          sdk_metrics: Array<{ name: string; service_name: string; data_points: unknown[] }>
          engine_metrics: { invocations: { total: number; by_function: Record<string, number> } }
        }
      >({ function_id: 'engine::metrics::list', payload: { metric_name: 'iii.worker.memory.rss' } })
      if (m.sdk_metrics.length === 0) throw new Error('no worker metrics yet')
      return m
    })
    expect(r.sdk_metrics[0]).toMatchObject({
      name: 'iii.worker.memory.rss',
      service_name: 'tel-svc',
      metric_type: 'gauge',
    })
    expect(r.sdk_metrics[0]!.data_points[0]).toMatchObject({ value: expect.any(Number) })
    expect(r.engine_metrics.invocations.by_function['tel::work']).toBeGreaterThan(0)
  })

  it("does not show a circle's worker telemetry to another circle", async () => {
    await kit.server.createCircle('other')
    const otherKey = await kit.server.createKey('other', ['read', 'write', 'execute'])
    const other = kit.worker({ key: otherKey })
    const engineSpan = await invokeWork('private')
    await eventually(async () => {
      const r = await spans({ trace_id: engineSpan.trace_id })
      if (r.spans.length < 2) throw new Error('worker span not in yet')
    })
    const seen = await other.trigger<unknown, { spans: Span[] }>({
      function_id: 'engine::traces::list',
      payload: { trace_id: engineSpan.trace_id },
    })
    expect(seen.spans).toEqual([])
  })

  it('exports engine and worker spans, logs and metrics to an OTLP/HTTP receiver through the outbound policy', async () => {
    const obs = kit.server.platform.engine.observability
    const cfg = parseIiiConfig(`
workers:
  - name: iii-observability
    config:
      service_name: shop-engine
      exporter: both
      logs_exporter: both
      metrics_exporter: otlp
      endpoint: http://127.0.0.1:${receiverPort}
      logs_flush_interval_ms: 100
`)
    expect(cfg.unsupported).toEqual([])
    obs.configure(cfg.observability!)
    try {
      const engineSpan = await invokeWork('exported')
      await caller.trigger({ function_id: 'engine::log::warn', payload: { message: 'engine says hi' } })
      const all = () =>
        received.flatMap((r) => (r.body['resourceSpans'] ?? []).map((rs) => ({ path: r.path, rs })))
      const exportedSpans = await eventually(() => {
        const out = all().flatMap(({ path, rs }) => {
          const scopes = rs['scopeSpans'] as Array<{ spans: Array<Record<string, unknown>> }>
          const attrs = (
            rs['resource'] as { attributes: Array<{ key: string; value: { stringValue?: string } }> }
          ).attributes
          const service = attrs.find((a) => a.key === 'service.name')?.value.stringValue
          return scopes.flatMap((s) => s.spans.map((span) => ({ path, service, span })))
        })
        const mine = out.filter((x) => x.span['traceId'] === engineSpan.trace_id)
        if (!mine.some((x) => x.service === 'tel-svc')) throw new Error('worker span not exported yet')
        if (!mine.some((x) => x.service === 'shop-engine')) throw new Error('engine span not exported yet')
        return mine
      }, 10_000)
      expect(exportedSpans.every((x) => x.path === '/v1/traces')).toBe(true)
      const eng = exportedSpans.find((x) => x.service === 'shop-engine')!.span
      expect(eng).toMatchObject({ spanId: engineSpan.span_id, name: 'tel::work', status: { code: 1 } })
      const wrk = exportedSpans.find((x) => x.service === 'tel-svc')!.span
      expect(wrk).toMatchObject({ name: 'execute tel::work', parentSpanId: engineSpan.span_id })
      await eventually(() => {
        const bodies = received
          .filter((r) => r.path === '/v1/logs')
          .flatMap((r) => r.body['resourceLogs'] ?? [])
          .flatMap((rl) =>
            (rl['scopeLogs'] as Array<{ logRecords: Array<{ body: { stringValue: string } }> }>).flatMap(
              (s) => s.logRecords,
            ),
          )
          .map((l) => l.body.stringValue)
        expect(bodies).toEqual(expect.arrayContaining(['working on exported', 'engine says hi']))
      }, 10_000)
      await eventually(() => {
        const names = received
          .filter((r) => r.path === '/v1/metrics')
          .flatMap((r) => r.body['resourceMetrics'] ?? [])
          .flatMap((rm) =>
            (rm['scopeMetrics'] as Array<{ metrics: Array<{ name: string }> }>).flatMap((s) => s.metrics),
          )
          .map((m) => m.name)
        expect(names).toEqual(expect.arrayContaining(['iii.invocations.total', 'iii.worker.memory.rss']))
      }, 10_000)
      // The same export pointed at a loopback port the allow-list does not name: refused, nothing sent.
      obs.configure({
        ...cfg.observability!,
        export: { ...cfg.observability!.export!, endpoint: `http://127.0.0.1:${blockedPort}` },
      })
      await invokeWork('blocked')
      await eventually(() => expect(obs.otlp!.stats.failed).toBeGreaterThan(0), 10_000)
      expect(blockedHits).toEqual([])
    } finally {
      obs.configure(DEFAULT_OBSERVABILITY)
    }
  })
})
