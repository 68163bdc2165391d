// Fires automations: timers for `every` and `cron` ticks and for `after` (that long after the
// previous automation run ended), and the circle's CloudEvents for `on`. Every node holds every
// automation; a firing is claimed in the database first (one row per automation and tick, event
// or previous run), so with several nodes each tick or event starts exactly one run. A firing
// runs with the scopes of the key that wrote the workflow's current version (WiringAuthority):
// if that key is revoked or lost `execute`, nothing starts and the reason is the automation's
// last_error.
import { createHash } from 'node:crypto'
import type { EngineClock } from '../../engine/cron-triggers.ts'
import { systemClock } from '../../engine/cron-triggers.ts'
import type { PlatformEvent } from '../../events/event-bus.ts'
import { isTerminal } from '../../runs/run-service.ts'
import type { ElementRow, Json, JsonObject } from '../../storage/storage.ts'
import { eventMatches } from '../../workflows/event-filters.ts'
import type { CloudEvent } from '../../workflows/workflow-host.ts'
import type { PlatformContext } from '../element.ts'
import { WiringAuthority } from '../wiring-authority.ts'
import { type AutomationSchedule, nextTick, readSchedule } from './automation-schedule.ts'
import type { AutomationRow, WorkflowStore } from './workflow-tables.ts'

/** How often each node re-reads the automations (ones written, paused or synced on another node). */
const RELOAD_MS = 2000
/** Events an `all` strategy looks back over at most. */
const MAX_EVENTS = 10_000

export interface SchedulerDeps {
  p: PlatformContext
  store: () => WorkflowStore
  clock?: EngineClock
  /** Starts a run of the workflow (its default ref) for an automation. */
  start(element: ElementRow, input: Json, info: JsonObject): Promise<{ id: string }>
}

interface Armed {
  /** What the timer was armed for: a changed row re-arms. */
  key: string
  cancel?: () => void
}

export class AutomationScheduler {
  /** Firings this node attempted (tick or event seen) and runs it started; tests read these. */
  readonly stats = { attempts: 0, started: 0 }
  private readonly armed = new Map<string, Armed>()
  /** When (on the clock) runs of armed automations ended here: `after` counts from it. */
  private readonly endedAt = new Map<string, number>()
  private readonly inflight = new Set<Promise<void>>()
  private readonly authority: WiringAuthority
  private readonly clock: EngineClock
  private readonly unsubscribe: Array<() => void> = []
  private reloadTimer: NodeJS.Timeout | undefined
  private closed = false

  constructor(private readonly d: SchedulerDeps) {
    this.clock = d.clock ?? systemClock
    this.authority = new WiringAuthority(d.p.elements.records, d.p.elements.apiKeys)
  }

  start(): void {
    const { bus } = this.d.p
    this.unsubscribe.push(bus.subscribe('workflow.event', (e) => this.track(this.onEvent(e))))
    for (const status of ['succeeded', 'failed', 'cancelled'])
      this.unsubscribe.push(
        bus.subscribe(`run.${status}`, (e) => {
          if (!e.element_id || !this.armed.has(e.element_id)) return
          if (this.endedAt.size > 1000) this.endedAt.clear()
          this.endedAt.set(String(e.data['run_id']), this.clock.now())
          this.track(this.refresh(e.element_id, true))
        }),
      )
    this.reloadTimer = setInterval(() => this.track(this.reload()), RELOAD_MS)
    this.reloadTimer.unref()
    this.track(this.reload())
  }

  close(): void {
    this.closed = true
    clearInterval(this.reloadTimer)
    for (const off of this.unsubscribe) off()
    for (const a of this.armed.values()) a.cancel?.()
    this.armed.clear()
  }

