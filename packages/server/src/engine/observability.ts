// In-memory spans, logs and metrics of engine invocations (iii's iii-observability with the
// memory exporter). Bounded ring buffers: the oldest entries go first; disabled, every hook is a
// no-op. The engine calls `startSpan`/`endSpan` around each invocation, so this stays cheap:
// ids come from a counter behind a random prefix and nothing is serialized on the hot path.
// Workers' own telemetry (iii-sdk's `/otel` frames) joins through `workers`; an OTLP exporter,
// when configured, gets a copy of everything.
import type { Json, JsonObject } from '../storage/storage.ts'
import { formatTraceparent, parseTraceparent } from '../trace-context.ts'
import { type LogRecord, logShape, SEVERITY, severityOf, workerLogRecord } from './log-records.ts'
import type { OtlpExportConfig, OtlpExporter } from './otlp-export.ts'
import { type OtlpSignal, severityText } from './otlp-ingest.ts'
import { type ListQuery, mergeByEnd, page, Ring } from './ring.ts'
import {
  currentPrefix,
  nextIdNumber,
  type OpenSpan,
  type SpanError,
  SpanRing,
  spanIdOf,
  traceIdOf,
} from './span-ring.ts'
import type { EngineCaller } from './worker-connection.ts'
import { WorkerTelemetry } from './worker-telemetry.ts'

export interface ObservabilityConfig {
  enabled: boolean
  /** 0..1: the share of traces whose spans are kept (metrics count every invocation). */
  samplingRatio: number
  maxSpans: number
  logsEnabled: boolean
  maxLogs: number
  logsRetentionSeconds: number
  metricsEnabled: boolean
  /** Distinct (circle, function) series kept. */
  maxMetrics: number
  metricsRetentionSeconds: number
  /** `service.name` of the engine's own spans and logs. */
  serviceName: string
  /** OTLP export (iii's `exporter: otlp|both` + `endpoint`); null: memory only. */
  export: OtlpExportConfig | null
}

export const DEFAULT_OBSERVABILITY: ObservabilityConfig = {
  enabled: true,
  samplingRatio: 1,
  maxSpans: 10_000,
  logsEnabled: true,
  maxLogs: 1000,
  logsRetentionSeconds: 3600,
  metricsEnabled: true,
  maxMetrics: 10_000,
  metricsRetentionSeconds: 3600,
  serviceName: 'periodic',
  export: null,
}

interface MetricSeries {
  function_id: string
  invocations: number
  errors: number
  total_duration_ms: number
  min_duration_ms: number
  max_duration_ms: number
  last_ms: number
}

export type { ListQuery, LogRecord }

export class Observability {
  private spans: SpanRing
  /** Engine log lines and workers' log records (the worker sink pushes here). */
  private logs: Ring<LogRecord>
  /** circleId -> function id -> series (insertion order = age, for trimming). */
  private metrics = new Map<string, Map<string, MetricSeries>>()
  private metricCount = 0
  /** Functions whose invocations get no span (the query functions themselves). */
  readonly untraced = new Set<string>()
  /** Spans, logs and metrics that workers send on `/otel`. */
  readonly workers: WorkerTelemetry
  private exporter: OtlpExporter | null = null
  /** Builds the OTLP exporter (start-engine supplies it: it holds the outbound policy). */
  exporterFactory: ((c: OtlpExportConfig, serviceName: string) => OtlpExporter) | null = null

  constructor(private config: ObservabilityConfig = DEFAULT_OBSERVABILITY) {
    this.spans = new SpanRing(config.maxSpans)
    this.logs = new Ring(config.maxLogs)
    const obs = this
    this.workers = new WorkerTelemetry(
      {
        get enabled() {
          return obs.config.enabled
        },
        get logsEnabled() {
          return obs.config.logsEnabled
        },
        get metricsEnabled() {
          return obs.config.metricsEnabled
        },
        sampled: (traceId) =>
          obs.config.samplingRatio >= 1 || sampledTrace(traceId, obs.config.samplingRatio),
        addLog: (circleId, log) => obs.logs.push(workerLogRecord(circleId, log)),
        get forward() {
          const e = obs.exporter
          return e
            ? (signal: OtlpSignal, circleId: string, r: JsonObject) => e.forward(signal, circleId, r)
            : null
        },
      },
      config.maxSpans,
      config.maxMetrics,
    )
  }

  get enabled(): boolean {
    return this.config.enabled
  }

