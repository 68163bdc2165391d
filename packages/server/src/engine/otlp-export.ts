// iii-observability's OTLP export (`exporter: otlp|both`, `logs_exporter`, `metrics_exporter`):
// the engine's own spans, logs and invocation counters, and what workers send on `/otel`, are
// batched and POSTed as OTLP/JSON to `{endpoint}/v1/traces|logs|metrics`. The requests go
// through the server's outbound-address policy (checked and pinned at connect), which is why
// this is a plain POST and not the OpenTelemetry JS exporters: those open their own sockets.
// Bounded: each queue keeps at most MAX_QUEUE entries (oldest dropped, counted); a failed POST
// is logged and dropped, never retried forever.
import { Agent as HttpAgent, request as httpRequest } from 'node:http'
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https'
import { hostPortOf, type OutboundPolicy } from '../net/outbound-policy.ts'
import type { JsonObject } from '../storage/storage.ts'
import type { OtlpSignal } from './otlp-ingest.ts'
import { type OpenSpan, type SpanError, spanIdOf, traceIdOf } from './span-ring.ts'

export interface OtlpExportConfig {
  /** Collector base URL (OTLP/HTTP); the signal path is appended. */
  endpoint: string
  traces: boolean
  logs: boolean
  metrics: boolean
  flushIntervalMs: number
  /** Resource entries (or engine records) per POST. */
  batchSize: number
}

export interface ExportLog {
  warn(o: object, msg?: string): void
}

/** An engine log line as the exporter needs it. */
export interface EngineLogLine {
  circleId: string
  timestamp_ms: number
  severity_number: number
  severity_text: string
  message: string
  data: unknown
  trace_id: string | null
  span_id: string | null
}

/** The engine's cumulative invocation counters, per circle and function. */
export interface EngineSeries {
  circleId: string
  function_id: string
  invocations: number
  errors: number
}

const MAX_QUEUE = 10_000
/** Bytes of serialized entries one signal's queue may hold (a worker frame may be 4 MiB). */
const MAX_QUEUE_BYTES = 32 * 1024 * 1024
const POST_TIMEOUT_MS = 10_000
const CLOSE_WAIT_MS = 2000
const PATHS: Record<OtlpSignal, string> = { traces: '/v1/traces', logs: '/v1/logs', metrics: '/v1/metrics' }
const KEYS: Record<OtlpSignal, string> = {
  traces: 'resourceSpans',
  logs: 'resourceLogs',
  metrics: 'resourceMetrics',
}
const SCOPE = { name: 'periodic-engine' }

const text = (key: string, value: string) => ({ key, value: { stringValue: value } })
const nano = (ms: number) => `${Math.round(ms * 1000)}000`

export class OtlpExporter {
  /** Serialized resource entries waiting to be sent, and their size. */
  private readonly queues: Record<OtlpSignal, string[]> = { traces: [], logs: [], metrics: [] }
  private readonly queued: Record<OtlpSignal, number> = { traces: 0, logs: 0, metrics: 0 }
  private spans: Array<{ span: OpenSpan; durationMs: number; error: SpanError | null }> = []
  private logs: EngineLogLine[] = []
  private readonly timer: NodeJS.Timeout
  private readonly startMs = Date.now()
  private lastMetricsTotal = -1
  private flushing: Promise<void> | null = null
  private lastWarnMs = 0
  private readonly httpAgent = new HttpAgent({ keepAlive: true })
  private readonly httpsAgent = new HttpsAgent({ keepAlive: true })
  readonly stats = { posted: 0, failed: 0, dropped: 0 }

  constructor(
    readonly config: OtlpExportConfig,
    private readonly serviceName: string,
    private readonly policy: OutboundPolicy,
    private readonly log: ExportLog,
    private readonly engineSeries: () => EngineSeries[],
  ) {
    this.timer = setInterval(() => void this.flush(), config.flushIntervalMs)
    this.timer.unref()
  }

