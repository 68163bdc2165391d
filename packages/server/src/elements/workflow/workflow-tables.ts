// The workflow type's own tables: each run's definition snapshot, its steps (the checkpoint a
// resumed run replays, and what the runs API shows of it), CloudEvents emitted or received in a
// circle (what `listen` reads, so a listener that was down misses nothing), and automations.
import { CompiledQuery, type Kysely } from 'kysely'
import type { Json, JsonObject } from '../../storage/storage.ts'
import type { TypeTables } from '../../storage/type-tables.ts'
import type { StepRecord } from '../../workflows/workflow-host.ts'
import { automationFiringsMigration } from './automation-migration.ts'
import { workflowTablesMigration } from './workflow-migration.ts'

export interface WorkflowRunRow {
  run_id: string
  circle_id: string
  element_id: string
  /** The definition text the run started with (what `GET /runs/{id}/definition` answers). */
  definition: string
  depth: number
  created_at: string
}

export interface WorkflowEventRow {
  id: string
  circle_id: string
  type: string
  source: string
  event: JsonObject
  created_at: string
}

export interface AutomationRow {
  element_id: string
  circle_id: string
  /** The definition's `schedule`, as it was when the automation was last synced. */
  schedule: JsonObject
  paused: boolean
  /** The element version the automation was synced from. */
  version: number
  updated_at: string
  /** The branch (`live`, `draft`) and commit the schedule was read from. */
  source_ref: string | null
  source_commit: string | null
  /** Why the automation did not fire last time (a bad schedule, a revoked key), else null. */
  last_error: string | null
  last_fired_at: string | null
  last_run_id: string | null
  /** When the automation began counting (created or resumed): `after`'s first wait, `on`'s first event. */
  resumed_at: string | null
}

/** The columns a sync writes: what the definition says (never the firing record or `paused`). */
export type AutomationDefinition = Pick<
  AutomationRow,
  | 'element_id'
  | 'circle_id'
  | 'schedule'
  | 'version'
  | 'updated_at'
  | 'source_ref'
  | 'source_commit'
  | 'last_error'
>

/** What a firing (or a pause) changes. */
export type AutomationPatch = Partial<
  Pick<AutomationRow, 'paused' | 'last_error' | 'last_fired_at' | 'last_run_id' | 'resumed_at'>
>

export interface WorkflowStore {
  /** Stores the run's snapshot once (a resumed run keeps the first). */
  snapshot(row: WorkflowRunRow): Promise<void>
  getRun(runId: string): Promise<WorkflowRunRow | undefined>
  /** Inserts or updates steps by (run, key); `seq` orders them as first recorded. */
  putSteps(runId: string, steps: Array<StepRecord & { seq: number }>): Promise<void>
  listSteps(runId: string): Promise<Array<StepRecord & { seq: number }>>
  insertEvent(row: WorkflowEventRow): Promise<void>
  /** Events of the circle created at or after `since` (oldest first). */
  eventsSince(circleId: string, since: string, limit: number): Promise<WorkflowEventRow[]>
  putAutomation(row: AutomationRow): Promise<void>
  getAutomation(elementId: string): Promise<AutomationRow | undefined>
  /** A circle's (null: every circle's) automations by element id, after `after`, at most `limit`. */
  listAutomations(
    circleId: string | null,
    page?: { after?: string; limit?: number },
  ): Promise<AutomationRow[]>
  deleteAutomation(elementId: string): Promise<void>
  /** Inserts an automation, or updates only its definition columns (paused and firings kept). */
  syncAutomation(row: AutomationDefinition): Promise<void>
  patchAutomation(elementId: string, patch: AutomationPatch): Promise<void>
  /**
   * Claims one firing (a tick, an event, a previous run) of an automation: true for exactly one
   * caller across every node sharing the database.
   */
  claimAutomation(elementId: string, claim: string, node: string, at: string): Promise<boolean>
}

type StepColumns = {
  run_id: string
  key: string
  seq: number
  name: string
  position: string
  kind: string
  status: string
  input: string
  output: string
  error: string | null
  context: string | null
  flow: string | null
  attempts: number
  started_at: string
  completed_at: string | null
  duration_ms: number | null
  child_run_id: string | null
  wake_at: string | null
}

interface Tables {
  workflow_runs: WorkflowRunRow
  workflow_steps: StepColumns
  workflow_events: Omit<WorkflowEventRow, 'event'> & { event: string }
  workflow_automations: Omit<AutomationRow, 'schedule' | 'paused'> & { schedule: string; paused: number }
  workflow_automation_claims: { element_id: string; claim: string; node: string; created_at: string }
}

