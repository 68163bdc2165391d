// Automations: a workflow's `schedule` kept as a row that follows its definition. Every write
// of a workflow (create, update, restore, delete, disable, promote) reconciles the row from the
// element's default ref (live once promoted, else draft); `sync` does the same on demand and
// says what changed. Reconciling never starts a run: firing is automation-scheduler.ts's.
import type { Actor } from '../../auth/actor.ts'
import { canSeeCircle } from '../../auth/actor.ts'
import { PlatformError } from '../../errors.ts'
import type { PlatformEvent } from '../../events/event-bus.ts'
import type { ElementRow, Json, JsonObject } from '../../storage/storage.ts'
import { isUuid } from '../../uuid.ts'
import type { PlatformContext } from '../element.ts'
import { elementAtRef } from '../source/element-at-ref.ts'
import { AUTOMATION } from './automation-errors.ts'
import { readSchedule } from './automation-schedule.ts'
import type { AutomationScheduler } from './automation-scheduler.ts'
import { documentOf, type WorkflowSpec } from './spec.ts'
import type { AutomationDefinition, AutomationRow, WorkflowStore } from './workflow-tables.ts'

/** Element events after which a workflow's automation is reconciled. */
const RECONCILE_ON = new Set([
  'element.created',
  'element.updated',
  'element.restored',
  'element.deleted',
  'element.disabled',
  'element.enabled',
  'element.state_changed',
  'source.promoted',
])

export type SyncAction = 'created' | 'updated' | 'unchanged' | 'removed' | 'none'

export interface AutomationJson {
  id: string
  circle: string
  path: string
  workflow: string | null
  kind: string | null
  schedule: JsonObject
  state: 'active' | 'paused' | 'disabled' | 'invalid'
  paused: boolean
  next_fire_at: string | null
  last_error: string | null
  last_fired_at: string | null
  last_run_id: string | null
  version: number
  source_ref: string | null
  source_commit: string | null
  updated_at: string
}

interface Reconciled {
  action: SyncAction
  changes: Array<{ field: string; before: Json; after: Json }>
  /** Always 0: a sync reconciles metadata and never enqueues a run. */
  runs_started: number
}

export interface SyncResult extends Reconciled {
  automation: AutomationJson | null
}

const COMPARED = ['schedule', 'version', 'source_ref', 'source_commit'] as const

export class Automations {
  private readonly chains = new Map<string, Promise<unknown>>()

  constructor(
    private readonly p: PlatformContext,
    private readonly store: () => WorkflowStore,
    readonly scheduler: AutomationScheduler,
  ) {}

  /** Reconciles a workflow's automation after each write of it; returns the unsubscribe. */
  watch(): () => void {
    const offs = ['element.*', 'source.promoted'].map((t) =>
      this.p.bus.subscribe(t, (e) => this.onElementEvent(e)),
    )
    return () => {
      for (const off of offs) off()
    }
  }

  private onElementEvent(e: PlatformEvent): void {
    if (!e.element_id || !RECONCILE_ON.has(e.type)) return
    // Element events name the type (element-activity.ts): another type's write costs nothing.
    const type = e.data['element_type']
    if (typeof type === 'string' && type !== 'workflow') return
    const id = e.element_id
    void this.reconcile(id).catch((err: unknown) =>
      this.p.log.warn({ err, element: id }, 'workflow automation could not be reconciled'),
    )
  }

  /** Brings one workflow's automation in line with its default ref's definition (one at a time per workflow). */
  reconcile(elementId: string): Promise<Reconciled & { row: AutomationRow | undefined }> {
    const prev = this.chains.get(elementId) ?? Promise.resolve()
    const next = prev.catch(() => {}).then(() => this.reconcileNow(elementId))
    this.chains.set(elementId, next)
    void next
      .finally(() => {
        if (this.chains.get(elementId) === next) this.chains.delete(elementId)
      })
      .catch(() => {})
    return next
  }

  private async reconcileNow(elementId: string): Promise<Reconciled & { row: AutomationRow | undefined }> {
    const row = await this.p.elements.records.getElement(elementId)
    if (row && row.element_type !== 'workflow')
      return { action: 'none', changes: [], runs_started: 0, row: undefined }
    const store = this.store()
    const before = await store.getAutomation(elementId)
    const def = row && (await this.definitionOf(row))
    let action: SyncAction
    const changes: SyncResult['changes'] = []
    if (!def) {
      action = before ? 'removed' : 'none'
      if (before) {
        await store.deleteAutomation(elementId)
        changes.push({ field: 'schedule', before: before.schedule, after: null })
      }
    } else {
      for (const f of COMPARED)
        if (JSON.stringify(before?.[f] ?? null) !== JSON.stringify(def[f]))
          changes.push({ field: f, before: (before?.[f] ?? null) as Json, after: def[f] as Json })
      action = !before ? 'created' : changes.length > 0 ? 'updated' : 'unchanged'
      if (action !== 'unchanged' || before?.last_error !== def.last_error) await store.syncAutomation(def)
    }
    await this.scheduler.refresh(elementId, action !== 'unchanged')
    return { action, changes, runs_started: 0, row: await store.getAutomation(elementId) }
  }

