// In-memory spans, logs and metrics of engine invocations (iii's iii-observability with the
// memory exporter). Bounded ring buffers: the oldest entries go first; disabled, every hook is a
// no-op. The engine calls `startSpan`/`endSpan` around each invocation, so this stays cheap:
// ids come from a pooled random buffer and nothing is serialized on the hot path.
import { randomBytes } from 'node:crypto'
import type { Json } from '../storage/storage.ts'
import { parseTraceparent } from '../trace-context.ts'
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

export interface SpanRecord {
  circleId: string
  trace_id: string
  span_id: string
  parent_span_id: string | null
  name: string
  function_id: string
  worker_id: string | null
  start_time_ms: number
  end_time_ms: number | null
  duration_ms: number | null
  status: 'unset' | 'ok' | 'error'
  error: { code: string; message: string } | null
  /** performance.now() at start, for the duration. */
  t0: number
  sampled: boolean
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

let pool = Buffer.alloc(0)
let poolAt = 0
/** Random hex ids from a pooled buffer (one randomBytes call per 512 span ids). */
function randomHex(bytes: number): string {
  if (poolAt + bytes > pool.length) {
    pool = randomBytes(4096)
    poolAt = 0
  }
  const s = pool.toString('hex', poolAt, poolAt + bytes)
  poolAt += bytes
  return s
}

export interface ListQuery {
  trace_id?: string | null
  function_id?: string | null
  level?: string | null
  limit: number
  offset: number
}

export class Observability {
  private spans: Ring<SpanRecord>
  private logs: Ring<LogRecord>
  /** circleId -> function id -> series (insertion order = age, for trimming). */
  private metrics = new Map<string, Map<string, MetricSeries>>()
  private metricCount = 0
  /** Functions whose invocations get no span (the query functions themselves). */
  readonly untraced = new Set<string>()

  constructor(private config: ObservabilityConfig = DEFAULT_OBSERVABILITY) {
    this.spans = new Ring(config.maxSpans)
    this.logs = new Ring(config.maxLogs)
  }

  get enabled(): boolean {
    return this.config.enabled
  }

  /** Applies an iii-observability config; buffers are rebuilt keeping their newest entries. */
  configure(c: ObservabilityConfig): void {
    this.config = c
    const spans = new Ring<SpanRecord>(c.maxSpans)
    for (const s of this.spans.toArray()) spans.push(s)
    this.spans = spans
    const logs = new Ring<LogRecord>(c.maxLogs)
    for (const l of this.logs.toArray()) logs.push(l)
    this.logs = logs
    this.trimMetrics()
  }

  /** A span for one invocation, or null when disabled (the engine then skips `endSpan`). */
  startSpan(caller: EngineCaller, functionId: string, traceparent: string | undefined): SpanRecord | null {
    const c = this.config
    if (!c.enabled || this.untraced.has(functionId)) return null
    const parent = traceparent ? parseTraceparent(traceparent) : null
    return {
      circleId: caller.circleId,
      trace_id: parent ? parent.traceId : randomHex(16),
      span_id: randomHex(8),
      parent_span_id: parent ? parent.spanId : null,
      name: functionId,
      function_id: functionId,
      worker_id: caller.workerId ?? null,
      start_time_ms: Date.now(),
      end_time_ms: null,
      duration_ms: null,
      status: 'unset',
      error: null,
      t0: performance.now(),
      sampled: c.samplingRatio >= 1 || Math.random() < c.samplingRatio,
    }
  }

  endSpan(span: SpanRecord, err: unknown): void {
    const duration = performance.now() - span.t0
    span.duration_ms = Math.round(duration * 1000) / 1000
    span.end_time_ms = span.start_time_ms + Math.round(duration)
    if (err === undefined) span.status = 'ok'
    else {
      const e = err as { code?: unknown; message?: unknown }
      span.status = 'error'
      span.error = {
        code: typeof e?.code === 'string' ? e.code : 'internal_error',
        message: typeof e?.message === 'string' ? e.message.slice(0, 1000) : String(err).slice(0, 1000),
      }
    }
    if (span.sampled) this.spans.push(span)
    if (this.config.metricsEnabled) this.count(span, duration, err !== undefined)
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
    const all = this.spans
      .toArray()
      .filter(
        (s) =>
          s.circleId === circleId &&
          (!q.trace_id || s.trace_id === q.trace_id) &&
          (!q.function_id || s.function_id === q.function_id),
      )
    return { spans: page(all, q).map(spanJson), total: all.length }
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

  private count(span: SpanRecord, duration: number, failed: boolean): void {
    let fns = this.metrics.get(span.circleId)
    if (!fns) {
      fns = new Map()
      this.metrics.set(span.circleId, fns)
    }
    let m = fns.get(span.function_id)
    if (!m) {
      m = {
        function_id: span.function_id,
        invocations: 0,
        errors: 0,
        total_duration_ms: 0,
        min_duration_ms: duration,
        max_duration_ms: duration,
        last_ms: Date.now(),
      }
      fns.set(span.function_id, m)
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

const round = (n: number) => Math.round(n * 1000) / 1000

/** Newest first, after `offset`, at most `limit`. */
function page<T>(all: T[], q: ListQuery): T[] {
  const end = all.length - q.offset
  return end <= 0 ? [] : all.slice(Math.max(0, end - q.limit), end).reverse()
}

function spanJson(s: SpanRecord): Json {
  return {
    trace_id: s.trace_id,
    span_id: s.span_id,
    parent_span_id: s.parent_span_id,
    name: s.name,
    function_id: s.function_id,
    worker_id: s.worker_id,
    start_time_ms: s.start_time_ms,
    end_time_ms: s.end_time_ms,
    duration_ms: s.duration_ms,
    status: s.status,
    error: s.error,
  }
}
