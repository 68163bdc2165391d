// Small helpers the runs explorer's components share: the badge class of a status, durations and
// times for people, pretty JSON, and saving bytes the API returned as a file (downloads need the
// Authorization header, so they are fetched first and handed to the browser as an object URL).
import type { Run } from '@periodic/sdk'

export const RUN_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const

/** The `.badge` modifier for a run status. */
export function statusTone(status: string): string {
  if (status === 'succeeded') return 'ok'
  if (status === 'failed') return 'danger'
  if (status === 'running' || status === 'queued') return 'warn'
  return ''
}

export function isActive(run: Pick<Run, 'status'>): boolean {
  return run.status === 'queued' || run.status === 'running'
}

/** `850 ms`, `3.2 s`, `4 min 05 s`; `—` for null. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—'
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`
  const m = Math.floor(ms / 60_000)
  const s = Math.round((ms % 60_000) / 1000)
  return `${m} min ${String(s).padStart(2, '0')} s`
}

/** A local date and time with seconds; `—` for null. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—'
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  return d.toLocaleString(undefined, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  })
}

/** The run's wall-clock duration: ended runs as recorded, a running one so far. */
export function runDuration(run: Run, now = Date.now()): number | null {
  if (run.timing?.duration_ms != null) return run.timing.duration_ms
  if (run.status === 'running' && run.started_at) return now - new Date(run.started_at).getTime()
  return run.duration_ms ?? null
}

export function prettyJson(value: unknown): string {
  if (value === undefined) return ''
  return JSON.stringify(value, null, 2)
}

/** Offers `bytes` to the browser as a download named `name`. */
export function saveBytes(bytes: Uint8Array | Blob, name: string, type = 'application/octet-stream'): void {
  const blob = bytes instanceof Blob ? bytes : new Blob([new Uint8Array(bytes)], { type })
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = name
  a.style.display = 'none'
  document.body.append(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

/** Bytes as `12 B`, `3.4 KB`, `1.2 MB`. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`
  return `${(n / 1024 / 1024).toFixed(1)} MB`
}
