// GET /api/v1/runs/{id}/definition: what the run executed. A type whose runtime keeps its own
// snapshot (TypeRuntime.runDefinition, e.g. a workflow's definition taken at start) answers
// first; otherwise the element's spec at the run's Source commit, else at its element version,
// shown as the type's presentSpec shows it (secrets hidden).
import type { FastifyInstance } from 'fastify'
import { requireScope } from '../../auth/require-actor.ts'
import { elementAtRef } from '../../elements/source/element-at-ref.ts'
import { PlatformError } from '../../errors.ts'
import { RUN } from '../../runs/run-errors.ts'
import type { ElementRow, Json, JsonObject, RunRow } from '../../storage/storage.ts'
import { ElementSummaries } from './run-targets.ts'
import { authenticated, type RunsApiDeps, visibleRun } from './runs-routes.ts'

type Captured = 'runtime' | 'source_commit' | 'element_version'

async function storedSpec(
  deps: RunsApiDeps,
  element: ElementRow,
  run: RunRow,
): Promise<{ spec: JsonObject; captured: Captured } | undefined> {
  if (run.source_commit) {
    try {
      const at = await elementAtRef(deps.elements, element, run.source_commit)
      return { spec: at.element.spec, captured: 'source_commit' }
    } catch {
      // A commit no longer in Source: the element version is the next best record.
    }
  }
  const spec =
    element.version === run.element_version
      ? element.spec
      : (await deps.elements.records.getVersion(element.id, run.element_version))?.spec
  return spec ? { spec, captured: 'element_version' } : undefined
}

export function registerRunDefinitionRoute(app: FastifyInstance, deps: RunsApiDeps): void {
  app.get<{ Params: { id: string } }>('/api/v1/runs/:id/definition', async (req) => {
    const actor = await authenticated(deps, req)
    const run = await visibleRun(deps, actor, req.params.id)
    requireScope(actor, 'read', 'get run definition')
    const unavailable = (why: string) =>
      new PlatformError(RUN.RUN_DEFINITION_UNAVAILABLE, `the definition of run ${run.id} ${why}`)
    const element = await deps.elements.records.getElement(run.element_id)
    if (!element) throw unavailable('is gone with its element')
    const type = deps.elements.typeOf(element)
    const snapshot = await deps.elements.registry.runtimeOf(type.type)?.runDefinition?.(run)
    let definition: Json
    let captured: Captured
    if (snapshot !== undefined) {
      definition = snapshot
      captured = 'runtime'
    } else {
      const stored = await storedSpec(deps, element, run)
      if (!stored) throw unavailable('is no longer kept')
      definition = type.presentSpec ? type.presentSpec(stored.spec) : stored.spec
      captured = stored.captured
    }
    const summary = await new ElementSummaries(deps.elements).of(run.element_id)
    return {
      run_id: run.id,
      element_id: run.element_id,
      target: summary.target,
      element_type: element.element_type,
      element_version: run.element_version,
      operation: run.operation,
      source_commit: run.source_commit ?? null,
      source_ref: run.source_ref ?? null,
      captured,
      definition,
    }
  })
}