  /** What the workflow's default ref says its automation is; undefined when it has none. */
  private async definitionOf(row: ElementRow): Promise<AutomationDefinition | undefined> {
    if (row.element_type !== 'workflow' || row.deleted_at) return undefined
    const at = await elementAtRef(this.p.elements, row)
    const spec = at.element.spec as unknown as WorkflowSpec
    if (spec.kind === 'block') return undefined
    const schedule = documentOf(spec)['schedule']
    if (!schedule || typeof schedule !== 'object' || Array.isArray(schedule)) return undefined
    const s = readSchedule(schedule)
    return {
      element_id: row.id,
      circle_id: row.circle_id,
      schedule,
      version: at.element.version,
      source_ref: at.source.source_ref,
      source_commit: at.source.source_commit,
      updated_at: new Date().toISOString(),
      last_error: 'error' in s ? s.error : null,
    }
  }

  /** The workflow an `{automation}` names (its id, or `circle/path`), if the actor's circle holds it. */
  async workflowOf(actor: Actor, ref: string): Promise<ElementRow> {
    const notFound = () =>
      new PlatformError(AUTOMATION.AUTOMATION_NOT_FOUND, `no automation ${ref.slice(0, 200)}`)
    let row: ElementRow | undefined
    if (isUuid(ref)) row = await this.p.elements.records.getElement(ref)
    else {
      const [circle, ...segments] = ref.split('/').filter(Boolean)
      if (circle && segments.length > 0)
        row = await this.p.elements.resolve(actor, circle, segments).catch(() => undefined)
    }
    if (!row || row.deleted_at || row.element_type !== 'workflow' || !canSeeCircle(actor, row.circle_id))
      throw notFound()
    return row
  }

  /** The automation row an `{automation}` names; AUTOMATION_NOT_FOUND when there is none. */
  async get(actor: Actor, ref: string): Promise<AutomationRow> {
    const workflow = await this.workflowOf(actor, ref)
    const row = await this.store().getAutomation(workflow.id)
    if (!row) throw new PlatformError(AUTOMATION.AUTOMATION_NOT_FOUND, `no automation ${ref.slice(0, 200)}`)
    return row
  }

  list(circleId: string | null, after: string | undefined, limit: number): Promise<AutomationRow[]> {
    return this.store().listAutomations(circleId, { ...(after ? { after } : {}), limit })
  }

  async setPaused(row: AutomationRow, paused: boolean): Promise<AutomationRow> {
    if (row.paused !== paused)
      await this.store().patchAutomation(row.element_id, {
        paused,
        // Resuming restarts `after`'s wait and `on`'s `all` window from now.
        ...(paused ? {} : { resumed_at: new Date().toISOString() }),
      })
    await this.scheduler.refresh(row.element_id, true)
    return (await this.store().getAutomation(row.element_id)) ?? row
  }

  async sync(actor: Actor, ref: string): Promise<SyncResult> {
    const workflow = await this.workflowOf(actor, ref)
    const { row, ...result } = await this.reconcile(workflow.id)
    return { ...result, automation: row ? await this.present(row) : null }
  }

  async present(row: AutomationRow): Promise<AutomationJson> {
    const element = await this.p.elements.records.getElement(row.element_id)
    const circle = await this.p.elements.circleSlug(row.circle_id)
    const lineage = element ? await this.p.elements.lineage(element) : []
    const s = readSchedule(row.schedule)
    const invalid = 'error' in s
    const state = row.paused
      ? 'paused'
      : element && !element.enabled
        ? 'disabled'
        : invalid
          ? 'invalid'
          : 'active'
    let name: string | null = null
    try {
      name = element ? String(documentOf(element.spec as unknown as WorkflowSpec).document.name) : null
    } catch {}
    return {
      id: row.element_id,
      circle,
      path: [circle, ...lineage, element?.slug ?? row.element_id].join('/'),
      workflow: name,
      kind: invalid ? null : s.kind,
      schedule: row.schedule,
      state,
      paused: row.paused,
      next_fire_at: state === 'active' ? this.scheduler.nextFireAt(row) : null,
      last_error: row.last_error,
      last_fired_at: row.last_fired_at,
      last_run_id: row.last_run_id,
      version: row.version,
      source_ref: row.source_ref,
      source_commit: row.source_commit,
      updated_at: row.updated_at,
    }
  }
}