  /** Resolves once no firing or reload started so far is still going. */
  async idle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight])
  }

  /** Re-reads every automation and (re-)arms its timer. */
  async reload(): Promise<void> {
    const rows = await this.d.store().listAutomations(null)
    const seen = new Set<string>()
    for (const row of rows) {
      seen.add(row.element_id)
      const a = this.armed.get(row.element_id)
      // An `after` waiting for its previous run to end looks again.
      if (a && !a.cancel) this.disarm(row.element_id)
      this.arm(row)
    }
    for (const id of [...this.armed.keys()]) if (!seen.has(id)) this.disarm(id)
  }

  /** Re-reads one automation (after a sync, pause or firing) and re-arms it. */
  async refresh(elementId: string, force = false): Promise<void> {
    const row = await this.d.store().getAutomation(elementId)
    if (force) this.disarm(elementId)
    if (row) this.arm(row)
    else this.disarm(elementId)
  }

  private track(p: Promise<void>): void {
    const t = p.catch((err: unknown) => this.d.p.log.warn({ err }, 'workflow automation failed'))
    this.inflight.add(t)
    void t.finally(() => this.inflight.delete(t))
  }

  private disarm(id: string): void {
    this.armed.get(id)?.cancel?.()
    this.armed.delete(id)
  }

  private arm(row: AutomationRow): void {
    if (this.closed) return
    const id = row.element_id
    const s = readSchedule(row.schedule)
    if ('error' in s || row.paused || s.kind === 'on') {
      this.disarm(id)
      return
    }
    const key = JSON.stringify(
      s.kind === 'after' ? [row.schedule, row.resumed_at, row.last_run_id] : [row.schedule],
    )
    if (this.armed.get(id)?.key === key) return
    this.disarm(id)
    const a: Armed = { key }
    this.armed.set(id, a)
    if (s.kind === 'after') this.track(this.armAfter(row, s.ms, a))
    else this.armTick(id, s, a, this.clock.now())
  }

  private armTick(id: string, s: AutomationSchedule, a: Armed, after: number): void {
    const at = nextTick(s, after)
    if (at === undefined) return
    a.cancel = this.clock.setTimer(
      () => {
        if (this.armed.get(id) !== a) return
        if (this.clock.now() < at) {
          this.armTick(id, s, a, at - 1) // woke early (a capped timer)
          return
        }
        this.armTick(id, s, a, at)
        const tick = new Date(at).toISOString()
        this.track(this.fire(id, `tick:${tick}`, { tick }, {}))
      },
      Math.max(0, at - this.clock.now()),
    )
  }

  /** `after`: the first run that long after the automation began, each next one after the last ended. */
  private async armAfter(row: AutomationRow, ms: number, a: Armed): Promise<void> {
    let since: number
    let claim: string
    if (row.last_run_id) {
      const run = await this.d.p.runs.get(row.last_run_id)
      if (run && !isTerminal(run.status)) return // re-armed when it ends (run.* event or reload)
      // The end as this node's clock saw it, else as stored (the run ended on another node).
      since =
        this.endedAt.get(row.last_run_id) ??
        (run?.completed_at ? Date.parse(run.completed_at) : this.clock.now())
      // Resumed since: the wait starts again then.
      const resumed = row.resumed_at ? Date.parse(row.resumed_at) : Number.NaN
      if (resumed > since) since = resumed
      claim = `after:${row.last_run_id}`
    } else {
      const began = row.resumed_at ?? row.updated_at
      since = Date.parse(began)
      claim = `after:start:${began}`
    }
    if (this.armed.get(row.element_id) !== a) return
    const id = row.element_id
    const fire = () => {
      if (this.armed.get(id) !== a) return
      if (this.clock.now() < since + ms) {
        a.cancel = this.clock.setTimer(fire, since + ms - this.clock.now())
        return
      }
      this.track(this.fire(id, claim, { after_run_id: row.last_run_id }, {}))
    }
    a.cancel = this.clock.setTimer(fire, Math.max(0, since + ms - this.clock.now()))
  }

  /** `on`: a stored CloudEvent of the circle (one run per event, or per completed `all` set). */
  private async onEvent(e: PlatformEvent): Promise<void> {
    if (this.closed) return
    const event = e.data as CloudEvent
    const store = this.d.store()
    for (const row of await store.listAutomations(e.circle_id)) {
      if (row.paused) continue
      const s = readSchedule(row.schedule)
      if ('error' in s || s.kind !== 'on' || !s.filters.some((f) => eventMatches(event, f))) continue
      if (s.mode !== 'all') {
        this.track(
          this.fire(
            row.element_id,
            `event:${event.source}\n${event.id}`,
            { event_id: event.id, event_source: event.source },
            event,
          ),
        )
        continue
      }
      // `all`: one event per filter among those since the last firing (or the start).
      const since = [row.last_fired_at, row.resumed_at ?? row.updated_at]
        .filter((x): x is string => !!x)
        .sort()
        .pop()!
      const stored = (await store.eventsSince(e.circle_id, since, MAX_EVENTS)).map(
        (r) => r.event as CloudEvent,
      )
      const set: CloudEvent[] = []
      for (const f of s.filters) {
        const found = stored.find((ev) => eventMatches(ev, f))
        if (!found) break
        set.push(found)
      }
      if (set.length !== s.filters.length) continue
      this.track(
        this.fire(
          row.element_id,
          `events:${since}`,
          { event_id: event.id, event_ids: set.map((x) => x.id) },
          set as unknown as Json,
        ),
      )
    }
  }

  /** Claims a firing and starts the run, unless paused, disabled, or its writer may not run it. */
  private async fire(id: string, claim: string, info: JsonObject, input: Json): Promise<void> {
    if (this.closed) return
    this.stats.attempts++
    const store = this.d.store()
    const row = await store.getAutomation(id)
    if (!row || row.paused) return
    const element = await this.d.p.elements.records.getElement(id)
    if (!element || element.deleted_at || !element.enabled) return
    const grant = await this.authority.grant(element)
    if (!grant.ok) {
      if (row.last_error !== grant.reason) await store.patchAutomation(id, { last_error: grant.reason })
      return
    }
    const at = new Date().toISOString()
    // An event's source and id may be long: the claim key stays index-sized.
    const key = claim.length > 200 ? `sha256:${createHash('sha256').update(claim).digest('hex')}` : claim
    if (!(await store.claimAutomation(id, key, this.d.p.runs.nodeId, at))) return
    this.stats.started++
    try {
      const run = await this.d.start(element, input, { automation: id, ...info, key_id: grant.keyId })
      await store.patchAutomation(id, { last_fired_at: at, last_run_id: run.id, last_error: null })
    } catch (err) {
      await store.patchAutomation(id, {
        last_error: `the run could not start: ${String((err as Error)?.message ?? err).slice(0, 500)}`,
      })
    }
    if (this.armed.has(id)) await this.refresh(id)
  }

  /** When a timed automation fires next (null: paused, `after` waiting, `on`, or invalid). */
  nextFireAt(row: AutomationRow): string | null {
    const s = readSchedule(row.schedule)
    if ('error' in s || row.paused) return null
    const at = nextTick(s, this.clock.now())
    return at === undefined ? null : new Date(at).toISOString()
  }
}
