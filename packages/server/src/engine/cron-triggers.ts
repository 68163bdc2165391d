// The `cron` trigger type: each trigger fires its function at the times its 7-field expression
// names. A tick is claimed in the database first (one row per schedule and tick), so when
// several nodes hold the same schedule the function runs once per tick.
import { type Kysely, sql } from 'kysely'
import type { JsonObject } from '../storage/storage.ts'
import { formatTraceparent, newSpanId, newTraceId } from '../trace-context.ts'
import { fireTrigger, type TriggerFailureLog } from './change-triggers.ts'
import { type CronSchedule, nextCronTime, parseCron } from './cron-expression.ts'
import type { Engine, RegisteredTrigger, TriggerTypeHandler } from './engine.ts'
import { EngineError } from './engine-error.ts'

/** Time for the scheduler; tests pass a manual clock so nothing waits for real minutes. */
export interface EngineClock {
  now(): number
  /** Calls `fn` after `ms`; returns a cancel function. */
  setTimer(fn: () => void, ms: number): () => void
}

export const systemClock: EngineClock = {
  now: () => Date.now(),
  setTimer(fn, ms) {
    // setTimeout caps at ~24.8 days; a longer wait re-arms on the way.
    const t = setTimeout(fn, Math.min(ms, 2 ** 31 - 1))
    t.unref()
    return () => clearTimeout(t)
  },
}

interface Job {
  trigger: RegisteredTrigger
  schedule: CronSchedule
  expression: string
  condition: string | null
  cancel?: () => void
}

interface TickTables {
  engine_cron_ticks: { trigger_key: string; tick_at: string; node: string }
}

export class CronTriggers implements TriggerTypeHandler {
  readonly id = 'cron'
  readonly description = 'Scheduled runs (config: expression, 7-field cron in UTC; condition_function_id?)'
  private readonly jobs = new Map<RegisteredTrigger, Job>()
  private readonly db: Kysely<TickTables>

  constructor(
    private readonly engine: Engine,
    db: Kysely<unknown>,
    private readonly node: string,
    private readonly clock: EngineClock,
    private readonly log: TriggerFailureLog,
  ) {
    this.db = db as unknown as Kysely<TickTables>
  }

  register(t: RegisteredTrigger): void {
    const c = (t.config ?? {}) as JsonObject
    const expression = typeof c === 'object' && !Array.isArray(c) ? c['expression'] : undefined
    if (typeof expression !== 'string')
      throw new EngineError('invalid_trigger_config', 'config.expression is required')
    const condition = c['condition_function_id']
    const job: Job = {
      trigger: t,
      schedule: parseCron(expression),
      expression,
      condition: typeof condition === 'string' ? condition : null,
    }
    this.jobs.set(t, job)
    this.arm(job, this.clock.now())
  }

  unregister(t: RegisteredTrigger): void {
    this.jobs.get(t)?.cancel?.()
    this.jobs.delete(t)
  }

  close(): void {
    for (const j of this.jobs.values()) j.cancel?.()
    this.jobs.clear()
  }

  private arm(job: Job, after: number): void {
    const at = nextCronTime(job.schedule, after)
    if (at === undefined) return
    job.cancel = this.clock.setTimer(
      () => {
        if (this.jobs.get(job.trigger) !== job) return
        if (this.clock.now() < at) return this.arm(job, at - 1000) // woke early (a capped timer)
        this.arm(job, at)
        void this.tick(job, at)
      },
      Math.max(0, at - this.clock.now()),
    )
  }

  private async tick(job: Job, at: number): Promise<void> {
    const scheduled = new Date(at).toISOString()
    // The same schedule on any node claims the same row: circle, function and expression.
    const key = JSON.stringify([job.trigger.circleId, job.trigger.function_id, job.expression])
    try {
      const r = await this.db
        .insertInto('engine_cron_ticks')
        .values({ trigger_key: key, tick_at: scheduled, node: this.node })
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst()
      if (Number(r.numInsertedOrUpdatedRows ?? 0n) !== 1) return
      if (Math.random() < 0.01) {
        const old = new Date(at - 86_400_000).toISOString()
        await sql`delete from engine_cron_ticks where tick_at < ${old}`.execute(this.db)
      }
    } catch (err) {
      this.log({ trigger: job.trigger.id, err: String(err) }, 'engine: cron tick could not be claimed')
      return
    }
    await fireTrigger(
      this.engine,
      job.trigger,
      job.condition,
      {
        type: 'cron',
        trigger_id: job.trigger.id,
        expression: job.expression,
        scheduled_time: scheduled,
        actual_time: new Date(this.clock.now()).toISOString(),
      },
      this.log,
      // Each tick starts a trace: the function's run, and what it calls, share its id.
      { traceparent: formatTraceparent(newTraceId(), newSpanId()) },
    )
  }
}