  engineSpan(span: OpenSpan, durationMs: number, error: SpanError | null): void {
    if (this.spans.length >= MAX_QUEUE) {
      this.spans.shift()
      this.stats.dropped++
    }
    this.spans.push({ span, durationMs, error })
  }

  engineLog(line: EngineLogLine): void {
    if (this.logs.length >= MAX_QUEUE) {
      this.logs.shift()
      this.stats.dropped++
    }
    this.logs.push(line)
  }

  /** A worker's request: each resource entry is kept, labelled with the circle it came from. */
  forward(signal: OtlpSignal, circleId: string, request: JsonObject): void {
    if (!this.config[signal]) return
    for (const entry of request[KEYS[signal]] as unknown[]) {
      if (!entry || typeof entry !== 'object' || Array.isArray(entry)) continue
      const e = entry as JsonObject
      const resource = (e['resource'] && typeof e['resource'] === 'object' ? e['resource'] : {}) as JsonObject
      const attrs = Array.isArray(resource['attributes']) ? resource['attributes'] : []
      this.enqueue(signal, {
        ...e,
        resource: { ...resource, attributes: [...attrs, text('periodic.circle.id', circleId)] },
      })
    }
  }

  /**
   * Serialized once, here: an entry that cannot be (nested too deep) is dropped alone, never a
   * whole batch. The queue is bounded in entries and in bytes; the oldest go first.
   */
  private enqueue(signal: OtlpSignal, entry: object): void {
    let json: string
    try {
      json = JSON.stringify(entry)
    } catch {
      this.stats.dropped++
      return
    }
    const q = this.queues[signal]
    q.push(json)
    this.queued[signal] += json.length
    while (q.length > MAX_QUEUE || (this.queued[signal] > MAX_QUEUE_BYTES && q.length > 1)) {
      this.queued[signal] -= q.shift()!.length
      this.stats.dropped++
    }
  }

  /** Sends what is queued (one flush at a time). */
  flush(): Promise<void> {
    if (!this.flushing)
      this.flushing = this.sendAll()
        .catch((err) => this.warn({ err: (err as Error).message }))
        .finally(() => {
          this.flushing = null
        })
    return this.flushing
  }

