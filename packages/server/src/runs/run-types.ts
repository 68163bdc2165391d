// The shapes of RunService (run-service.ts): a new run, how it ended, and what is kept in memory
// while it is active on this node.
import type { Json, JsonObject, RunRow, RunStatus } from '../storage/storage.ts'

export interface NewRun {
  /** A caller-chosen id (a workflow step's child run, derived from the step, so a resumed step finds it). */
  id?: string
  circle_id: string
  element_id: string
  element_version: number
  operation: string
  trigger: string
  input: Json
  trigger_info?: JsonObject | null
  /** The Source commit the run executes and the ref that named it. */
  source_commit?: string | null
  source_ref?: string | null
}

export interface RunOutcome {
  status: Extract<RunStatus, 'succeeded' | 'failed' | 'cancelled'>
  output?: Json
  error?: JsonObject | null
  duration_ms: number
  cold_start: boolean
  memory_used_mb: number | null
  logs: Array<{ stream: string; data: string }>
  logs_truncated: boolean
}

export interface Live {
  /** What run.started names (the live events stream). */
  run: Pick<RunRow, 'id' | 'circle_id' | 'element_id' | 'operation'>
  status: RunStatus
  attempts: number
  started_at: string | null
  /** Logs of earlier attempts (persisted with the run at the end). */
  logs: Array<{ stream: string; data: string }>
  /** Everything printed so far, for readers following the run live. */
  tail: Array<{ stream: string; data: string }>
  tailBytes: number
  chunks: Json[]
  cancel?: () => void
  /** The insert of a run created with `waited` (held to be written with its end), and its row. */
  inserted?: Promise<void>
  held?: RunRow
  /** Readers following the run live (follow), and callers waiting for its end (wait, follow). */
  followers?: Set<(e: LiveEvent) => void>
  waiters?: Set<(run: RunRow) => void>
}

export type LiveEvent =
  | { type: 'status'; status: RunStatus }
  | { type: 'log'; stream: string; data: string }
  | { type: 'chunk'; data: Json }
  | { type: 'end'; run: RunRow }
