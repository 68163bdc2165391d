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
  private readonly circles = new Map<string, CircleWaiters>()
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
    void this.sweep(circleId)
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
   * `any`), or one per filter (`all`), among the events stored since `since`. The listeners of a
   * circle share one query per sweep: on each event stored here, and every second (events stored
   * by other nodes).
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
      if (signal.aborted) return reject(signal.reason)
      const group = this.groupOf(circleId)
      const waiter: Waiter = {
        since,
        filters,
        mode,
        exclude,
        settle: (found, err) => {
          group.waiters.delete(waiter)
          signal.removeEventListener('abort', onAbort)
          if (err !== undefined) reject(err)
          else resolve(found ?? [])
        },
      }
      const onAbort = () => waiter.settle(undefined, signal.reason)
      signal.addEventListener('abort', onAbort, { once: true })
      group.waiters.add(waiter)
      void this.sweep(circleId)
    })
  }

  private groupOf(circleId: string): CircleWaiters {
    let g = this.circles.get(circleId)
    if (!g) {
      g = { waiters: new Set(), sweeping: false, again: false }
      this.circles.set(circleId, g)
    }
    return g
  }

  /** One query for every listener of the circle; each takes what matches it. */
  private async sweep(circleId: string): Promise<void> {
    const g = this.circles.get(circleId)
    if (!g) return
    if (g.sweeping) {
      g.again = true
      return
    }
    g.sweeping = true
    clearTimeout(g.timer)
    try {
      do {
        g.again = false
        if (g.waiters.size === 0) break
        const oldest = [...g.waiters].reduce((m, w) => (w.since < m ? w.since : m), '\uffff')
        const rows = await this.store().eventsSince(circleId, oldest, 10_000)
        for (const w of [...g.waiters]) {
          const mine = rows.filter((r) => r.created_at >= w.since && !w.exclude.has(String(r.event['id'])))
          const found = pick(mine, w.filters, w.mode)
          if (found) w.settle(found)
        }
      } while (g.again)
    } catch (err) {
      for (const w of [...g.waiters]) w.settle(undefined, err)
    } finally {
      g.sweeping = false
    }
    if (g.waiters.size === 0) {
      this.circles.delete(circleId)
      return
    }
    g.timer = setTimeout(() => void this.sweep(circleId), POLL_MS)
    g.timer.unref()
  }
}

interface Waiter {
  since: string
  filters: JsonObject[]
  mode: 'one' | 'any' | 'all'
  exclude: ReadonlySet<string>
  settle(found: CloudEvent[] | undefined, err?: unknown): void
}

interface CircleWaiters {
  waiters: Set<Waiter>
  timer?: NodeJS.Timeout
  sweeping: boolean
  again: boolean
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
