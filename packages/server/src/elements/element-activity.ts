// An element write's activity: a row in the caller's transaction, and the event it becomes on
// the bus once that transaction committed (never before: a rolled-back write announces nothing).
import type { Actor } from '../auth/actor.ts'
import type { EventBus } from '../events/event-bus.ts'
import type { ElementRow, JsonObject } from '../storage/storage.ts'
import type { ElementTx, PendingEvent } from './element.ts'

const now = () => new Date().toISOString()

/** Inserts the activity row with `tx` and queues its event in `events`. */
export async function recordActivity(
  tx: ElementTx,
  events: PendingEvent[],
  type: string,
  row: ElementRow,
  actor: Actor | null,
  data: JsonObject,
): Promise<void> {
  await tx.insertActivity({
    circle_id: row.circle_id,
    element_id: row.id,
    action: type,
    actor: actor?.keyId ?? null,
    details: data,
    created_at: now(),
  })
  events.push({ type, row, actor, data })
}

/** Publishes the queued events (after commit). */
export function publishActivity(bus: EventBus, events: PendingEvent[]): void {
  for (const e of events) {
    bus.publish({
      type: e.type,
      circle_id: e.row.circle_id,
      element_id: e.row.id,
      actor: e.actor?.keyId ?? null,
      at: now(),
      data: { ...e.data, slug: e.row.slug, element_type: e.row.element_type },
    })
  }
}