  /** Applies an iii-observability config; buffers are rebuilt keeping their newest entries. */
  configure(c: ObservabilityConfig): void {
    this.config = c
    this.spans = this.spans.resized(c.maxSpans)
    this.logs = this.logs.resized(c.maxLogs)
    this.trimMetrics()
    this.workers.resize(c.maxSpans, c.maxMetrics)
    void this.exporter?.close()
    this.exporter = c.export && this.exporterFactory ? this.exporterFactory(c.export, c.serviceName) : null
  }

  /** The OTLP exporter in use (null: memory only). */
  get otlp(): OtlpExporter | null {
    return this.exporter
  }

  /** Stops the exporter after a last flush (engine shutdown). */
  async close(): Promise<void> {
    await this.exporter?.close()
    this.exporter = null
  }

  /** The engine's invocation counters, for the exporter. */
  engineSeries(): Array<{ circleId: string; function_id: string; invocations: number; errors: number }> {
    const out = []
    for (const [circleId, fns] of this.metrics)
      for (const m of fns.values())
        out.push({ circleId, function_id: m.function_id, invocations: m.invocations, errors: m.errors })
    return out
  }

  /** A span for one invocation, or null when disabled (the engine then skips `endSpan`). */
  startSpan(caller: EngineCaller, functionId: string, traceparent: string | undefined): OpenSpan | null {
    const c = this.config
    if (!c.enabled || this.untraced.has(functionId)) return null
    const parent = traceparent ? parseTraceparent(traceparent) : null
    // Numbers first: the prefix they belong to is the one current after drawing them.
    const traceNum = parent ? 0 : nextIdNumber()
    const spanNum = nextIdNumber()
    return {
      circleId: caller.circleId,
      functionId,
      workerId: caller.workerId ?? null,
      foreignTraceId: parent ? parent.traceId : null,
      parentSpanId: parent ? parent.spanId : null,
      prefix: currentPrefix(),
      traceNum,
      spanNum,
      startMs: Date.now(),
      t0: performance.now(),
      sampled: c.samplingRatio >= 1 || sampledTrace(parent ? parent.traceId : traceNum, c.samplingRatio),
    }
  }

  /** The traceparent naming this span, for a callee that should join its trace. */
  traceparentOf(span: OpenSpan): string {
    return formatTraceparent(traceIdOf(span), spanIdOf(span))
  }

  endSpan(span: OpenSpan, err: unknown): void {
    const duration = performance.now() - span.t0
    let error: SpanError | null = null
    if (err !== undefined) {
      const e = err as { code?: unknown; message?: unknown }
      error = {
        code: typeof e?.code === 'string' ? e.code : 'internal_error',
        message: typeof e?.message === 'string' ? e.message.slice(0, 1000) : String(err).slice(0, 1000),
      }
    }
    if (span.sampled) {
      this.spans.push(span, duration, error)
      if (this.exporter?.config.traces) this.exporter.engineSpan(span, duration, error)
    }
    if (this.config.metricsEnabled) this.count(span, duration, error !== null)
  }

  log(
    caller: EngineCaller,
    level: LogRecord['level'],
    message: string,
    data: Json,
    traceparent: string | undefined,
  ): void {
    const c = this.config
    if (!c.enabled || !c.logsEnabled) return
    const parent = traceparent ? parseTraceparent(traceparent) : null
    const record: LogRecord = {
      circleId: caller.circleId,
      timestamp_ms: Date.now(),
      level,
      message,
      data,
      trace_id: parent?.traceId ?? null,
      span_id: parent?.spanId ?? null,
      worker_id: caller.workerId ?? null,
    }
    this.logs.push(record)
    if (this.exporter?.config.logs)
      this.exporter.engineLog({
        ...record,
        severity_number: SEVERITY[level],
        severity_text: level.toUpperCase(),
      })
  }

  listSpans(circleId: string, q: ListQuery): { spans: Json[]; total: number; offset: number; limit: number } {
    const trace = q.trace_id ?? null
    const fn = q.function_id ?? null
    const engine = this.spans.list(circleId, trace, fn, this.config.serviceName)
    let all = mergeByEnd(engine, this.workers.listSpans(circleId, trace, fn))
    const like = (field: string, want: string | null | undefined) => {
      const w = want?.toLowerCase()
      if (w)
        all = all.filter((x) =>
          String((x as Record<string, unknown>)[field])
            .toLowerCase()
            .includes(w),
        )
    }
    like('name', q.name)
    like('service_name', q.service_name)
    like('status', q.status)
    return { spans: page(all, q), total: all.length, offset: q.offset, limit: q.limit }
  }

