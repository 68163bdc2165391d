// What workers send on `/otel` (iii-sdk's OpenTelemetry exporter), kept per circle: their spans
// in a ring beside the engine's (listed together, so a worker's `execute <fn>` span shows under
// the engine's invocation span of the same trace), their metrics in a bounded ring, their logs
// in the engine's log store. Frames that are not OTLP are counted and dropped, never thrown.
import type { Json, JsonObject } from '../storage/storage.ts'
import {
  logsOf,
  metricsOf,
  type OtlpSignal,
  parseOtlpFrame,
  spansOf,
  type WorkerLog,
  type WorkerMetric,
  type WorkerSpan,
} from './otlp-ingest.ts'
import { Ring } from './ring.ts'

export interface StoredWorkerSpan {
  circleId: string
  endMs: number
  span: WorkerSpan
}

interface StoredWorkerMetric {
  circleId: string
  receivedMs: number
  metric: WorkerMetric
}

/** What the store needs from the engine's observability settings and sinks. */
export interface TelemetrySink {
  readonly enabled: boolean
  readonly logsEnabled: boolean
  readonly metricsEnabled: boolean
  /** Whether spans of this trace are kept (the engine's per-trace sampling decision). */
  sampled(traceId: string): boolean
  addLog(circleId: string, log: WorkerLog): void
  /** The request as received, for an OTLP exporter (null when nothing is exported). */
  forward: ((signal: OtlpSignal, circleId: string, request: JsonObject) => void) | null
}

export interface TelemetryCounters {
  frames: number
  malformed: number
  spans: number
  logs: number
  metrics: number
  skipped: number
}

export class WorkerTelemetry {
  private spans: Ring<StoredWorkerSpan>
  private metrics: Ring<StoredWorkerMetric>
  readonly counters: TelemetryCounters = {
    frames: 0,
    malformed: 0,
    spans: 0,
    logs: 0,
    metrics: 0,
    skipped: 0,
  }

  constructor(
    private readonly sink: TelemetrySink,
    maxSpans: number,
    maxMetrics: number,
  ) {
    this.spans = new Ring(maxSpans)
    this.metrics = new Ring(maxMetrics)
  }

  resize(maxSpans: number, maxMetrics: number): void {
    this.spans = this.spans.resized(maxSpans)
    this.metrics = this.metrics.resized(maxMetrics)
  }

  /** One binary frame from a circle's `/otel` socket. */
  ingest(circleId: string, frame: Buffer): void {
    this.counters.frames++
    try {
      this.take(circleId, frame)
    } catch {
      // Whatever a worker sends must not throw out of a socket handler (it would end the server).
      this.counters.malformed++
    }
  }

  private take(circleId: string, frame: Buffer): void {
    const parsed = parseOtlpFrame(frame)
    if (!parsed) {
      this.counters.malformed++
      return
    }
    const s = this.sink
    if (!s.enabled) return
    const { signal, request } = parsed
    if (signal === 'traces') {
      const { spans, skipped } = spansOf(request)
      this.counters.skipped += skipped
      for (const span of spans) {
        if (!s.sampled(span.trace_id)) continue
        this.spans.push({ circleId, endMs: span.end_time_unix_nano / 1e6, span })
        this.counters.spans++
      }
    } else if (signal === 'logs') {
      if (!s.logsEnabled) return
      const { logs, skipped } = logsOf(request)
      this.counters.skipped += skipped
      for (const log of logs) s.addLog(circleId, log)
      this.counters.logs += logs.length
    } else {
      if (!s.metricsEnabled) return
      const { metrics, skipped } = metricsOf(request)
      this.counters.skipped += skipped
      const now = Date.now()
      for (const metric of metrics) this.metrics.push({ circleId, receivedMs: now, metric })
      this.counters.metrics += metrics.length
    }
    s.forward?.(signal, circleId, request)
  }

  /** A circle's worker spans as listed, oldest end first, matching the trace filter. */
  listSpans(circleId: string, traceId: string | null, functionId: string | null): Json[] {
    // Worker spans carry no engine function id: a function filter names engine spans only.
    if (functionId) return []
    const kept = this.spans
      .toArray()
      .filter((x) => x.circleId === circleId && (!traceId || x.span.trace_id === traceId))
      .sort((a, b) => a.endMs - b.endMs)
    return kept.map(({ span, endMs }) => {
      const start = span.start_time_unix_nano / 1e6
      return {
        ...span,
        function_id: null,
        worker_id: null,
        start_time_ms: Math.round(start),
        end_time_ms: Math.round(endMs),
        duration_ms: Math.max(0, Math.round((endMs - start) * 1000) / 1000),
        error: span.status === 'error' ? { code: 'error', message: span.status_description ?? '' } : null,
      } as unknown as Json
    })
  }

  /** A circle's worker metrics newer than `sinceMs`, newest first, optionally one metric name. */
  listMetrics(circleId: string, sinceMs: number, name: string | null): Json[] {
    const out: Json[] = []
    for (const m of this.metrics.toArray())
      if (m.circleId === circleId && m.receivedMs >= sinceMs && (!name || m.metric.name === name))
        out.push(m.metric as unknown as Json)
    return out.reverse()
  }
}
