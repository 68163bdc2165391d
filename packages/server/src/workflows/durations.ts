// DSL durations: an ISO 8601 duration (`PT5S`, `P1DT2H`) or an object of days, hours, minutes,
// seconds and milliseconds.
import type { Json } from '../storage/storage.ts'

const ISO =
  /^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/

/** Milliseconds of a DSL duration; undefined when it is not one. */
export function durationMs(d: Json | undefined): number | undefined {
  if (typeof d === 'string') {
    const m = ISO.exec(d.trim())
    if (!m || d.trim() === 'P' || d.trim().endsWith('T')) return undefined
    const [w, day, h, min, s] = m.slice(1).map((x) => (x ? Number(x) : 0)) as number[]
    return Math.round(((((w! * 7 + day!) * 24 + h!) * 60 + min!) * 60 + s!) * 1000)
  }
  if (d && typeof d === 'object' && !Array.isArray(d)) {
    const n = (k: string) => (typeof d[k] === 'number' ? (d[k] as number) : 0)
    return Math.round(
      (((n('days') * 24 + n('hours')) * 60 + n('minutes')) * 60 + n('seconds')) * 1000 + n('milliseconds'),
    )
  }
  return undefined
}
