// stats for python elements: the generic run statistics plus the element's python_* metrics
// (the same series /metrics exports), counted since this server started.

import { statsOperations } from '../generic/stats-operations.ts'
import { pythonOperation } from './python-operation.ts'

const generic = statsOperations.find((op) => op.name === 'stats')!

export const statsOperation = pythonOperation({
  ...generic,
  description:
    'Run statistics of the period from the run history, plus `metrics`: python_invocation_count, python_duration_ms, python_cold_start_count, python_cold_start_duration_ms, python_memory_used_mb and python_error_rate of this server since it started.',
  async handler(ctx) {
    const base = (await generic.handler(ctx)) as Record<string, unknown>
    return { ...base, metrics: ctx.runtime.metrics.snapshot(ctx.element.id) }
  },
})
