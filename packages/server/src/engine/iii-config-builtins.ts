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

/** A list of allow-list entries (URL prefixes, hosts, host globs, `*`), checked. */
function allowlistOf(list: unknown, where: string): string[] {
  if (!Array.isArray(list) || list.length > 1000)
    throw new IiiBuiltinConfigError(`${where} must be a list of URL prefixes or host names`)
  return list.map((e, i) => {
    if (typeof e !== 'string' || !e || e.length > 2048)
      throw new IiiBuiltinConfigError(`${where}[${i}] must be a string`)
    try {
      checkAllowlistEntry(e)
    } catch (err) {
      throw new IiiBuiltinConfigError(`${where}[${i}]: ${(err as Error).message}`)
    }
    return e
  })
}

/**
 * iii-http-functions: `security: {url_allowlist, block_private_ips, require_https}` as iii reads
 * it (without the block: every host, private addresses blocked, https required — iii's
 * defaults), a top-level `url_allowlist` as an alias of the block's, and the response cap.
 */
export function parseHttpFunctionsConfig(
  c: JsonObject,
  where: string,
  unsupported: string[],
): HttpFunctionsConfig {
  extra(c, 'iii-http-functions', ['security', 'url_allowlist', 'max_response_bytes'], unsupported)
  const sec = c['security'] ?? null
  if (sec !== null && (typeof sec !== 'object' || Array.isArray(sec)))
    throw new IiiBuiltinConfigError(`${where}.security must be a mapping`)
  if (sec)
    extra(
      sec,
      'iii-http-functions.security',
      ['url_allowlist', 'block_private_ips', 'require_https'],
      unsupported,
    )
  const s = sec ?? {}
  const list =
    s['url_allowlist'] !== undefined && s['url_allowlist'] !== null
      ? allowlistOf(s['url_allowlist'], `${where}.security.url_allowlist`)
      : []
  const alias =
    c['url_allowlist'] !== undefined && c['url_allowlist'] !== null
      ? allowlistOf(c['url_allowlist'], `${where}.url_allowlist`)
      : []
  // iii: no security block means its defaults, whose allow-list is `*`; a block without a list allows nothing.
  const urlAllowlist = !sec && c['url_allowlist'] === undefined ? ['*'] : [...list, ...alias]
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
    requireHttps: bool(s, 'require_https', `${where}.security`, true),
    blockPrivateIps: bool(s, 'block_private_ips', `${where}.security`, true),
  }
}

/** Where a kv adapter keeps items: Periodic's database (`file_based`) or this process's memory. */
export type KvStoreMethod = 'in_memory' | 'file_based'

const KV_KEYS: Record<string, string[]> = {
  'iii-state': ['store_method', 'file_path', 'save_interval_ms'],
  'iii-stream': ['store_method', 'file_path', 'save_interval_ms'],
  // iii-cron's kv adapter holds its tick locks; Periodic claims ticks in its database.
  'iii-cron': ['store_method', 'file_path', 'save_interval_ms', 'lock_ttl_ms', 'lock_index'],
}

/** A bridge adapter's other engine (`ws://…` / `wss://…`; iii's default ws://localhost:49134). */
export interface BridgeAdapter {
  bridgeUrl: string
}

/**
 * The `adapter` of iii-state / iii-stream / iii-cron. `bridge` (state and stream) is returned
 * with its URL. `kv` is accepted: `file_based` maps onto Periodic's database (file_path and
 * save_interval_ms have nothing to tune there: each write is committed), `in_memory` (iii's
 * default store_method) onto memory. Another adapter (redis; bridge on iii-cron) is named as
 * unsupported and the database is used. Returns null without such an adapter.
 */
export function parseKvAdapter(
  name: string,
  a: unknown,
  where: string,
  unsupported: string[],
): KvStoreMethod | BridgeAdapter | null {
  if (a === undefined || a === null) return null
  const isObj = (v: unknown): v is JsonObject => !!v && typeof v === 'object' && !Array.isArray(v)
  const adapter = isObj(a) && typeof a['name'] === 'string' ? a['name'] : ''
  if (adapter === 'bridge' && name !== 'iii-cron') {
    const c = isObj(a) ? (a['config'] ?? {}) : {}
    if (!isObj(c)) throw new IiiBuiltinConfigError(`${where}.adapter.config must be a mapping`)
    extra(c, `${name} adapter bridge`, ['bridge_url'], unsupported)
    const url = c['bridge_url'] ?? 'ws://localhost:49134'
    let u: URL | null = null
    try {
      u = typeof url === 'string' ? new URL(url) : null
    } catch {
      u = null
    }
    if (!u || (u.protocol !== 'ws:' && u.protocol !== 'wss:'))
      throw new IiiBuiltinConfigError(`${where}.adapter.config.bridge_url must be a ws:// or wss:// URL`)
    return { bridgeUrl: u.toString() }
  }
  if (adapter !== 'kv') {
    unsupported.push(`${name} adapter ${adapter}`.trim())
    return null
  }
  const c = isObj(a) ? (a['config'] ?? {}) : {}
  if (!isObj(c)) throw new IiiBuiltinConfigError(`${where}.adapter.config must be a mapping`)
  extra(c, `${name} adapter kv`, KV_KEYS[name] ?? ['store_method'], unsupported)
  const method = c['store_method'] ?? 'in_memory'
  if (method !== 'in_memory' && method !== 'file_based')
    throw new IiiBuiltinConfigError(`${where}.adapter.config.store_method must be in_memory or file_based`)
  if (c['file_path'] !== undefined && (typeof c['file_path'] !== 'string' || !c['file_path']))
    throw new IiiBuiltinConfigError(`${where}.adapter.config.file_path must be a path`)
  int(c, 'save_interval_ms', `${where}.adapter.config`, 5000, 100, 3_600_000)
  int(c, 'lock_ttl_ms', `${where}.adapter.config`, 30_000, 1, 86_400_000)
  return method
}
