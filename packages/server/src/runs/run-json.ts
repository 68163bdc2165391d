// A run as the API shows it, and the opaque cursor for paging runs.
import { E, PlatformError } from '../errors.ts'
import type { RunRow } from '../storage/storage.ts'

const ENDED = new Set(['succeeded', 'failed', 'cancelled'])

/** Wall-clock times of a run: `duration_ms` from start to end (null until it ends). */
export function runTiming(r: RunRow) {
  const between = (from: string | null, to: string | null) =>
    from && to ? Math.max(0, Date.parse(to) - Date.parse(from)) : null
  return {
    created_at: r.created_at,
    started_at: r.started_at,
    completed_at: r.completed_at,
    duration_ms: between(r.started_at, r.completed_at),
    queued_ms: between(r.created_at, r.started_at),
  }
}

export function presentRun(r: RunRow, opts: { input?: boolean } = {}) {
  return {
    invocation_id: r.id,
    id: r.id,
    element_id: r.element_id,
    element_version: r.element_version,
    operation: r.operation,
    trigger: r.trigger,
    status: r.status,
    finished: ENDED.has(r.status),
    ...(opts.input ? { input: r.input } : {}),
    output: r.output,
    error: r.error,
    attempts: r.attempts,
    cold_start: r.cold_start,
    duration_ms: r.duration_ms,
    memory_used_mb: r.memory_used_mb,
    logs_truncated: r.logs_truncated,
    created_at: r.created_at,
    started_at: r.started_at,
    completed_at: r.completed_at,
    trace_id: r.trace_id ?? null,
    span_id: r.span_id ?? null,
    parent_span_id: r.parent_span_id ?? null,
    source_commit: r.source_commit ?? null,
    source_ref: r.source_ref ?? null,
    source: r.source ?? null,
    triggered_by: r.triggered_by ?? null,
    batch_id: r.batch_id ?? null,
    example_id: r.example_id ?? null,
    timing: runTiming(r),
  }
}

export function encodeCursor(r: RunRow, scope: string): string {
  return Buffer.from(JSON.stringify({ c: r.created_at, i: r.id, s: scope })).toString('base64url')
}

/** Decodes a cursor issued for the same `scope` (filters); anything else is INVALID_CURSOR. */
export function decodeCursor(cursor: string, scope: string): { created_at: string; id: string } {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as {
      c?: unknown
      i?: unknown
      s?: unknown
    }
    if (typeof v.c === 'string' && typeof v.i === 'string' && v.s === scope)
      return { created_at: v.c, id: v.i }
  } catch {}
  throw new PlatformError(E.INVALID_CURSOR, 'the cursor is malformed or was issued for other filters', {
    field: 'cursor',
  })
}
