// DSL durations and the workflow `schedule`, normalised for the interpreter and the scheduler:
// durations in milliseconds, cron text both as written (5 fields, minute first) and in the
// engine's 7-field form, and `on` as event filters.
import { parseCron } from '../engine/cron-expression.ts'
import type { JsonObject } from '../storage/storage.ts'
import { isObject } from './dsl-tasks.ts'

const UNIT_MS: Record<string, number> = {
  days: 86_400_000,
  hours: 3_600_000,
  minutes: 60_000,
  seconds: 1000,
  milliseconds: 1,
}

const ISO =
  /^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/

/**
 * A DSL duration (`{ minutes: 5 }` or ISO 8601 `PT5M`) in milliseconds; undefined when it is not
 * one, or names years or months (no fixed length: the definition check refuses those).
 */
export function durationMs(d: unknown): number | undefined {
  if (isObject(d)) {
    let ms = 0
    for (const [unit, n] of Object.entries(d)) {
      const per = UNIT_MS[unit]
      if (per === undefined || typeof n !== 'number' || !Number.isInteger(n) || n < 0) return undefined
      ms += n * per
    }
    return ms
  }
  if (typeof d !== 'string' || d === 'P' || d.endsWith('T')) return undefined
  const m = ISO.exec(d)
  if (!m) return undefined
  const [w, day, h, min, s] = m.slice(1).map((x) => (x === undefined ? 0 : Number(x)))
  return Math.round(
    (w ?? 0) * 7 * UNIT_MS.days! +
      (day ?? 0) * UNIT_MS.days! +
      (h ?? 0) * UNIT_MS.hours! +
      (min ?? 0) * UNIT_MS.minutes! +
      (s ?? 0) * 1000,
  )
}

const DOW_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN']

/**
 * A standard 5-field cron (minute hour day-of-month month day-of-week, Sunday = 0 or 7) in the
 * engine's 7-field form (second … year, Sunday = 1): numeric days of the week become names.
 * Throws with a readable reason when the expression is not valid.
 */
export function toEngineCron(cron: string): string {
  const parts = cron.trim().split(/\s+/)
  if (parts.length !== 5)
    throw new Error(`cron needs 5 fields (minute hour day-of-month month day-of-week), got ${parts.length}`)
  const dow = (parts[4] ?? '').replace(/(^|[,-])([0-7])(?=$|[,/-])/g, (_m, sep: string, d: string) => {
    return `${sep}${DOW_NAMES[Number(d)] ?? d}`
  })
  const engine = `0 ${parts.slice(0, 4).join(' ')} ${dow} *`
  try {
    parseCron(engine)
  } catch (err) {
    throw new Error(err instanceof Error ? err.message : String(err))
  }
  return engine
}

/** The event filters of a consumption strategy (`one`, `any`, `all`). */
export interface EventStrategy {
  mode: 'one' | 'any' | 'all'
  filters: JsonObject[]
  /** `any` only: a runtime expression, or the strategy whose events stop the listening. */
  until?: string | EventStrategy
}

export function eventStrategyOf(s: unknown): EventStrategy | undefined {
  if (!isObject(s)) return undefined
  const filters = (v: unknown) => (Array.isArray(v) ? v.filter(isObject) : [])
  if (isObject(s.one)) return { mode: 'one', filters: [s.one] }
  if (Array.isArray(s.all)) return { mode: 'all', filters: filters(s.all) }
  if (Array.isArray(s.any)) {
    const out: EventStrategy = { mode: 'any', filters: filters(s.any) }
    const until = typeof s.until === 'string' ? s.until : eventStrategyOf(s.until)
    if (until !== undefined) out.until = until
    return out
  }
  return undefined
}

/** A workflow's schedule, normalised. Undefined when the document has none. */
export interface WorkflowSchedule {
  /** Start a run every N ms (measured from the start of the previous one). */
  everyMs?: number
  /** Start runs on this cron, as written (5 fields, minute first, UTC)… */
  cron?: string
  /** …and in the engine's 7-field form. */
  engineCron?: string
  /** Start a run N ms after the previous one completes. */
  afterMs?: number
  /** Start a run when these events arrive. */
  on?: EventStrategy
}

export function scheduleOf(doc: JsonObject): WorkflowSchedule | undefined {
  const s = doc.schedule
  if (!isObject(s)) return undefined
  const out: WorkflowSchedule = {}
  const every = durationMs(s.every)
  if (every !== undefined) out.everyMs = every
  if (typeof s.cron === 'string') {
    out.cron = s.cron
    out.engineCron = toEngineCron(s.cron)
  }
  const after = durationMs(s.after)
  if (after !== undefined) out.afterMs = after
  const on = eventStrategyOf(s.on)
  if (on) out.on = on
  return out
}
