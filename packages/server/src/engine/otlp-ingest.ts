// Reads the telemetry frames iii-sdk sends on `/otel`: a 4-byte prefix (`OTLP` spans, `LOGS`
// logs, `MTRC` metrics) and an OTLP/JSON export request. Everything a worker sends is untrusted:
// counts, string lengths and attribute lists are capped here, and anything that does not have
// the OTLP shape is reported as malformed (the caller counts it and carries on).
import type { Json, JsonObject } from '../storage/storage.ts'

export type OtlpSignal = 'traces' | 'logs' | 'metrics'

const PREFIXES: Record<string, OtlpSignal> = { OTLP: 'traces', LOGS: 'logs', MTRC: 'metrics' }
/** Per frame: at most this many spans, log records or metric data points are read. */
export const MAX_ITEMS_PER_FRAME = 2000
const MAX_ATTRIBUTES = 64
const MAX_VALUE_CHARS = 1024
const MAX_EVENTS = 32
/** Characters of attributes (events' and links' included) one record may keep: memory is bounded per record. */
export const RECORD_BUDGET = 8 * 1024
/** Data points kept per metric. */
const MAX_POINTS = 64
const MAX_BODY_CHARS = 8 * 1024

/** The signal and the parsed request of a frame, or null when it is not a telemetry frame. */
export function parseOtlpFrame(frame: Buffer): { signal: OtlpSignal; request: JsonObject } | null {
  if (frame.length < 6) return null
  const signal = PREFIXES[frame.subarray(0, 4).toString('latin1')]
  if (!signal) return null
  let request: unknown
  try {
    request = JSON.parse(frame.subarray(4).toString('utf8'))
  } catch {
    return null
  }
  const key = signal === 'traces' ? 'resourceSpans' : signal === 'logs' ? 'resourceLogs' : 'resourceMetrics'
  if (!isObject(request) || !Array.isArray(request[key])) return null
  return { signal, request }
}

const isObject = (v: unknown): v is JsonObject => !!v && typeof v === 'object' && !Array.isArray(v)
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : [])
const str = (v: unknown, max = MAX_VALUE_CHARS): string | null =>
  typeof v === 'string' ? v.slice(0, max) : null
const HEX = /^[0-9a-f]+$/

/** A hex id of the given length (OTLP/JSON ids are hex), else null. */
function hexId(v: unknown, len: number): string | null {
  return typeof v === 'string' && v.length === len && HEX.test(v) && !/^0+$/.test(v) ? v : null
}

/** Unix nanoseconds (OTLP/JSON sends them as strings or numbers) as a number, else 0. */
export function nanos(v: unknown): number {
  const n = typeof v === 'string' ? Number(v) : typeof v === 'number' ? v : Number.NaN
  return Number.isFinite(n) && n >= 0 ? n : 0
}

/** An OTLP AnyValue as plain text (iii lists attributes as [key, string] pairs). */
function anyText(v: unknown, max = MAX_VALUE_CHARS): string {
  if (!isObject(v)) return ''
  if (typeof v['stringValue'] === 'string') return v['stringValue'].slice(0, max)
  for (const k of ['boolValue', 'intValue', 'doubleValue'])
    if (v[k] !== undefined && v[k] !== null) return String(v[k]).slice(0, max)
  const raw = v['kvlistValue'] ?? v['arrayValue'] ?? v['bytesValue'] ?? ''
  // Stringifying a huge value only to cut it would cost the whole frame again: a big one is named.
  let json: string
  try {
    json = JSON.stringify(raw)
  } catch {
    return '[value too deep]'
  }
  return json.length > 64 * 1024 ? '[value too large]' : json.slice(0, max)
}

/** What is left of a record's attribute budget (shared by its events, links and points). */
interface Budget {
  left: number
}

/** OTLP attributes as `[key, text]` pairs, capped in number and in the record's budget. */
export function attributePairs(
  v: unknown,
  budget: Budget = { left: RECORD_BUDGET },
): Array<[string, string]> {
  const out: Array<[string, string]> = []
  for (const a of arr(v)) {
    if (out.length >= MAX_ATTRIBUTES || budget.left <= 0) break
    if (!isObject(a)) continue
    const key = str(a['key'], 256)
    if (!key) continue
    const value = anyText(a['value'], Math.min(MAX_VALUE_CHARS, Math.max(0, budget.left - key.length)))
    budget.left -= key.length + value.length
    out.push([key, value])
  }
  return out
}

