// A run's timeline, derived from what its record and logs hold: created, started, ended, the
// time spent in each phase, attempts and log line counts. Per-attempt times are not recorded,
// so attempts appear as a count on the `started` event.
import type { Json, JsonObject, RunRow } from '../storage/storage.ts'

export interface TraceEvent {
  type: 'created' | 'started' | 'ended'
  at: string
  [key: string]: Json
}

export interface RunTrace {
  run_id: string
  status: RunRow['status']
  trigger: string
  /** What started the run (key id, request id, rerun_of, …). */
  trigger_info: JsonObject | null
  events: TraceEvent[]
  attempts: number
  durations_ms: {
    /** Created until started (queue wait). */
    queued: number | null
    /** Started until ended, wall clock. */
    running: number | null
    /** Time spent in the handler as the executor measured it. */
    execution: number | null
    total: number | null
  }
  /** Text lines in total and per stream; `records` is how many chunks were stored. */
  logs: { records: number; lines: number; stdout: number; stderr: number; bytes: number; truncated: boolean }
}

const between = (from: string | null, to: string | null): number | null =>
  from && to ? Math.max(0, Date.parse(to) - Date.parse(from)) : null

export function buildRunTrace(run: RunRow, logs: Array<{ stream: string; data: string }>): RunTrace {
  const ended = run.completed_at
  const events: TraceEvent[] = [{ type: 'created', at: run.created_at, status: 'queued' }]
  if (run.started_at) events.push({ type: 'started', at: run.started_at, attempts: run.attempts })
  if (ended) {
    const code = typeof run.error?.['code'] === 'string' ? run.error['code'] : null
    events.push({ type: 'ended', at: ended, status: run.status, error_code: code })
  }
  // Log records are chunks as the pipe delivered them; lines are counted in their text.
  const linesOf = (data: string) => (data.match(/\n/g)?.length ?? 0) + (data.endsWith('\n') ? 0 : 1)
  const count = (stream?: string) =>
    logs.reduce((n, l) => n + (stream === undefined || l.stream === stream ? linesOf(l.data) : 0), 0)
  return {
    run_id: run.id,
    status: run.status,
    trigger: run.trigger,
    trigger_info: run.trigger_info,
    events,
    attempts: run.attempts,
    durations_ms: {
      queued: between(run.created_at, run.started_at),
      running: between(run.started_at, ended),
      execution: run.duration_ms,
      total: between(run.created_at, ended),
    },
    logs: {
      records: logs.length,
      lines: count(),
      stdout: count('stdout'),
      stderr: count('stderr'),
      bytes: logs.reduce((n, l) => n + Buffer.byteLength(l.data), 0),
      truncated: run.logs_truncated,
    },
  }
}
