// CloudEvents of a circle for `emit` and `listen`: every event is stored (so a run that was
// down, or waits on another node, still finds what arrived since it began listening) and
// announced in-process at once; waiters on other nodes find it on their next poll.
import { randomUUID } from 'node:crypto'
import type { EventBus } from '../../events/event-bus.ts'
import type { JsonObject } from '../../storage/storage.ts'
import { fault } from '../../workflows/dsl-faults.ts'
import { eventMatches } from '../../workflows/event-filters.ts'
import type { CloudEvent } from '../../workflows/workflow-host.ts'
import type { WorkflowStore } from './workflow-tables.ts'

const POLL_MS = 1000
export const MAX_EVENT_BYTES = 256 * 1024

export class EventWaiters {
  private readonly waiters = new Set<{ circleId: string; wake: () => void }>()
  /** Ids of events stored lately (the engine hands back what a workflow published to it). */
  private readonly recent = new Set<string>()

  constructor(
    private readonly store: () => WorkflowStore,
    private readonly bus: EventBus,
  ) {}

  /** Stores and announces an event of the circle (emitted by a run, or posted to the API). */
  async publish(circleId: string, event: CloudEvent, where = '/'): Promise<CloudEvent> {
    const text = JSON.stringify(event)
    if (Buffer.byteLength(text) > MAX_EVENT_BYTES)
      throw fault('validation', `an event may hold at most ${MAX_EVENT_BYTES} bytes`, where)
    const at = new Date().toISOString()
    await this.store().insertEvent({
      id: randomUUID(),
      circle_id: circleId,
      type: event.type,
      source: event.source,
      event,
      created_at: at,
    })
    this.recent.add(event.id)
    if (this.recent.size > 10_000) this.recent.delete(this.recent.values().next().value as string)
    for (const w of this.waiters) if (w.circleId === circleId) w.wake()
    this.bus.publish({
      type: 'workflow.event',
      circle_id: circleId,
      element_id: null,
      actor: null,
      at,
      data: event,
    })
    return event
  }

  /** True when an event with this id was stored here lately. */
  remembers(id: string): boolean {
    return this.recent.has(id)
  }

  /**
   * Resolves with the events the listener consumes: the first matching any filter (`one`,
   * `any`), or one per filter (`all`), among the events stored since `since`.
   */
  waitFor(
    circleId: string,
    filters: JsonObject[],
    mode: 'one' | 'any' | 'all',
    since: string,
    signal: AbortSignal,
    exclude: ReadonlySet<string> = new Set(),
  ): Promise<CloudEvent[]> {
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined
      let checking = false
      let again = false
      const waiter = { circleId, wake: () => void check() }
      const stop = () => {
        clearTimeout(timer)
        this.waiters.delete(waiter)
        signal.removeEventListener('abort', onAbort)
      }
      const onAbort = () => {
        stop()
        reject(signal.reason)
      }
      const check = async (): Promise<void> => {
        if (checking) {
          again = true
          return
        }
        checking = true
        try {
          const rows = await this.store().eventsSince(circleId, since, 10_000)
          const found = pick(
            rows.filter((r) => !exclude.has(String(r.event['id']))),
            filters,
            mode,
          )
          if (found) {
            stop()
            resolve(found)
            return
          }
        } catch (err) {
          stop()
          reject(err)
          return
        } finally {
          checking = false
        }
        if (again) {
          again = false
          return check()
        }
        clearTimeout(timer)
        timer = setTimeout(() => void check(), POLL_MS)
      }
      if (signal.aborted) return reject(signal.reason)
      signal.addEventListener('abort', onAbort, { once: true })
      this.waiters.add(waiter)
      void check()
    })
  }
}

function pick(
  rows: Array<{ event: JsonObject }>,
  filters: JsonObject[],
  mode: 'one' | 'any' | 'all',
): CloudEvent[] | undefined {
  const events = rows.map((r) => r.event as CloudEvent)
  if (mode !== 'all') {
    const e = events.find((ev) => filters.length === 0 || filters.some((f) => eventMatches(ev, f)))
    return e ? [e] : undefined
  }
  const out: CloudEvent[] = []
  for (const f of filters) {
    const e = events.find((ev) => eventMatches(ev, f))
    if (!e) return undefined
    out.push(e)
  }
  return out
}
