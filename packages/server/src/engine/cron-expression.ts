// 7-field cron expressions as the iii engine reads them: second minute hour day-of-month month
// day-of-week year (the year may be left off). `*`, `?`, lists, ranges, steps and names; days
// of the week are 1-7 with Sunday = 1. Times are UTC.
import { EngineError } from './engine-error.ts'

interface Field {
  min: number
  max: number
  names?: string[]
}

const FIELDS: Field[] = [
  { min: 0, max: 59 },
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  {
    min: 1,
    max: 12,
    names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'],
  },
  { min: 1, max: 7, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] },
  { min: 1970, max: 2099 },
]
const LABELS = ['second', 'minute', 'hour', 'day of month', 'month', 'day of week', 'year']

export interface CronSchedule {
  /** Allowed values per field; `any` marks a field written as `*` or `?`. */
  sets: Array<{ values: Set<number>; any: boolean }>
}

function value(raw: string, f: Field, label: string): number {
  const named = f.names?.indexOf(raw.toUpperCase()) ?? -1
  const n = named >= 0 ? f.min + named : /^\d{1,4}$/.test(raw) ? Number(raw) : Number.NaN
  if (!(n >= f.min && n <= f.max)) throw bad(`${label} "${raw}" is outside ${f.min}-${f.max}`)
  return n
}

function bad(why: string): EngineError {
  return new EngineError('invalid_trigger_config', `cron expression: ${why}`)
}

export function parseCron(expression: string): CronSchedule {
  if (typeof expression !== 'string' || expression.length > 256) throw bad('must be a string')
  const parts = expression.trim().split(/\s+/)
  if (parts.length === 6) parts.push('*')
  if (parts.length !== 7)
    throw bad(`needs 7 fields (second minute hour day-of-month month day-of-week year), got ${parts.length}`)
  const sets = parts.map((part, i) => {
    const f = FIELDS[i]!
    const label = LABELS[i]!
    const values = new Set<number>()
    const any = part === '*' || part === '?'
    for (const item of part.split(',')) {
      const [range, stepRaw] = item.split('/')
      if (range === undefined || range === '') throw bad(`empty ${label} item`)
      const step = stepRaw === undefined ? 1 : Number(stepRaw)
      if (!Number.isInteger(step) || step < 1 || step > f.max) throw bad(`bad ${label} step "${stepRaw}"`)
      let lo: number
      let hi: number
      if (range === '*' || range === '?') [lo, hi] = [f.min, f.max]
      else if (range.includes('-')) {
        const [a, b] = range.split('-')
        lo = value(a ?? '', f, label)
        hi = value(b ?? '', f, label)
        if (lo > hi) throw bad(`${label} range "${range}" runs backwards`)
      } else {
        lo = value(range, f, label)
        hi = stepRaw === undefined ? lo : f.max
      }
      for (let v = lo; v <= hi; v += step) values.add(v)
    }
    return { values, any }
  })
  return { sets }
}

/** The first matching second strictly after `afterMs` (UTC), or undefined past the year 2099. */
export function nextCronTime(s: CronSchedule, afterMs: number): number | undefined {
  const [sec, min, hour, dom, month, dow, year] = s.sets as [
    CronSchedule['sets'][0],
    CronSchedule['sets'][0],
    CronSchedule['sets'][0],
    CronSchedule['sets'][0],
    CronSchedule['sets'][0],
    CronSchedule['sets'][0],
    CronSchedule['sets'][0],
  ]
  const d = new Date(Math.floor(afterMs / 1000) * 1000 + 1000)
  for (let guard = 0; guard < 100_000; guard++) {
    if (d.getUTCFullYear() > 2099) return undefined
    if (!year.values.has(d.getUTCFullYear())) {
      d.setUTCFullYear(d.getUTCFullYear() + 1, 0, 1)
      d.setUTCHours(0, 0, 0, 0)
      continue
    }
    if (!month.values.has(d.getUTCMonth() + 1)) {
      d.setUTCMonth(d.getUTCMonth() + 1, 1)
      d.setUTCHours(0, 0, 0, 0)
      continue
    }
    const domOk = dom.values.has(d.getUTCDate())
    const dowOk = dow.values.has(d.getUTCDay() + 1)
    if (!(domOk && dowOk)) {
      d.setUTCDate(d.getUTCDate() + 1)
      d.setUTCHours(0, 0, 0, 0)
      continue
    }
    if (!hour.values.has(d.getUTCHours())) {
      d.setUTCHours(d.getUTCHours() + 1, 0, 0, 0)
      continue
    }
    if (!min.values.has(d.getUTCMinutes())) {
      d.setUTCMinutes(d.getUTCMinutes() + 1, 0, 0)
      continue
    }
    if (!sec.values.has(d.getUTCSeconds())) {
      d.setUTCSeconds(d.getUTCSeconds() + 1, 0)
      continue
    }
    return d.getTime()
  }
  return undefined
}
