// Where a run came from, as columns the run list filters on: `source` (how it was started),
// `triggered_by` (the key behind it) and the batch and example ids its starter gave. They are
// read from the run's trigger_info when the run is created, so every runtime gets them alike.
import type { JsonObject, RunRow } from '../storage/storage.ts'

/** The clients that say who they are with the `x-periodic-client` header (SDK, CLI). */
const CLIENTS = new Set(['cli', 'sdk'])
/** Triggers of runs started by an HTTP call: their source is the calling client. */
const HTTP_TRIGGERS = new Set(['api', 'rerun', 'measure', 'apply'])

/** The client of an HTTP request: `cli`, `sdk`, or `api` for any other caller. */
export function requestClient(headers: Record<string, string | string[] | undefined>): string {
  const raw = headers['x-periodic-client']
  const name = (Array.isArray(raw) ? raw[0] : raw)?.trim().toLowerCase().split('/')[0]
  return name && CLIENTS.has(name) ? name : 'api'
}

const text = (v: unknown, max = 200) => (typeof v === 'string' && v.length > 0 ? v.slice(0, max) : null)

export type RunOrigin = Pick<RunRow, 'source' | 'triggered_by' | 'batch_id' | 'example_id'>

/**
 * `source`: trigger_info.source (an HTTP entry point sets the client) or else what the trigger
 * says (`api` for HTTP triggers, else the trigger itself: `engine`, `cron`, …); `triggered_by`:
 * trigger_info.key_id (or `triggered_by`).
 */
export function runOrigin(trigger: string, info: JsonObject | null | undefined): RunOrigin {
  const i = info ?? {}
  return {
    source: text(i['source'], 64) ?? (HTTP_TRIGGERS.has(trigger) ? 'api' : trigger),
    triggered_by: text(i['key_id']) ?? text(i['triggered_by']),
    batch_id: text(i['batch_id']),
    example_id: text(i['example_id']),
  }
}
