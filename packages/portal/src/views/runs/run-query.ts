// The runs list's filters as they live in the hash query (`#/runs?status=failed&target=acme/hello`),
// so a filtered view can be linked and survives a reload, and their translation into the runs
// API's filters (GET /api/v1/runs; docs/runs.md lists them).
import type { RunFilters, RunStatus } from '@periodic/sdk'

/** The text filters, in the order the form shows them. */
export const TEXT_FILTERS = [
  { key: 'target', label: 'Target', placeholder: 'circle/element', list: null },
  { key: 'type', label: 'Type', placeholder: 'python, workflow…', list: 'run-types' },
  { key: 'trigger', label: 'Trigger', placeholder: 'api, rerun, engine…', list: 'run-triggers' },
  { key: 'source', label: 'Source', placeholder: 'api, cli, sdk, engine…', list: 'run-sources' },
  { key: 'triggered_by', label: 'Started by (key id)', placeholder: 'key id', list: null },
  { key: 'batch_id', label: 'Batch id', placeholder: 'eval-7', list: null },
  { key: 'example_id', label: 'Example id', placeholder: 'exact id', list: null },
  { key: 'example_id_contains', label: 'Example id contains', placeholder: 'substring', list: null },
] as const

export type TextFilterKey = (typeof TEXT_FILTERS)[number]['key']

export interface RunQuery {
  status: string[]
  text: Partial<Record<TextFilterKey, string>>
  /** `datetime-local` values (local time), as typed. */
  from: string
  to: string
  /** Page size (`limit`, 1–200); only from a link, the form keeps it. */
  limit: number | null
}

export function parseRunQuery(q: URLSearchParams): RunQuery {
  const text: Partial<Record<TextFilterKey, string>> = {}
  for (const f of TEXT_FILTERS) {
    const v = q.get(f.key)
    if (v) text[f.key] = v
  }
  return {
    status: (q.get('status') ?? '').split(',').filter(Boolean),
    text,
    from: q.get('from') ?? '',
    to: q.get('to') ?? '',
    limit: pageSize(q.get('limit')),
  }
}

export function runQueryString(r: RunQuery): string {
  const q = new URLSearchParams()
  if (r.status.length) q.set('status', r.status.join(','))
  for (const f of TEXT_FILTERS) {
    const v = r.text[f.key]?.trim()
    if (v) q.set(f.key, v)
  }
  if (r.from) q.set('from', r.from)
  if (r.to) q.set('to', r.to)
  if (r.limit) q.set('limit', String(r.limit))
  return q.toString()
}

function pageSize(raw: string | null): number | null {
  const n = Number(raw)
  return raw && Number.isInteger(n) && n >= 1 && n <= 200 ? n : null
}

function isoOf(local: string): string | undefined {
  if (!local) return undefined
  const d = new Date(local)
  return Number.isNaN(d.getTime()) ? local : d.toISOString()
}

/** The SDK's list filters for `r`. */
export function apiFilters(r: RunQuery): RunFilters {
  const f: RunFilters = {}
  if (r.status.length) f.status = r.status as RunStatus[]
  for (const [k, v] of Object.entries(r.text)) if (v) (f as Record<string, string>)[k] = v
  const from = isoOf(r.from)
  const to = isoOf(r.to)
  if (from) f.from = from
  if (to) f.to = to
  return f
}

/** True when any filter is set. */
export function hasFilters(r: RunQuery): boolean {
  return r.status.length > 0 || Object.values(r.text).some(Boolean) || !!r.from || !!r.to
}
