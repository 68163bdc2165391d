// The python element's metrics, served at /metrics and summarised by `stats`.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client'
import type { RunOutcome } from '../../runs/run-service.ts'
import type { ElementRow } from '../../storage/storage.ts'

export class PythonMetrics {
  private readonly invocations: Counter
  private readonly errors: Counter
  private readonly duration: Histogram
  private readonly coldStarts: Counter
  private readonly coldStartDuration: Histogram
  private readonly memory: Histogram
  private readonly errorRate: Gauge
  private readonly totals = new Map<string, { n: number; failed: number }>()

  constructor(registry: Registry) {
    const labelNames = ['element']
    const registers = [registry]
    const ms = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 10_000, 60_000]
    this.invocations = new Counter({
      name: 'python_invocation_count',
      help: 'Python invocations by element',
      labelNames: [...labelNames, 'status'],
      registers,
    })
    this.errors = new Counter({
      name: 'python_error_count',
      help: 'Failed Python invocations',
      labelNames: [...labelNames, 'code'],
      registers,
    })
    this.duration = new Histogram({
      name: 'python_duration_ms',
      help: 'Handler duration, ms',
      labelNames,
      buckets: ms,
      registers,
    })
    this.coldStarts = new Counter({
      name: 'python_cold_start_count',
      help: 'New workers started',
      labelNames,
      registers,
    })
    this.coldStartDuration = new Histogram({
      name: 'python_cold_start_duration_ms',
      help: 'Worker start to ready, ms',
      labelNames,
      buckets: ms,
      registers,
    })
    this.memory = new Histogram({
      name: 'python_memory_used_mb',
      help: 'Peak worker memory after an invocation, MB',
      labelNames,
      buckets: [16, 32, 64, 128, 256, 512, 1024, 2048, 4096],
      registers,
    })
    this.errorRate = new Gauge({
      name: 'python_error_rate',
      help: 'Failed / all invocations since start',
      labelNames,
      registers,
    })
  }

  private label(e: ElementRow) {
    return { element: `${e.circle_id.slice(0, 8)}/${e.slug}` }
  }

  invocation(e: ElementRow, o: RunOutcome): void {
    const l = this.label(e)
    this.invocations.inc({ ...l, status: o.status })
    this.duration.observe(l, o.duration_ms)
    if (o.memory_used_mb !== null) this.memory.observe(l, o.memory_used_mb)
    const t = this.totals.get(e.id) ?? { n: 0, failed: 0 }
    t.n++
    if (o.status === 'failed') {
      t.failed++
      this.errors.inc({ ...l, code: String(o.error?.['code'] ?? 'UNKNOWN') })
    }
    this.totals.set(e.id, t)
    this.errorRate.set(l, t.failed / t.n)
  }

  coldStart(e: ElementRow, ms: number): void {
    const l = this.label(e)
    this.coldStarts.inc(l)
    this.coldStartDuration.observe(l, ms)
  }
}
