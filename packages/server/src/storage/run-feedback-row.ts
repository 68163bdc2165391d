// A run's feedback row (storage.ts re-exports it; kept apart to keep storage.ts short).

/** A person's verdict on a run: one row per run (PUT replaces it, DELETE clears it). */
export interface RunFeedbackRow {
  run_id: string
  circle_id: string
  /** -1 (bad), 0 (neutral), 1 (good), or null when only a comment or labels were given. */
  rating: number | null
  comment: string | null
  labels: string[]
  updated_by: string | null
  created_at: string
  updated_at: string
  /** Set when someone resolved it (0013); a later update clears them. */
  resolved_at?: string | null
  resolved_by?: string | null
  resolution_note?: string | null
}
