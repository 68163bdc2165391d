// Starts a run of an element's runnable operation through its type's runtime; the one way the
// runs API creates runs, so a new runnable type only implements TypeRuntime.startRun.
import type { StartRunOptions } from '../../elements/element.ts'
import type { ElementService } from '../../elements/element-service.ts'
import { E, PlatformError } from '../../errors.ts'
import { RUN } from '../../runs/run-errors.ts'
import type { ElementRow, Json, JsonObject, RunRow } from '../../storage/storage.ts'

export async function startElementRun(
  elements: ElementService,
  element: ElementRow,
  operation: string,
  input: Json,
  trigger: string,
  triggerInfo: JsonObject,
  opts: StartRunOptions = {},
): Promise<RunRow> {
  const type = elements.typeOf(element)
  const runtime = elements.registry.runtimeOf(type.type)
  const runnable = runtime?.startRun ? [...(runtime.runnableOperations ?? [])] : []
  if (!runtime?.startRun || !runnable.includes(operation)) {
    throw new PlatformError(
      RUN.OPERATION_NOT_RUNNABLE,
      runnable.length
        ? `${type.type} operation "${operation.slice(0, 64)}" cannot be started as a run; use ${runnable.join(', ')}`
        : `${type.type} elements have no operations that run as runs`,
      { element_type: type.type, operation, runnable },
    )
  }
  if (!element.enabled)
    throw new PlatformError(
      E.ELEMENT_DISABLED,
      `"${element.slug}" is disabled; enable it before running it`,
      {
        reason: element.state_reason,
      },
    )
  return runtime.startRun(element, operation, input, trigger, triggerInfo, opts)
}