  listLogs(circleId: string, q: ListQuery): { logs: Json[]; total: number; timestamp: number } {
    const since = Date.now() - this.config.logsRetentionSeconds * 1000
    const all = this.logs
      .toArray()
      .filter(
        (l) =>
          l.circleId === circleId &&
          l.timestamp_ms >= since &&
          (!q.trace_id || l.trace_id === q.trace_id) &&
          (!q.span_id || l.span_id === q.span_id) &&
          (!q.level || l.level === q.level) &&
          (q.severity_min == null || severityOf(l) >= q.severity_min) &&
          (!q.severity_text || severityText(severityOf(l)) === q.severity_text.toUpperCase()),
      )
    const service = this.config.serviceName
    return { logs: page(all, q).map((l) => logShape(l, service)), total: all.length, timestamp: Date.now() }
  }

  /** Metrics workers sent on `/otel` (iii's `sdk_metrics`), newest first. */
  listSdkMetrics(circleId: string, name: string | null): Json[] {
    return this.workers.listMetrics(circleId, Date.now() - this.config.metricsRetentionSeconds * 1000, name)
  }

  listMetrics(circleId: string, functionId: string | null): Json[] {
    const since = Date.now() - this.config.metricsRetentionSeconds * 1000
    const out: Json[] = []
    for (const m of this.metrics.get(circleId)?.values() ?? []) {
      if (m.last_ms < since || (functionId && m.function_id !== functionId)) continue
      out.push({
        function_id: m.function_id,
        invocations: m.invocations,
        errors: m.errors,
        avg_duration_ms: m.invocations ? round(m.total_duration_ms / m.invocations) : 0,
        min_duration_ms: round(m.min_duration_ms),
        max_duration_ms: round(m.max_duration_ms),
        last_invocation_ms: m.last_ms,
      })
    }
    return out
  }

  private count(span: OpenSpan, duration: number, failed: boolean): void {
    let fns = this.metrics.get(span.circleId)
    if (!fns) {
      fns = new Map()
      this.metrics.set(span.circleId, fns)
    }
    let m = fns.get(span.functionId)
    if (!m) {
      m = {
        function_id: span.functionId,
        invocations: 0,
        errors: 0,
        total_duration_ms: 0,
        min_duration_ms: duration,
        max_duration_ms: duration,
        last_ms: Date.now(),
      }
      fns.set(span.functionId, m)
      this.metricCount++
      if (this.metricCount > this.config.maxMetrics) this.trimMetrics()
    }
    m.invocations++
    if (failed) m.errors++
    m.total_duration_ms += duration
    if (duration < m.min_duration_ms) m.min_duration_ms = duration
    if (duration > m.max_duration_ms) m.max_duration_ms = duration
    m.last_ms = Date.now()
  }

  /** Drops the least recently used series until within `maxMetrics`. */
  private trimMetrics(): void {
    while (this.metricCount > this.config.maxMetrics) {
      let oldest: { fns: Map<string, MetricSeries>; id: string; at: number } | null = null
      for (const fns of this.metrics.values())
        for (const [id, m] of fns) if (!oldest || m.last_ms < oldest.at) oldest = { fns, id, at: m.last_ms }
      if (!oldest) break
      oldest.fns.delete(oldest.id)
      this.metricCount--
    }
  }
}

/**
 * Whether a trace is kept, decided from its id so every span of a trace (on any node, through
 * any worker that forwards the traceparent) gets the same answer: a multiplicative hash of the
 * id's last 32 bits against the ratio. Ids the engine makes end in their counter.
 */
export function sampledTrace(trace: string | number, ratio: number): boolean {
  const low = typeof trace === 'number' ? trace : Number.parseInt(trace.slice(-8), 16)
  return Math.imul(low, 0x9e3779b1) >>> 0 < ratio * 0x1_0000_0000
}

/**
 * The `data` of an engine::log::* line, in memory and in the server log, is bounded: a string is
 * cut to 16 KiB, a bigger object or array is replaced by a note of its serialized size (a
 * worker could otherwise write megabytes per call into the server's log files).
 */
export const MAX_LOG_DATA = 16 * 1024
export function boundedLogData(data: Json): Json {
  if (data === null || typeof data !== 'object')
    return typeof data === 'string' ? data.slice(0, MAX_LOG_DATA) : data
  const bytes = JSON.stringify(data).length
  return bytes > MAX_LOG_DATA ? { truncated: true, bytes } : data
}

const round = (n: number) => Math.round(n * 1000) / 1000