const json = (v: Json | undefined) => JSON.stringify(v ?? null)
const STEP_UPDATES = [
  'status',
  'input',
  'output',
  'error',
  'context',
  'flow',
  'attempts',
  'completed_at',
  'duration_ms',
  'child_run_id',
  'wake_at',
] as const

/** The columns in the order a statement built from `stepColumns` rows binds them. */
const STEP_COLUMNS = [
  'run_id',
  'key',
  'seq',
  'name',
  'position',
  'kind',
  'status',
  'input',
  'output',
  'error',
  'context',
  'flow',
  'attempts',
  'started_at',
  'completed_at',
  'duration_ms',
  'child_run_id',
  'wake_at',
] as const satisfies ReadonlyArray<keyof StepColumns>
const STEPS_PER_STATEMENT = 400
/** The upsert's SQL text by row count, per database handle (building it costs more than running it). */
const upsertTexts = new WeakMap<object, Map<number, string>>()

function stepColumns(runId: string, s: StepRecord & { seq: number }): StepColumns {
  return {
    run_id: runId,
    key: s.key,
    seq: s.seq,
    name: s.name,
    position: s.position,
    kind: s.kind,
    status: s.status,
    input: json(s.input),
    output: json(s.output),
    error: s.error ? JSON.stringify(s.error) : null,
    context: s.context !== undefined ? json(s.context) : null,
    flow: s.flow ?? null,
    attempts: s.attempts,
    started_at: s.started_at,
    completed_at: s.completed_at,
    duration_ms: s.duration_ms,
    child_run_id: s.child_run_id ?? null,
    wake_at: s.wake_at ?? null,
  }
}

function sameParameters(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i])
}

function toStep(r: StepColumns): StepRecord & { seq: number } {
  return {
    key: r.key,
    seq: Number(r.seq),
    name: r.name,
    position: r.position,
    kind: r.kind,
    status: r.status as StepRecord['status'],
    input: JSON.parse(r.input) as Json,
    output: JSON.parse(r.output) as Json,
    error: r.error ? (JSON.parse(r.error) as JsonObject) : null,
    ...(r.context !== null ? { context: JSON.parse(r.context) as Json } : {}),
    ...(r.flow !== null ? { flow: r.flow } : {}),
    attempts: Number(r.attempts),
    started_at: r.started_at,
    completed_at: r.completed_at,
    duration_ms: r.duration_ms === null ? null : Number(r.duration_ms),
    child_run_id: r.child_run_id,
    wake_at: r.wake_at,
  }
}

class KyselyWorkflowStore implements WorkflowStore {
  constructor(private readonly db: Kysely<Tables>) {}

  async snapshot(row: WorkflowRunRow): Promise<void> {
    await this.db
      .insertInto('workflow_runs')
      .values(row)
      .onConflict((oc) => oc.column('run_id').doNothing())
      .execute()
  }

  getRun(runId: string): Promise<WorkflowRunRow | undefined> {
    return this.db.selectFrom('workflow_runs').selectAll().where('run_id', '=', runId).executeTakeFirst()
  }

  async putSteps(runId: string, steps: Array<StepRecord & { seq: number }>): Promise<void> {
    const texts = upsertTexts.get(this.db) ?? new Map<number, string>()
    upsertTexts.set(this.db, texts)
    for (let i = 0; i < steps.length; i += STEPS_PER_STATEMENT) {
      const rows = steps.slice(i, i + STEPS_PER_STATEMENT).map((s) => stepColumns(runId, s))
      const params = rows.flatMap((r) => STEP_COLUMNS.map((c) => r[c]))
      const text = texts.get(rows.length)
      if (text) {
        await this.db.executeQuery(CompiledQuery.raw(text, params))
        continue
      }
      // Built once per row count; later statements of that many rows reuse its text.
      const compiled = this.db
        .insertInto('workflow_steps')
        .values(rows)
        .onConflict((oc) =>
          oc
            .columns(['run_id', 'key'])
            .doUpdateSet((eb) => Object.fromEntries(STEP_UPDATES.map((c) => [c, eb.ref(`excluded.${c}`)]))),
        )
        .compile()
      if (sameParameters(compiled.parameters, params)) texts.set(rows.length, compiled.sql)
      await this.db.executeQuery(compiled)
    }
  }

