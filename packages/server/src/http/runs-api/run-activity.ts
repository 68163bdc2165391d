// Changes to a run's annotations (feedback, expected output) land in its element's activity log
// and on the event bus, so `ops/activity` and event subscribers see who judged which run.
import type { JsonObject, RunRow } from '../../storage/storage.ts'
import type { RunsApiDeps } from './runs-routes.ts'

export async function recordRunActivity(
  deps: RunsApiDeps,
  run: RunRow,
  actor: string | null,
  action: string,
  details: JsonObject = {},
): Promise<void> {
  const at = new Date().toISOString()
  const data = { run_id: run.id, ...details }
  await deps.runStore.insertActivity({
    circle_id: run.circle_id,
    element_id: run.element_id,
    action,
    actor,
    details: data,
    created_at: at,
  })
  deps.elements.bus.publish({
    type: action,
    circle_id: run.circle_id,
    element_id: run.element_id,
    actor,
    at,
    data,
  })
}