  /** Stops the timer after a last flush, waiting for it at most CLOSE_WAIT_MS (a shutdown must not hang). */
  async close(): Promise<void> {
    clearInterval(this.timer)
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, CLOSE_WAIT_MS)
    })
    await Promise.race([this.flush(), late])
    clearTimeout(timer)
    this.httpAgent.destroy()
    this.httpsAgent.destroy()
  }

  private async sendAll(): Promise<void> {
    this.drainEngine()
    for (const signal of ['traces', 'logs', 'metrics'] as const) {
      const q = this.queues[signal]
      while (q.length > 0) {
        const batch = q.splice(0, this.config.batchSize)
        for (const e of batch) this.queued[signal] -= e.length
        await this.post(signal, `{"${KEYS[signal]}":[${batch.join(',')}]}`)
      }
    }
  }

  /** Turns the engine's own records into resource entries, one per circle. */
  private drainEngine(): void {
    const c = this.config
    if (c.traces && this.spans.length > 0) {
      const spans = this.spans
      this.spans = []
      for (const [circleId, list] of byCircle(spans, (s) => s.span.circleId))
        this.enqueue(
          'traces',
          this.entry(
            'scopeSpans',
            'spans',
            circleId,
            list.map((s) => otlpSpan(s.span, s.durationMs, s.error)),
          ),
        )
    }
    if (c.logs && this.logs.length > 0) {
      const logs = this.logs
      this.logs = []
      for (const [circleId, list] of byCircle(logs, (l) => l.circleId))
        this.enqueue('logs', this.entry('scopeLogs', 'logRecords', circleId, list.map(otlpLog)))
    }
    if (c.metrics) {
      const series = this.engineSeries()
      const total = series.reduce((n, s) => n + s.invocations, 0)
      if (total === this.lastMetricsTotal) return
      this.lastMetricsTotal = total
      const now = nano(Date.now())
      const start = nano(this.startMs)
      for (const [circleId, list] of byCircle(series, (s) => s.circleId)) {
        const sum = (name: string, value: (s: EngineSeries) => number) => ({
          name,
          unit: '1',
          sum: {
            aggregationTemporality: 2,
            isMonotonic: true,
            dataPoints: list.map((s) => ({
              attributes: [text('function_id', s.function_id)],
              startTimeUnixNano: start,
              timeUnixNano: now,
              asInt: value(s),
            })),
          },
        })
        this.enqueue(
          'metrics',
          this.entry('scopeMetrics', 'metrics', circleId, [
            sum('iii.invocations.total', (s) => s.invocations),
            sum('iii.invocations.error', (s) => s.errors),
          ]),
        )
      }
    }
  }

  private entry(scopeKey: string, itemsKey: string, circleId: string, items: unknown[]): JsonObject {
    return {
      resource: {
        attributes: [text('service.name', this.serviceName), text('periodic.circle.id', circleId)],
      },
      [scopeKey]: [{ scope: SCOPE, [itemsKey]: items }],
    } as unknown as JsonObject
  }

  private async post(signal: OtlpSignal, body: string): Promise<void> {
    try {
      const url = new URL(this.config.endpoint.replace(/\/+$/, '') + PATHS[signal])
      const payload = Buffer.from(body)
      const { host, port } = hostPortOf(url)
      // An address literal never reaches `lookup`: it is decided here.
      this.policy.checkHostNow(host, port)
      await new Promise<void>((resolve, reject) => {
        const https = url.protocol === 'https:'
        const req = (https ? httpsRequest : httpRequest)(
          url,
          {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'content-length': String(payload.length) },
            agent: https ? this.httpsAgent : this.httpAgent,
            lookup: this.policy.lookupFor(port),
            timeout: POST_TIMEOUT_MS,
          },
          (res) => {
            res.resume()
            res.on('end', () => {
              const status = res.statusCode ?? 0
              if (status >= 200 && status < 300) resolve()
              else reject(new Error(`the collector answered ${status}`))
            })
            res.on('error', reject)
          },
        )
        req.on('timeout', () => req.destroy(new Error('the collector did not answer in time')))
        req.on('error', reject)
        req.end(payload)
      })
      this.stats.posted++
    } catch (err) {
      this.stats.failed++
      this.warn({ signal, err: (err as Error).message })
    }
  }

  /** One warning a minute: a collector that is down must not flood the server log. */
  private warn(detail: object): void {
    if (Date.now() - this.lastWarnMs <= 60_000) return
    this.lastWarnMs = Date.now()
    this.log.warn(
      { endpoint: this.config.endpoint, ...detail },
      'observability: OTLP export failed (batch dropped)',
    )
  }
}

function byCircle<T>(items: T[], circle: (x: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>()
  for (const x of items) {
    const k = circle(x)
    const list = m.get(k)
    if (list) list.push(x)
    else m.set(k, [x])
  }
  return m
}

function otlpSpan(s: OpenSpan, durationMs: number, error: SpanError | null): object {
  return {
    traceId: traceIdOf(s),
    spanId: spanIdOf(s),
    ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
    name: s.functionId,
    kind: 2,
    startTimeUnixNano: nano(s.startMs),
    endTimeUnixNano: nano(s.startMs + durationMs),
    attributes: [text('function_id', s.functionId), ...(s.workerId ? [text('worker_id', s.workerId)] : [])],
    status: error ? { code: 2, message: `${error.code}: ${error.message}` } : { code: 1 },
  }
}

function otlpLog(l: EngineLogLine): object {
  return {
    timeUnixNano: nano(l.timestamp_ms),
    observedTimeUnixNano: nano(l.timestamp_ms),
    severityNumber: l.severity_number,
    severityText: l.severity_text,
    body: { stringValue: l.message },
    attributes: l.data === null || l.data === undefined ? [] : [text('log.data', JSON.stringify(l.data))],
    ...(l.trace_id ? { traceId: l.trace_id } : {}),
    ...(l.span_id ? { spanId: l.span_id } : {}),
  }
}
