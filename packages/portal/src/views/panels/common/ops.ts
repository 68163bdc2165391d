// Helpers shared by the type panels: the URL of an element's operation, a relative time
// ("42s ago") for freshness indicators, and a date for expiry columns.
import { api } from '../../../lib/api.ts'

const enc = encodeURIComponent

/** `/api/{circle}/{path}/ops/{op}` with every segment encoded. */
export function opUrl(circle: string, path: string, op: string, query?: Record<string, string>): string {
  const base = `/api/${enc(circle)}/${path.split('/').map(enc).join('/')}/ops/${op}`
  const q = query ? new URLSearchParams(query).toString() : ''
  return q ? `${base}?${q}` : base
}

/** Calls an element operation: GET without a body, POST with one. */
export function op<T = Record<string, unknown>>(
  circle: string,
  path: string,
  name: string,
  body?: unknown,
  query?: Record<string, string>,
): Promise<T> {
  return api<T>(body === undefined ? 'GET' : 'POST', opUrl(circle, path, name, query), body)
}

/** "just now", "42s ago", "5m ago", "3h ago", "2d ago" from an ISO time to `now` (ms). */
export function ago(iso: string | null | undefined, now: number): string {
  if (!iso) return 'never'
  const t = Date.parse(iso)
  if (Number.isNaN(t)) return 'never'
  const s = Math.max(0, Math.round((now - t) / 1000))
  if (s < 2) return 'just now'
  if (s < 60) return `${s}s ago`
  if (s < 3600) return `${Math.floor(s / 60)}m ago`
  if (s < 86_400) return `${Math.floor(s / 3600)}h ago`
  return `${Math.floor(s / 86_400)}d ago`
}

/** A Unix-seconds expiry as a short UTC date, or "session". */
export function expiry(seconds: number | undefined | null): string {
  if (seconds === undefined || seconds === null) return 'session'
  return `${new Date(seconds * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC`
}
