// In-memory spans, logs and metrics of engine invocations (iii's iii-observability with the
// memory exporter). Bounded ring buffers: the oldest entries go first; disabled, every hook is a
// no-op. The engine calls `startSpan`/`endSpan` around each invocation, so this stays cheap:
// ids come from a counter behind a random prefix and nothing is serialized on the hot path.
import type { Json } from '../storage/storage.ts'
import { formatTraceparent, parseTraceparent } from '../trace-context.ts'
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
}

export interface LogRecord {
  circleId: string
  timestamp_ms: number
  level: 'info' | 'warn' | 'error' | 'debug'
  message: string
  data: Json
  trace_id: string | null
  span_id: string | null
  worker_id: string | null
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

/** A fixed-size buffer that overwrites its oldest entry when full. */
export class Ring<T> {
  private items: Array<T | undefined>
  private next = 0
  size = 0

  constructor(readonly capacity: number) {
    this.items = new Array(Math.max(1, capacity))
  }

  push(x: T): void {
    this.items[this.next] = x
    this.next = (this.next + 1) % this.items.length
    if (this.size < this.items.length) this.size++
  }

  /** Oldest first. */
  toArray(): T[] {
    const out: T[] = []
    const n = this.items.length
    for (let i = 0; i < this.size; i++) out.push(this.items[(this.next - this.size + i + n) % n] as T)
    return out
  }
}

export interface ListQuery {
  trace_id?: string | null
  function_id?: string | null
  level?: string | null
  limit: number
  offset: number
}

export class Observability {
  private spans: SpanRing
  private logs: Ring<LogRecord>
  /** circleId -> function id -> series (insertion order = age, for trimming). */
  private metrics = new Map<string, Map<string, MetricSeries>>()
  private metricCount = 0
  /** Functions whose invocations get no span (the query functions themselves). */
  readonly untraced = new Set<string>()

  constructor(private config: ObservabilityConfig = DEFAULT_OBSERVABILITY) {
    this.spans = new SpanRing(config.maxSpans)
    this.logs = new Ring(config.maxLogs)
  }

  get enabled(): boolean {
    return this.config.enabled
  }

  /** Applies an iii-observability config; buffers are rebuilt keeping their newest entries. */
  configure(c: ObservabilityConfig): void {
    this.config = c
    this.spans = this.spans.resized(c.maxSpans)
    const logs = new Ring<LogRecord>(c.maxLogs)
    for (const l of this.logs.toArray()) logs.push(l)
    this.logs = logs
    this.trimMetrics()
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
    if (span.sampled) this.spans.push(span, duration, error)
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
    this.logs.push({
      circleId: caller.circleId,
      timestamp_ms: Date.now(),
      level,
      message,
      data,
      trace_id: parent?.traceId ?? null,
      span_id: parent?.spanId ?? null,
      worker_id: caller.workerId ?? null,
    })
  }

  listSpans(circleId: string, q: ListQuery): { spans: Json[]; total: number } {
    const all = this.spans.list(circleId, q.trace_id ?? null, q.function_id ?? null)
    return { spans: page(all, q), total: all.length }
  }

  listLogs(circleId: string, q: ListQuery): { logs: Json[]; total: number } {
    const since = Date.now() - this.config.logsRetentionSeconds * 1000
    const all = this.logs
      .toArray()
      .filter(
        (l) =>
          l.circleId === circleId &&
          l.timestamp_ms >= since &&
          (!q.trace_id || l.trace_id === q.trace_id) &&
          (!q.level || l.level === q.level),
      )
    return {
      logs: page(all, q).map(({ circleId: _c, ...l }) => l as unknown as Json),
      total: all.length,
    }
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
function sampledTrace(trace: string | number, ratio: number): boolean {
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

/** Newest first, after `offset`, at most `limit`. */
function page<T>(all: T[], q: ListQuery): T[] {
  const end = all.length - q.offset
  return end <= 0 ? [] : all.slice(Math.max(0, end - q.limit), end).reverse()
}
