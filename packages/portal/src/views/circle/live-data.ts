// The live half of a card ("a live workspace card"), fetched only for cards in view and a few at
// a time, so opening a circle of 1,000 elements costs one list request: a Python card's last run
// status and p50 duration (its latest runs), a WebSocket card's connection count, a cookie jar's
// dirty flag (what `diff` against its attached browser would change). Count and freshness of a
// jar come with the element itself (spec.cookie_count, spec.cookies_updated_at).
import { api } from '../../lib/api.ts'
import type { ElementJson } from '../../lib/types.ts'
import { apiPath } from './circle-store.svelte.ts'

export interface LiveData {
  lastStatus?: string | null
  p50Ms?: number | null
  runs?: number
  connections?: number | null
  dirty?: boolean | null
}

const CONCURRENCY = 4
let active = 0
const waiting: Array<() => void> = []

async function slot<T>(work: () => Promise<T>): Promise<T> {
  if (active >= CONCURRENCY) await new Promise<void>((r) => waiting.push(r))
  active++
  try {
    return await work()
  } finally {
    active--
    waiting.shift()?.()
  }
}

export function median(values: number[]): number | null {
  if (!values.length) return null
  const s = [...values].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

interface RunJson {
  status?: string
  execution?: { status?: string }
  timing?: { duration_ms?: number | null }
}

async function pythonLive(el: ElementJson): Promise<LiveData> {
  const { runs } = await api<{ runs: RunJson[] }>(
    'GET',
    `/api/v1/runs?target=${encodeURIComponent(el.path)}&limit=20`,
  )
  const durations = runs.map((r) => r.timing?.duration_ms).filter((d): d is number => typeof d === 'number')
  const last = runs[0]
  return {
    lastStatus: last ? (last.status ?? last.execution?.status ?? null) : null,
    p50Ms: median(durations),
    runs: runs.length,
  }
}

async function websocketLive(el: ElementJson): Promise<LiveData> {
  const r = await api<{ count?: number }>('GET', `${apiPath(el.path)}/ops/connections`)
  return { connections: typeof r.count === 'number' ? r.count : null }
}

async function jarLive(el: ElementJson): Promise<LiveData> {
  const browser = el.spec['attached_browser_id']
  if (typeof browser !== 'string' || !browser) return { dirty: null }
  const d = await api<{ added: number; removed: number; changed: number }>(
    'POST',
    `${apiPath(el.path)}/ops/diff`,
    { browser_id: browser },
  )
  return { dirty: d.added + d.removed + d.changed > 0 }
}

const fetchers: Record<string, (el: ElementJson) => Promise<LiveData>> = {
  python: pythonLive,
  websocket: websocketLive,
  'cookie-jar': jarLive,
}

export function hasLiveData(type: string): boolean {
  return type in fetchers
}

/** What was fetched, by element id, with the live tick it was fetched at: a card scrolled out
 *  of the DOM and back in does not fetch again until an event says something changed. */
const cache = new Map<string, { tick: number; data: Promise<LiveData | null> }>()

/** The element's live data, or null when its type has none; errors leave the card as it is. */
export function fetchLiveData(el: ElementJson, tick: number): Promise<LiveData | null> {
  const f = fetchers[el.element_type]
  if (!f) return Promise.resolve(null)
  const hit = cache.get(el.id)
  if (hit && hit.tick === tick) return hit.data
  const data = slot(() => f(el)).catch(() => null)
  cache.set(el.id, { tick, data })
  return data
}

/** "42s ago", "5m ago", "3h ago", "2d ago". */
export function ago(iso: string, now: number): string {
  const t = Date.parse(iso)
  if (Number.isNaN(t)) return 'never'
  const s = Math.max(0, Math.round((now - t) / 1000))
  if (s < 60) return `${s}s ago`
  if (s < 3600) return `${Math.floor(s / 60)}m ago`
  if (s < 86_400) return `${Math.floor(s / 3600)}h ago`
  return `${Math.floor(s / 86_400)}d ago`
}

export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`
}
