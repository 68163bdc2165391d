// A workflow document's `schedule` read as an automation: `every` (fixed interval, ticks aligned
// to the epoch so every node names the same tick), `cron` (5 fields, UTC, read by the engine's
// cron parser), `after` (that long after the previous run ended) or `on` (events, like
// `listen.to`). The next tick of a timed schedule is computed here; firing is the scheduler's.
import { type CronSchedule, nextCronTime, parseCron } from '../../engine/cron-expression.ts'
import type { Json, JsonObject } from '../../storage/storage.ts'
import { durationMs } from '../../workflows/dsl-schedule.ts'

/** The shortest `every`/`after` a schedule may name. */
export const MIN_INTERVAL_MS = 1000

export type AutomationSchedule =
  | { kind: 'every'; ms: number }
  | { kind: 'cron'; expression: string; cron: CronSchedule }
  | { kind: 'after'; ms: number }
  | { kind: 'on'; mode: 'one' | 'any' | 'all'; filters: JsonObject[] }

export type AutomationKind = AutomationSchedule['kind']

/** The schedule, or the reason it cannot be one (recorded as the automation's last_error). */
export function readSchedule(raw: JsonObject): AutomationSchedule | { error: string } {
  if ('every' in raw) return interval('every', raw['every'])
  if ('after' in raw) return interval('after', raw['after'])
  if ('cron' in raw) {
    const expression = raw['cron']
    if (typeof expression !== 'string') return { error: 'schedule.cron must be a string' }
    try {
      return { kind: 'cron', expression, cron: parseCron(toEngineCron(expression)) }
    } catch (err) {
      return { error: `schedule.cron: ${(err as Error).message}` }
    }
  }
  if ('on' in raw) {
    const on = raw['on']
    if (!on || typeof on !== 'object' || Array.isArray(on))
      return { error: 'schedule.on must be an event consumption strategy (one, any or all)' }
    const mode = 'all' in on ? 'all' : 'any' in on ? 'any' : 'one' in on ? 'one' : undefined
    if (!mode) return { error: 'schedule.on needs one, any or all' }
    const list = mode === 'one' ? [on['one']] : on[mode]
    if (!Array.isArray(list) || list.length === 0)
      return { error: `schedule.on.${mode} must list at least one event filter` }
    const filters: JsonObject[] = []
    for (const f of list) {
      const w = f && typeof f === 'object' && !Array.isArray(f) ? (f as JsonObject)['with'] : undefined
      if (!w || typeof w !== 'object' || Array.isArray(w))
        return { error: `schedule.on.${mode}: each filter needs a with object of event attributes` }
      filters.push(w)
    }
    return { kind: 'on', mode, filters }
  }
  return { error: 'schedule needs every, cron, after or on' }
}

function interval(kind: 'every' | 'after', value: Json | undefined): AutomationSchedule | { error: string } {
  const ms = durationMs(value)
  if (ms === undefined) return { error: `schedule.${kind} is not a duration` }
  if (ms < MIN_INTERVAL_MS) return { error: `schedule.${kind} must be at least ${MIN_INTERVAL_MS} ms` }
  return { kind, ms }
}

/**
 * A 5-field cron (minute hour day-of-month month day-of-week, Sunday = 0 or 7) as the engine's
 * 7 fields (second … year, Sunday = 1). A 6- or 7-field expression is passed as written.
 */
export function toEngineCron(expression: string): string {
  const parts = expression.trim().split(/\s+/)
  if (parts.length !== 5) return expression
  const dow = parts[4]!.split(',').flatMap((item) => {
    const [range, step] = item.split('/')
    const suffix = step === undefined ? '' : `/${step}`
    if (!range || range === '*' || range === '?') return [item]
    const [a, b] = range.split('-')
    const shift = (n: string) => (/^\d+$/.test(n) ? String((Number(n) % 7) + 1) : n)
    if (b === undefined) return [`${shift(a!)}${suffix}`]
    // A range ending on Sunday written as 7 (5-7): up to Saturday, and Sunday on its own.
    if (b === '7' && a !== '0' && /^\d+$/.test(a!)) return [`${shift(a!)}-7${suffix}`, '1']
    return [`${shift(a!)}-${shift(b)}${suffix}`]
  })
  return ['0', ...parts.slice(0, 4), dow.join(','), '*'].join(' ')
}

/** The first tick of a timed schedule strictly after `afterMs`; undefined for `after` and `on`. */
export function nextTick(s: AutomationSchedule, afterMs: number): number | undefined {
  if (s.kind === 'every') return (Math.floor(afterMs / s.ms) + 1) * s.ms
  if (s.kind === 'cron') return nextCronTime(s.cron, afterMs)
  return undefined
}
