// Rows of plain fields only (no JSON), kept apart to keep storage.ts short; storage.ts re-exports them.

/** An Idempotency-Key of a run-creating request; `run_id` is null while the run is being created. */
export interface IdempotencyKeyRow {
  circle_id: string
  key: string
  request_hash: string
  run_id: string | null
  created_at: string
  expires_at: string
}

/** A per-element data key, wrapped (AES-256-GCM) by master key `master_key_id`. */
export interface DataKeyRow {
  element_id: string
  master_key_id: number
  /** `iv.ciphertext+tag`, base64url. */
  wrapped: string
  created_at: string
  updated_at: string
}

export interface RunStatsRow {
  element_id: string
  total: number
  succeeded: number
  failed: number
  avg_duration_ms: number | null
}

/** A node of the run queue: one `periodic serve` process. */
export interface RunNode {
  id: string
  /** Host, boot and pid namespace of the process (null: unknown), with its pid. */
  machine: string | null
  pid: number | null
}

export interface RunNodeRow extends RunNode {
  started_at: string
  heartbeat_at: string
}
