// How python workers take part in the quotas: each worker reserves one of the server's and its
// circle's workers and its element's memory_mb for as long as it lives; and when a reservation
// has to wait, idle warm workers (least recently used first) give theirs up.
import type { WorkerAdmission, WorkerPool } from '../../python/worker-pool.ts'
import type { Lease, Reliever, ResourceBudget } from '../../quotas/resource-budget.ts'

export function workerAdmission(budget: ResourceBudget, circleId: string, memoryMb: number): WorkerAdmission {
  const need = { workers: 1, memory_mb: memoryMb }
  return {
    tryAcquire: () => budget.tryReserve(circleId, need),
    acquire: () => budget.reserve(circleId, need),
    idleAvailable: () => budget.relieveWaiting(),
  }
}

/** Warm sandboxes belong to no circle yet: their leases are held under this id. */
export const WARM_SANDBOX_HOLDER = '(warm sandboxes)'

/**
 * A warm sandbox's share of the budget: one worker and its memory, taken only when there is
 * room now and nothing waits for room (a warm sandbox never waits, nor makes a start wait).
 * One that became ready while a start waits is asked to give way at once (`onReady`).
 */
export function warmSandboxBudget(
  budget: ResourceBudget,
  memoryMb: number,
): { reserve(): Lease | undefined; onReady(): void } {
  return {
    reserve: () =>
      budget.usage().waiting > 0
        ? undefined
        : budget.tryReserve(WARM_SANDBOX_HOLDER, { workers: 1, memory_mb: memoryMb }),
    onReady: () => budget.relieveWaiting(),
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