  async listSteps(runId: string): Promise<Array<StepRecord & { seq: number }>> {
    const rows = await this.db
      .selectFrom('workflow_steps')
      .selectAll()
      .where('run_id', '=', runId)
      .orderBy('seq')
      .execute()
    return rows.map(toStep)
  }

  async insertEvent(row: WorkflowEventRow): Promise<void> {
    await this.db
      .insertInto('workflow_events')
      .values({ ...row, event: JSON.stringify(row.event) })
      .execute()
  }

  async eventsSince(circleId: string, since: string, limit: number): Promise<WorkflowEventRow[]> {
    const rows = await this.db
      .selectFrom('workflow_events')
      .selectAll()
      .where('circle_id', '=', circleId)
      .where('created_at', '>=', since)
      .orderBy('created_at')
      .limit(limit)
      .execute()
    return rows.map((r) => ({ ...r, event: JSON.parse(r.event) as JsonObject }))
  }

  async putAutomation(row: AutomationRow): Promise<void> {
    const values = { ...row, schedule: JSON.stringify(row.schedule), paused: row.paused ? 1 : 0 }
    await this.db
      .insertInto('workflow_automations')
      .values(values)
      .onConflict((oc) => oc.column('element_id').doUpdateSet(values))
      .execute()
  }

  async getAutomation(elementId: string): Promise<AutomationRow | undefined> {
    const r = await this.db
      .selectFrom('workflow_automations')
      .selectAll()
      .where('element_id', '=', elementId)
      .executeTakeFirst()
    return r && toAutomation(r)
  }

  async listAutomations(
    circleId: string | null,
    page: { after?: string; limit?: number } = {},
  ): Promise<AutomationRow[]> {
    let q = this.db.selectFrom('workflow_automations').selectAll()
    if (circleId) q = q.where('circle_id', '=', circleId)
    if (page.after) q = q.where('element_id', '>', page.after)
    if (page.limit) q = q.limit(page.limit)
    return (await q.orderBy('element_id').execute()).map(toAutomation)
  }

  async deleteAutomation(elementId: string): Promise<void> {
    await this.db.deleteFrom('workflow_automations').where('element_id', '=', elementId).execute()
    await this.db.deleteFrom('workflow_automation_claims').where('element_id', '=', elementId).execute()
  }

  async syncAutomation(row: AutomationDefinition): Promise<void> {
    const def = { ...row, schedule: JSON.stringify(row.schedule) }
    await this.db
      .insertInto('workflow_automations')
      .values({
        ...def,
        paused: 0,
        last_fired_at: null,
        last_run_id: null,
        resumed_at: row.updated_at,
      })
      .onConflict((oc) => oc.column('element_id').doUpdateSet(def))
      .execute()
  }

  async patchAutomation(elementId: string, patch: AutomationPatch): Promise<void> {
    const { paused, ...rest } = patch
    const set = { ...rest, ...(paused === undefined ? {} : { paused: paused ? 1 : 0 }) }
    if (Object.keys(set).length === 0) return
    await this.db.updateTable('workflow_automations').set(set).where('element_id', '=', elementId).execute()
  }

  async claimAutomation(elementId: string, claim: string, node: string, at: string): Promise<boolean> {
    const r = await this.db
      .insertInto('workflow_automation_claims')
      .values({ element_id: elementId, claim, node, created_at: at })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst()
    if (Math.random() < 0.01) {
      const old = new Date(Date.now() - 7 * 86_400_000).toISOString()
      await this.db.deleteFrom('workflow_automation_claims').where('created_at', '<', old).execute()
    }
    return Number(r.numInsertedOrUpdatedRows ?? 0n) === 1
  }
}

function toAutomation(r: Tables['workflow_automations']): AutomationRow {
  return {
    ...r,
    schedule: JSON.parse(r.schedule) as JsonObject,
    paused: Number(r.paused) === 1,
    version: Number(r.version),
    source_ref: r.source_ref ?? null,
    source_commit: r.source_commit ?? null,
    last_error: r.last_error ?? null,
    last_fired_at: r.last_fired_at ?? null,
    last_run_id: r.last_run_id ?? null,
    resumed_at: r.resumed_at ?? null,
  }
}

export const workflowTables: TypeTables<WorkflowStore> = {
  name: 'workflow',
  migrations: () => ({
    '0001_workflow_runs_steps_events': workflowTablesMigration,
    '0002_workflow_automation_firings': automationFiringsMigration,
  }),
  store: (db) => new KyselyWorkflowStore(db as Kysely<Tables>),
}
