// Worker telemetry and OTLP export as Prometheus counters, read at scrape time. Label-free per
// circle (as the other engine figures): what arrived, what was malformed, what was exported.
import { Counter, type Registry } from 'prom-client'
import type { Observability } from './observability.ts'

export function registerTelemetryMetrics(obs: Observability, registry: Registry): void {
  const registers = [registry]
  const c = obs.workers.counters
  new Counter({
    name: 'periodic_engine_telemetry_frames_total',
    help: 'Frames workers sent on /otel, by result (kept, malformed)',
    labelNames: ['result'],
    registers,
    collect() {
      this.reset()
      this.inc({ result: 'kept' }, c.frames - c.malformed)
      this.inc({ result: 'malformed' }, c.malformed)
    },
  })
  new Counter({
    name: 'periodic_engine_telemetry_records_total',
    help: 'Spans, log records and metrics kept from /otel frames (skipped: malformed records)',
    labelNames: ['signal'],
    registers,
    collect() {
      this.reset()
      for (const signal of ['spans', 'logs', 'metrics', 'skipped'] as const) this.inc({ signal }, c[signal])
    },
  })
  new Counter({
    name: 'periodic_engine_otlp_export_requests_total',
    help: 'OTLP export requests by result (posted, failed) and entries dropped from full queues, since the exporter was configured',
    labelNames: ['result'],
    registers,
    collect() {
      this.reset()
      const s = obs.otlp?.stats
      this.inc({ result: 'posted' }, s?.posted ?? 0)
      this.inc({ result: 'failed' }, s?.failed ?? 0)
      this.inc({ result: 'dropped' }, s?.dropped ?? 0)
    },
  })
}
