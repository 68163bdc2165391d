// Starts a run of an element's runnable operation through its type's runtime; the one way the
// runs API creates runs, so a new runnable type only implements TypeRuntime.startRun. The run
// executes the definition a Source ref names (default: live once promoted, else draft) and
// records that commit.
import type { StartRunOptions } from '../../elements/element.ts'
import type { ElementService } from '../../elements/element-service.ts'
import { elementAtRef } from '../../elements/source/element-at-ref.ts'
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
  opts: StartRunOptions & {
    /** The branch, tag or commit to run (default branch when absent); null: `element` as given. */
    ref?: string | null
  } = {},
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
  const { ref, ...start } = opts
  if (ref === null) return runtime.startRun(element, operation, input, trigger, triggerInfo, start)
  const at = await elementAtRef(elements, element, ref)
  return runtime.startRun(at.element, operation, input, trigger, triggerInfo, { ...start, source: at.source })
}
