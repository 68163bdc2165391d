// The query side of iii-observability: engine::traces::list, engine::logs::list and
// engine::metrics::list over the in-memory buffers, each scoped to the caller's circle.
import type { Json, JsonObject } from '../storage/storage.ts'
import type { Engine } from './engine.ts'
import { EngineError } from './engine-error.ts'
import type { ListQuery, Observability } from './observability.ts'

const MAX_LIMIT = 1000

const obj = (v: Json): JsonObject => (v && typeof v === 'object' && !Array.isArray(v) ? v : {})

function optString(m: JsonObject, field: string): string | null {
  const v = m[field]
  if (v === undefined || v === null) return null
  if (typeof v !== 'string' || v.length > 512)
    throw new EngineError('invalid_payload', `${field} must be a string of at most 512 characters`)
  return v
}

function count(m: JsonObject, field: string, def: number, max: number): number {
  const v = m[field]
  if (v === undefined || v === null) return def
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max)
    throw new EngineError('invalid_payload', `${field} must be an integer from 0 to ${max}`)
  return v
}

function queryOf(input: Json): ListQuery {
  const m = obj(input)
  return {
    trace_id: optString(m, 'trace_id'),
    function_id: optString(m, 'function_id'),
    level: optString(m, 'level'),
    name: optString(m, 'name'),
    service_name: optString(m, 'service_name'),
    status: optString(m, 'status'),
    span_id: optString(m, 'span_id'),
    severity_min: m['severity_min'] == null ? null : count(m, 'severity_min', 0, 24),
    severity_text: optString(m, 'severity_text'),
    limit: count(m, 'limit', 100, MAX_LIMIT),
    offset: count(m, 'offset', 0, 10_000_000),
  }
}

export function addObservabilityFunctions(engine: Engine, obs: Observability): void {
  // Reading the buffers would otherwise fill them with the reads.
  for (const id of ['engine::traces::list', 'engine::logs::list', 'engine::metrics::list'])
    obs.untraced.add(id)
  engine.addBuiltin({
    id: 'engine::traces::list',
    description:
      'Spans of this circle’s invocations and of its workers, newest first (trace_id?, function_id?, name?, service_name?, status?, limit?, offset?)',
    scope: 'read',
    handler: (input, { caller }) => obs.listSpans(caller.circleId, queryOf(input)),
  })
  engine.addBuiltin({
    id: 'engine::logs::list',
    description:
      'Log lines written through engine::log::* and sent by workers, newest first (trace_id?, span_id?, level?, severity_min?, severity_text?, limit?, offset?)',
    scope: 'read',
    handler: (input, { caller }) => obs.listLogs(caller.circleId, queryOf(input)),
  })
  engine.addBuiltin({
    id: 'engine::metrics::list',
    description:
      'Invocation counts, errors and durations per function of this circle (function_id?), and the metrics its workers send (metric_name?)',
    scope: 'read',
    handler: (input, { caller }) => {
      const m = obj(input)
      const metrics = obs.listMetrics(caller.circleId, optString(m, 'function_id'))
      return {
        metrics,
        engine_metrics: { invocations: invocationTotals(metrics) },
        sdk_metrics: obs.listSdkMetrics(caller.circleId, optString(m, 'metric_name')),
        timestamp: Date.now(),
      }
    },
  })
}

/** iii's `engine_metrics.invocations` from the per-function series. */
function invocationTotals(metrics: Json[]): JsonObject {
  let total = 0
  let error = 0
  const by_function: JsonObject = {}
  for (const x of metrics) {
    const m = x as { function_id: string; invocations: number; errors: number }
    total += m.invocations
    error += m.errors
    by_function[m.function_id] = m.invocations
  }
  return { total, success: total - error, error, deferred: 0, by_function }
}
