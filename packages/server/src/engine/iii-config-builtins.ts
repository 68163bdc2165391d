// The iii config entries of the worker kinds Periodic builds into every circle — iii-pubsub,
// iii-observability and iii-http-functions — read into their engine settings. Keys that have
// no effect here are named as unsupported (never silently dropped).

import { checkAllowlistEntry } from '../config-parsers.ts'
import type { JsonObject } from '../storage/storage.ts'
import { DEFAULT_HTTP_FUNCTIONS, type HttpFunctionsConfig } from './http-functions.ts'
import { DEFAULT_OBSERVABILITY, type ObservabilityConfig } from './observability.ts'

export class IiiBuiltinConfigError extends Error {}

const DAY_S = 86_400

function int(c: JsonObject, key: string, where: string, def: number, min: number, max: number): number {
  const v = c[key]
  if (v === undefined || v === null) return def
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    throw new IiiBuiltinConfigError(`${where}.${key} must be an integer from ${min} to ${max}`)
  return v
}

function bool(c: JsonObject, key: string, where: string, def: boolean): boolean {
  const v = c[key]
  if (v === undefined || v === null) return def
  if (typeof v !== 'boolean') throw new IiiBuiltinConfigError(`${where}.${key} must be true or false`)
  return v
}

/** Names keys outside `known`, as `{name}.{key}`. */
function extra(c: JsonObject, name: string, known: string[], unsupported: string[]): void {
  for (const k of Object.keys(c)) if (!known.includes(k)) unsupported.push(`${name}.${k}`)
}

/** iii-pubsub: the local adapter is what runs; another adapter (redis) is named as unsupported. */
export function parsePubsubConfig(c: JsonObject, unsupported: string[]): void {
  extra(c, 'iii-pubsub', ['adapter'], unsupported)
  const a = c['adapter']
  const name = a && typeof a === 'object' && !Array.isArray(a) ? a['name'] : undefined
  if (a !== undefined && name !== 'local')
    unsupported.push(`iii-pubsub adapter ${typeof name === 'string' ? name : ''}`.trim())
}

/** iii-observability: limits, retention, sampling, on/off switches, and the OTLP export. */
export function parseObservabilityConfig(
  c: JsonObject,
  where: string,
  unsupported: string[],
): ObservabilityConfig {
  const name = 'iii-observability'
  extra(
    c,
    name,
    [
      'enabled',
      'service_name',
      'service_version',
      'service_namespace',
      'exporter',
      'endpoint',
      'metrics_exporter',
      'logs_exporter',
      'logs_batch_size',
      'logs_flush_interval_ms',
      'logs_console_output',
      'memory_max_spans',
      'sampling_ratio',
      'metrics_enabled',
      'metrics_max_count',
      'metrics_retention_seconds',
      'logs_enabled',
      'logs_max_count',
      'logs_retention_seconds',
    ],
    unsupported,
  )
  const exportConfig = parseOtlpExport(c, where)
  const ratio = c['sampling_ratio']
  if (ratio !== undefined && ratio !== null && (typeof ratio !== 'number' || !(ratio >= 0 && ratio <= 1)))
    throw new IiiBuiltinConfigError(`${where}.sampling_ratio must be a number from 0 to 1`)
  const d = DEFAULT_OBSERVABILITY
  return {
    enabled: bool(c, 'enabled', where, true),
    samplingRatio: typeof ratio === 'number' ? ratio : d.samplingRatio,
    maxSpans: int(c, 'memory_max_spans', where, d.maxSpans, 1, 1_000_000),
    logsEnabled: bool(c, 'logs_enabled', where, d.logsEnabled),
    maxLogs: int(c, 'logs_max_count', where, d.maxLogs, 1, 1_000_000),
    logsRetentionSeconds: int(c, 'logs_retention_seconds', where, d.logsRetentionSeconds, 1, 30 * DAY_S),
    metricsEnabled: bool(c, 'metrics_enabled', where, d.metricsEnabled),
    maxMetrics: int(c, 'metrics_max_count', where, d.maxMetrics, 1, 1_000_000),
    metricsRetentionSeconds: int(
      c,
      'metrics_retention_seconds',
      where,
      d.metricsRetentionSeconds,
      1,
      30 * DAY_S,
    ),
    serviceName: serviceName(c, where),
    export: exportConfig,
  }
}

