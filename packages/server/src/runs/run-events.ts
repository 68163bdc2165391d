// A run on the event bus, for live views (the circle events stream): run.queued when it is
// stored, run.started when an attempt begins, run.<status> once its end is stored.
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

/** The run's end, as stored (`run.succeeded`, `run.failed`, `run.cancelled`). */
export function announceRunEnd(bus: EventBus, run: RunRow, at: string): void {
  bus.publish({
    type: `run.${run.status}`,
    circle_id: run.circle_id,
    element_id: run.element_id,
    actor: null,
    at,
    data: {
      run_id: run.id,
      operation: run.operation,
      status: run.status,
      duration_ms: run.duration_ms ?? null,
    },
  })
}
