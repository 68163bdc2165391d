// Server-wide quota usage and limits as Prometheus gauges, read from the budget at scrape time.
// Label-free on purpose: per-circle usage is in each circle's stats, never in /metrics labels.
import { Counter, Gauge, type Registry } from 'prom-client'
import { RESOURCES, type ResourceBudget } from './resource-budget.ts'

export function registerQuotaMetrics(budget: ResourceBudget, registry: Registry): void {
  const registers = [registry]
  for (const r of RESOURCES) {
    new Gauge({
      name: `periodic_quota_${r}_in_use`,
      help: `Server-wide ${r.replaceAll('_', ' ')} in use (reserved)`,
      registers,
      collect() {
        this.set(budget.usage().in_use[r])
      },
    })
    new Gauge({
      name: `periodic_quota_${r}_limit`,
      help: `Server-wide ${r.replaceAll('_', ' ')} budget`,
      registers,
      collect() {
        this.set(budget.limits.server[r])
      },
    })
  }
  new Gauge({
    name: 'periodic_quota_waiting',
    help: 'Reservations (worker starts) queued for room in a budget or quota',
    registers,
    collect() {
      this.set(budget.usage().waiting)
    },
  })
  new Counter({
    name: 'periodic_quota_exceeded_total',
    help: 'Requests refused with QUOTA_EXCEEDED',
    registers,
    collect() {
      this.reset()
      this.inc(budget.refusedCount)
    },
  })
}