const attr = (pairs: Array<[string, string]>, key: string) => pairs.find(([k]) => k === key)?.[1] ?? null

export interface WorkerSpan {
  trace_id: string
  span_id: string
  parent_span_id: string | null
  name: string
  start_time_unix_nano: number
  end_time_unix_nano: number
  status: 'ok' | 'error' | 'unset'
  status_description?: string
  attributes: Array<[string, string]>
  service_name: string
  events: Array<{ name: string; timestamp_unix_nano: number; attributes: Array<[string, string]> }>
  links: Array<{ trace_id: string; span_id: string; attributes: Array<[string, string]> }>
  instrumentation_scope_name?: string
}

/** The spans of an OTLP trace request (malformed spans are skipped and counted). */
export function spansOf(request: JsonObject): { spans: WorkerSpan[]; skipped: number } {
  const spans: WorkerSpan[] = []
  let skipped = 0
  for (const rs of arr(request['resourceSpans'])) {
    if (!isObject(rs)) continue
    const resource = attributePairs(isObject(rs['resource']) ? rs['resource']['attributes'] : [])
    const service = attr(resource, 'service.name') ?? 'unknown'
    for (const ss of arr(rs['scopeSpans'])) {
      if (!isObject(ss)) continue
      const scope = isObject(ss['scope']) ? str(ss['scope']['name'], 256) : null
      for (const s of arr(ss['spans'])) {
        if (spans.length >= MAX_ITEMS_PER_FRAME) return { spans, skipped: skipped + 1 }
        const span = isObject(s) ? spanOf(s, service, scope) : null
        if (span) spans.push(span)
        else skipped++
      }
    }
  }
  return { spans, skipped }
}

function spanOf(s: JsonObject, service: string, scope: string | null): WorkerSpan | null {
  const trace = hexId(s['traceId'], 32)
  const span = hexId(s['spanId'], 16)
  const name = str(s['name'], 512)
  if (!trace || !span || name === null) return null
  const status = isObject(s['status']) ? s['status'] : {}
  const code = status['code']
  const message = str(status['message'])
  const budget: Budget = { left: RECORD_BUDGET }
  return {
    trace_id: trace,
    span_id: span,
    parent_span_id: hexId(s['parentSpanId'], 16),
    name,
    start_time_unix_nano: nanos(s['startTimeUnixNano']),
    end_time_unix_nano: nanos(s['endTimeUnixNano']),
    status:
      code === 1 || code === 'STATUS_CODE_OK'
        ? 'ok'
        : code === 2 || code === 'STATUS_CODE_ERROR'
          ? 'error'
          : 'unset',
    ...(message ? { status_description: message } : {}),
    attributes: attributePairs(s['attributes'], budget),
    service_name: service,
    events: arr(s['events'])
      .slice(0, MAX_EVENTS)
      .filter(isObject)
      .map((e) => ({
        name: str(e['name'], 256) ?? '',
        timestamp_unix_nano: nanos(e['timeUnixNano']),
        attributes: attributePairs(e['attributes'], budget),
      })),
    links: arr(s['links'])
      .slice(0, MAX_EVENTS)
      .filter(isObject)
      .flatMap((l) => {
        const t = hexId(l['traceId'], 32)
        const id = hexId(l['spanId'], 16)
        return t && id
          ? [{ trace_id: t, span_id: id, attributes: attributePairs(l['attributes'], budget) }]
          : []
      }),
    ...(scope ? { instrumentation_scope_name: scope } : {}),
  }
}

export interface WorkerLog {
  timestamp_unix_nano: number
  observed_timestamp_unix_nano: number
  severity_number: number
  severity_text: string
  body: string
  attributes: Array<[string, string]>
  trace_id: string | null
  span_id: string | null
  resource: Array<[string, string]>
  service_name: string
  instrumentation_scope_name?: string
}

