// A run as the runs API shows it: the run JSON every surface shares, the element's path and
// type, the execution status, and on request (`?expand=`) the input and the usage, the rest of
// the execution and the debug sections.

import { presentRun, runTiming } from '../../runs/run-json.ts'
import { isTerminal } from '../../runs/run-service.ts'
import type { JsonObject, RunRow } from '../../storage/storage.ts'
import type { ElementSummary } from './run-targets.ts'

export type Expansion = 'input' | 'usage' | 'execution' | 'debug'

export function presentApiRun(
  r: RunRow,
  element: ElementSummary,
  expand: ReadonlySet<Expansion> = new Set(),
  /** The run's steps (TypeRuntime.runSteps), shown with `execution`. */
  steps?: JsonObject[],
) {
  return {
    ...presentRun(r, { input: expand.has('input') }),
    target: element.target,
    element_type: element.element_type,
    location: `/api/v1/runs/${r.id}`,
    ...(expand.has('usage')
      ? {
          usage: {
            duration_ms: r.duration_ms,
            memory_used_mb: r.memory_used_mb,
            attempts: r.attempts,
            cold_start: r.cold_start,
          },
        }
      : {}),
    // `execution.status` is always there (clients that poll for the end read it); the rest
    // with `?expand=execution`.
    execution: {
      status: r.status,
      finished: isTerminal(r.status),
      ...(expand.has('execution')
        ? {
            element_id: r.element_id,
            target: element.target,
            element_type: element.element_type,
            element_version: r.element_version,
            operation: r.operation,
            trigger: r.trigger,
            created_at: r.created_at,
            started_at: r.started_at,
            completed_at: r.completed_at,
            queued_ms: runTiming(r).queued_ms,
            ...(steps ? { steps } : {}),
          }
        : {}),
    },
    ...(expand.has('debug')
      ? { debug: { logs_truncated: r.logs_truncated, trigger_info: r.trigger_info } }
      : {}),
  }
}

export function parseExpand(expand: string | undefined): Set<Expansion> {
  return new Set((expand ?? '').split(',').filter(Boolean) as Expansion[])
}
