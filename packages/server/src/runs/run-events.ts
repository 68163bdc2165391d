// A run's start on the event bus, for live views (the circle events stream): run.queued when it
// is stored, run.started when an attempt begins. Its end (run.<status>) is published by finish.
import type { EventBus } from '../events/event-bus.ts'
import type { JsonObject, RunRow } from '../storage/storage.ts'

export function announceRun(
  bus: EventBus,
  run: Pick<RunRow, 'id' | 'circle_id' | 'element_id' | 'operation'>,
  what: 'queued' | 'started',
  extra: JsonObject = {},
): void {
  bus.publish({
    type: `run.${what}`,
    circle_id: run.circle_id,
    element_id: run.element_id,
    actor: null,
    at: new Date().toISOString(),
    data: {
      run_id: run.id,
      operation: run.operation,
      status: what === 'started' ? 'running' : what,
      ...extra,
    },
  })
}
