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
  /** Per element since start, for the `stats` operation. */
  private readonly totals = new Map<string, ElementTotals>()

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
    const t = this.totalsOf(e.id)
    t.n++
    add(t.duration, o.duration_ms)
    if (o.memory_used_mb !== null) add(t.memory, o.memory_used_mb)
    if (o.status === 'failed') {
      t.failed++
      this.errors.inc({ ...l, code: String(o.error?.['code'] ?? 'UNKNOWN') })
    }
    this.errorRate.set(l, t.failed / t.n)
  }

  coldStart(e: ElementRow, ms: number): void {
    const l = this.label(e)
    this.coldStarts.inc(l)
    this.coldStartDuration.observe(l, ms)
    add(this.totalsOf(e.id).coldStart, ms)
  }

  /** The element's metrics since this server started: counts, rates and {count, avg, max}. */
  snapshot(elementId: string) {
    const t = this.totals.get(elementId) ?? newTotals()
    return {
      python_invocation_count: t.n,
      python_duration_ms: summary(t.duration),
      python_cold_start_count: t.coldStart.count,
      python_cold_start_duration_ms: summary(t.coldStart),
      python_memory_used_mb: summary(t.memory),
      python_error_rate: t.n ? t.failed / t.n : null,
    }
  }

  private totalsOf(id: string): ElementTotals {
    const t = this.totals.get(id) ?? newTotals()
    this.totals.set(id, t)
    return t
  }
}

interface Series {
  count: number
  sum: number
  max: number
}

interface ElementTotals {
  n: number
  failed: number
  duration: Series
  coldStart: Series
  memory: Series
}

const newTotals = (): ElementTotals => ({
  n: 0,
  failed: 0,
  duration: { count: 0, sum: 0, max: 0 },
  coldStart: { count: 0, sum: 0, max: 0 },
  memory: { count: 0, sum: 0, max: 0 },
})

function add(s: Series, v: number): void {
  s.count++
  s.sum += v
  s.max = Math.max(s.max, v)
}

const round = (v: number) => Math.round(v * 1000) / 1000

function summary(s: Series) {
  return { count: s.count, avg: s.count ? round(s.sum / s.count) : null, max: s.count ? round(s.max) : null }
}
