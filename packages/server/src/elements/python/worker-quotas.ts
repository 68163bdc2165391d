// How python workers take part in the quotas: each worker reserves one of the server's and its
// circle's workers and its element's memory_mb for as long as it lives; and when a reservation
// has to wait, idle warm workers (least recently used first) give theirs up.
import type { WorkerAdmission, WorkerPool } from '../../python/worker-pool.ts'
import type { Reliever, ResourceBudget } from '../../quotas/resource-budget.ts'

export function workerAdmission(budget: ResourceBudget, circleId: string, memoryMb: number): WorkerAdmission {
  const need = { workers: 1, memory_mb: memoryMb }
  return {
    tryAcquire: () => budget.tryReserve(circleId, need),
    acquire: () => budget.reserve(circleId, need),
    idleAvailable: () => budget.relieveWaiting(),
  }
}

/**
 * Stops the least recently used idle worker of `circleId` (of any circle when null); workers
 * kept warm by `concurrency.reserved` only when no other idle one is left.
 */
export function idleWorkerReliever(pools: () => Iterable<{ pool: WorkerPool; circleId: string }>): Reliever {
  return (circleId, resource) => {
    if (resource !== 'workers' && resource !== 'memory_mb') return false
    for (const includeReserved of [false, true]) {
      let best:
        | { pool: WorkerPool; lastUsed: number; worker: NonNullable<ReturnType<WorkerPool['oldestIdle']>> }
        | undefined
      for (const p of pools()) {
        if (circleId !== null && p.circleId !== circleId) continue
        const w = p.pool.oldestIdle(includeReserved)
        if (w && (!best || w.lastUsed < best.lastUsed))
          best = { pool: p.pool, lastUsed: w.lastUsed, worker: w }
      }
      if (best) return best.pool.evict(best.worker)
    }
    return false
  }
}
