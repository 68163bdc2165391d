// The circle's stats: the generic run statistics of the circle plus `quotas`, what the circle
// holds of each quota now. A platform admin also sees the server-wide budget (a circle's key does
// not learn how busy other circles keep the server).
import type { UsageView } from '../../quotas/resource-budget.ts'
import { RESOURCES } from '../../quotas/resource-budget.ts'
import { statsOperations } from '../generic/stats-operations.ts'
import { circleOperation } from './circle-runtime.ts'

function present(u: UsageView) {
  return {
    ...Object.fromEntries(RESOURCES.map((r) => [r, { in_use: u.in_use[r], limit: u.limit[r] }])),
    waiting: u.waiting,
  }
}

const generic = statsOperations.find((op) => op.name === 'stats')!

export const circleStatsOperation = circleOperation({
  ...generic,
  description:
    'Run statistics of the period from the run history, plus `quotas.circle`: for workers, memory_mb, browser_sessions and runs_in_flight what this circle holds now (`in_use`) and may hold (`limit`), and `waiting` (worker starts queued for room). A platform admin also gets `quotas.server`, the server-wide budget.',
  async handler(ctx) {
    const base = (await generic.handler(ctx)) as Record<string, unknown>
    const budget = ctx.runtime.quotas
    return {
      ...base,
      quotas: {
        circle: present(budget.usage(ctx.element.circle_id)),
        ...(ctx.actor.platformAdmin ? { server: present(budget.usage()) } : {}),
      },
    }
  },
})
