// Elements as engine functions: `{circle}::{slug}` runs a runnable element (python `invoke`)
// as a run with trigger `engine`, so engine invocations show in the runs API. It runs the
// element's default branch (live once promoted, else draft), as an invoke without a ref does.

import type { ElementFunctions, FunctionInfo } from '../engine/engine.ts'
import { EngineError } from '../engine/engine-error.ts'
import { isTerminal, type RunService } from '../runs/run-service.ts'
import type { ElementService } from './element-service.ts'
import { elementAtRef } from './source/element-at-ref.ts'

export function engineElementFunctions(elements: ElementService, runs: RunService): ElementFunctions {
  const runnable = (type: string) => {
    const runtime = elements.registry.runtimeOf(type)
    return runtime?.startRun && runtime.runnableOperations?.includes('invoke') ? runtime : undefined
  }
  return {
    async invoke(caller, slug, input, info, timeoutMs) {
      const element = await elements.records.findElementBySlug(caller.circleId, slug)
      const runtime = element && runnable(element.element_type)
      if (!element || !runtime?.startRun) return undefined
      if (!element.enabled)
        throw new EngineError('function_disabled', `"${slug}" is disabled; enable it before invoking it`)
      const at = await elementAtRef(elements, element)
      const run = await runtime.startRun(at.element, 'invoke', input, 'engine', info, {
        waiting: true,
        source: at.source,
      })
      const done = await runs.wait(run, timeoutMs)
      if (done.status === 'succeeded') return { output: done.output }
      if (!isTerminal(done.status))
        throw new EngineError(
          'timeout',
          `run ${run.id} did not finish within ${timeoutMs} ms (it keeps running)`,
        )
      const code = typeof done.error?.['code'] === 'string' ? done.error['code'] : 'invocation_failed'
      const message =
        typeof done.error?.['message'] === 'string' ? done.error['message'] : `run ${done.status}`
      throw new EngineError(code, `${message} (run ${run.id})`)
    },
    async list(circleId, circleSlug) {
      const rows = await elements.records.listCircleElements(circleId)
      return rows
        .filter((r) => r.parent_id !== null && runnable(r.element_type))
        .map(
          (r): FunctionInfo => ({
            function_id: `${circleSlug}::${r.slug}`,
            description: r.intention || `${r.element_type} element ${r.slug}`,
            request_format: null,
            response_format: null,
            metadata: { element_id: r.id, element_type: r.element_type, run_trigger: 'engine' },
          }),
        )
    },
  }
}
