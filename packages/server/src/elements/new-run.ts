// The run record a runtime creates for one of its element's operations: one place for the
// fields every runnable type fills the same way (python, workflow).
import type { NewRun } from '../runs/run-service.ts'
import type { ElementRow, Json, JsonObject } from '../storage/storage.ts'
import type { StartRunOptions } from './element.ts'

/** The run record a runtime creates for `operation` on `element` (its Source commit and chosen id included). */
export function newRunOf(
  element: ElementRow,
  operation: string,
  input: Json,
  trigger: string,
  triggerInfo: JsonObject | null,
  opts: StartRunOptions = {},
): NewRun {
  return {
    circle_id: element.circle_id,
    element_id: element.id,
    element_version: element.version,
    operation,
    trigger,
    input,
    trigger_info: triggerInfo,
    ...opts.source,
    ...(opts.runId ? { id: opts.runId } : {}),
  }
}