function oneOf(c: JsonObject, key: string, where: string, values: string[]): string {
  const v = c[key]
  if (v === undefined || v === null) return 'memory'
  if (typeof v !== 'string' || !values.includes(v))
    throw new IiiBuiltinConfigError(`${where}.${key} must be one of ${values.join(', ')}`)
  return v
}

function serviceName(c: JsonObject, where: string): string {
  const v = c['service_name']
  if (v === undefined || v === null) return DEFAULT_OBSERVABILITY.serviceName
  if (typeof v !== 'string' || !v || v.length > 256)
    throw new IiiBuiltinConfigError(`${where}.service_name must be a string of 1-256 characters`)
  return v
}

/**
 * `exporter: otlp|both` (traces), `logs_exporter: otlp|both`, `metrics_exporter: otlp` with the
 * collector's `endpoint` (OTLP/HTTP; iii's default gRPC port has no HTTP receiver, so the default
 * here is the OTLP/HTTP port 4318). Without `exporter` nothing is exported (iii's default is
 * `otlp`): the memory store alone answers the engine::*::list functions.
 */
function parseOtlpExport(c: JsonObject, where: string): ObservabilityConfig['export'] {
  const traces = oneOf(c, 'exporter', where, ['memory', 'otlp', 'both']) !== 'memory'
  const logs = oneOf(c, 'logs_exporter', where, ['memory', 'otlp', 'both']) !== 'memory'
  const metrics = oneOf(c, 'metrics_exporter', where, ['memory', 'otlp']) === 'otlp'
  const raw = c['endpoint']
  let endpoint = 'http://localhost:4318'
  if (raw !== undefined && raw !== null) {
    let url: URL | null = null
    try {
      url = typeof raw === 'string' && raw.length <= 2048 ? new URL(raw) : null
    } catch {}
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password)
      throw new IiiBuiltinConfigError(
        `${where}.endpoint must be an http or https URL (the OTLP/HTTP collector)`,
      )
    endpoint = raw as string
  }
  if (!traces && !logs && !metrics) return null
  return {
    endpoint,
    traces,
    logs,
    metrics,
    flushIntervalMs: int(c, 'logs_flush_interval_ms', where, 5000, 100, 3_600_000),
    batchSize: int(c, 'logs_batch_size', where, 100, 1, 10_000),
  }
}

/** iii-http-functions: the URL allow-list (required to register any) and the response cap. */
export function parseHttpFunctionsConfig(
  c: JsonObject,
  where: string,
  unsupported: string[],
): HttpFunctionsConfig {
  extra(c, 'iii-http-functions', ['url_allowlist', 'max_response_bytes'], unsupported)
  const list = c['url_allowlist'] ?? []
  if (!Array.isArray(list) || list.length > 1000)
    throw new IiiBuiltinConfigError(`${where}.url_allowlist must be a list of URL prefixes or host names`)
  const urlAllowlist = list.map((e, i) => {
    if (typeof e !== 'string' || !e || e.length > 2048)
      throw new IiiBuiltinConfigError(`${where}.url_allowlist[${i}] must be a string`)
    try {
      checkAllowlistEntry(e)
    } catch (err) {
      throw new IiiBuiltinConfigError(`${where}.url_allowlist[${i}]: ${(err as Error).message}`)
    }
    return e
  })
  return {
    urlAllowlist,
    maxResponseBytes: int(
      c,
      'max_response_bytes',
      where,
      DEFAULT_HTTP_FUNCTIONS.maxResponseBytes,
      1,
      100 * 1024 * 1024,
    ),
  }
}