/** The log records of an OTLP logs request. */
export function logsOf(request: JsonObject): { logs: WorkerLog[]; skipped: number } {
  const logs: WorkerLog[] = []
  let skipped = 0
  for (const rl of arr(request['resourceLogs'])) {
    if (!isObject(rl)) continue
    const resource = attributePairs(isObject(rl['resource']) ? rl['resource']['attributes'] : [])
    const service = attr(resource, 'service.name') ?? 'unknown'
    for (const sl of arr(rl['scopeLogs'])) {
      if (!isObject(sl)) continue
      const scope = isObject(sl['scope']) ? str(sl['scope']['name'], 256) : null
      for (const r of arr(sl['logRecords'])) {
        if (logs.length >= MAX_ITEMS_PER_FRAME) return { logs, skipped: skipped + 1 }
        if (!isObject(r)) {
          skipped++
          continue
        }
        const attributes = attributePairs(r['attributes'])
        const sev = typeof r['severityNumber'] === 'number' ? Math.trunc(r['severityNumber']) : 0
        const time = nanos(r['timeUnixNano']) || nanos(r['observedTimeUnixNano'])
        logs.push({
          timestamp_unix_nano: time,
          observed_timestamp_unix_nano: nanos(r['observedTimeUnixNano']) || time,
          severity_number: sev >= 0 && sev <= 24 ? sev : 0,
          severity_text: str(r['severityText'], 32) || severityText(sev),
          body: anyText(r['body'], MAX_BODY_CHARS),
          attributes,
          trace_id: hexId(r['traceId'], 32) ?? hexId(attr(attributes, 'trace_id'), 32),
          span_id: hexId(r['spanId'], 16) ?? hexId(attr(attributes, 'span_id'), 16),
          resource,
          service_name: service,
          ...(scope ? { instrumentation_scope_name: scope } : {}),
        })
      }
    }
  }
  return { logs, skipped }
}

/** OpenTelemetry's severity number ranges (1-4 TRACE … 21-24 FATAL). */
export function severityText(n: number): string {
  return n >= 21
    ? 'FATAL'
    : n >= 17
      ? 'ERROR'
      : n >= 13
        ? 'WARN'
        : n >= 9
          ? 'INFO'
          : n >= 5
            ? 'DEBUG'
            : n >= 1
              ? 'TRACE'
              : 'UNSPECIFIED'
}

export interface WorkerMetric {
  name: string
  description: string
  unit: string
  metric_type: 'gauge' | 'sum' | 'histogram' | 'exponential_histogram' | 'summary'
  data_points: Json[]
  service_name: string
  timestamp_unix_nano: number
}

const METRIC_TYPES = ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'] as const

/** The metrics of an OTLP metrics request, each with its (capped) data points. */
export function metricsOf(request: JsonObject): { metrics: WorkerMetric[]; skipped: number } {
  const metrics: WorkerMetric[] = []
  let skipped = 0
  let points = 0
  for (const rm of arr(request['resourceMetrics'])) {
    if (!isObject(rm)) continue
    const resource = attributePairs(isObject(rm['resource']) ? rm['resource']['attributes'] : [])
    const service = attr(resource, 'service.name') ?? 'unknown'
    for (const sm of arr(rm['scopeMetrics'])) {
      if (!isObject(sm)) continue
      for (const m of arr(sm['metrics'])) {
        const name = isObject(m) ? str(m['name'], 256) : null
        const type = isObject(m) ? METRIC_TYPES.find((t) => isObject(m[t])) : undefined
        if (!isObject(m) || !name || !type) {
          skipped++
          continue
        }
        const body = m[type] as JsonObject
        const all = arr(body['dataPoints']).filter(isObject)
        const dps = all.slice(0, MAX_POINTS)
        skipped += all.length - dps.length
        if (points + dps.length > MAX_ITEMS_PER_FRAME) return { metrics, skipped: skipped + 1 }
        points += dps.length
        const budget: Budget = { left: RECORD_BUDGET }
        let latest = 0
        const data_points = dps.map((p) => {
          const t = nanos(p['timeUnixNano'])
          if (t > latest) latest = t
          const value = p['asDouble'] ?? p['asInt'] ?? p['sum'] ?? null
          return {
            value: typeof value === 'string' ? Number(value) : typeof value === 'number' ? value : null,
            ...(p['count'] !== undefined ? { count: Number(p['count']) } : {}),
            attributes: attributePairs(p['attributes'], budget),
            timestamp_unix_nano: t,
          } as Json
        })
        metrics.push({
          name,
          description: str(m['description']) ?? '',
          unit: str(m['unit'], 64) ?? '',
          metric_type: type === 'exponentialHistogram' ? 'exponential_histogram' : type,
          data_points,
          service_name: service,
          timestamp_unix_nano: latest,
        })
      }
    }
  }
  return { metrics, skipped }
}
