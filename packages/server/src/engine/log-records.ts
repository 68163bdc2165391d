// Log lines of the observability store: the engine's own (engine::log::*) and the OpenTelemetry
// records workers send, listed with Periodic's fields and iii's side by side.
import type { Json } from '../storage/storage.ts'
import { severityText, type WorkerLog } from './otlp-ingest.ts'

export interface LogRecord {
  circleId: string
  timestamp_ms: number
  level: 'info' | 'warn' | 'error' | 'debug'
  message: string
  data: Json
  trace_id: string | null
  span_id: string | null
  worker_id: string | null
  /** A worker's OpenTelemetry log record (its own fields, as iii lists them). */
  otel?: WorkerLog
}

/** OpenTelemetry severity numbers of the engine's log levels. */
export const SEVERITY: Record<LogRecord['level'], number> = { debug: 5, info: 9, warn: 13, error: 17 }

export const severityOf = (l: LogRecord): number => l.otel?.severity_number ?? SEVERITY[l.level]

/** A log record a worker sent on `/otel`, as the store keeps it. */
export function workerLogRecord(circleId: string, log: WorkerLog): LogRecord {
  const n = log.severity_number
  return {
    circleId,
    timestamp_ms: Math.round(log.timestamp_unix_nano / 1e6) || Date.now(),
    level: n >= 17 ? 'error' : n >= 13 ? 'warn' : n >= 9 || n === 0 ? 'info' : 'debug',
    message: log.body,
    data: null,
    trace_id: log.trace_id,
    span_id: log.span_id,
    worker_id: null,
    otel: log,
  }
}

/** Periodic's fields and iii's (OpenTelemetry log record) fields side by side. */
export function logShape({ circleId: _c, otel, ...l }: LogRecord, serviceName: string): Json {
  if (otel) return { ...l, ...otel } as unknown as Json
  const nanos = l.timestamp_ms * 1e6
  return {
    ...l,
    timestamp_unix_nano: nanos,
    observed_timestamp_unix_nano: nanos,
    severity_number: SEVERITY[l.level],
    severity_text: severityText(SEVERITY[l.level]),
    body: l.message,
    attributes: [],
    resource: [['service.name', serviceName]],
    service_name: serviceName,
  } as unknown as Json
}
