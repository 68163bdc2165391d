// GET /api/v1/engine/{circle}: the engine's listings for one circle, by the fields the view reads
// (docs/engine/functions.md describes each built-in's rows).

export interface EngineFunction {
  function_id: string
  namespace?: string
  worker_name?: string
  description?: string | null
}

export interface EngineWorker {
  id: string
  name?: string | null
  runtime?: string | null
  version?: string | null
  status?: string
  ip_address?: string | null
  connected_at_ms?: number
  function_count?: number
  active_invocations?: number
}

export interface EngineTrigger {
  id: string
  trigger_type: string
  function_id: string
  worker_name?: string | null
  status?: string
  config_summary?: string
}

export interface DeadLetter {
  id: string
  function_id: string
  attempts: number
  enqueued_at?: string | number
  failed_at?: string | number
  last_error?: { code: string; message: string } | null
}

export interface EngineQueue {
  queue: string
  config?: { max_retries?: number; backoff_ms?: number; concurrency?: number }
  ready?: number
  running?: number
  retrying?: number
  dead?: number
  dead_letters: DeadLetter[]
  dead_letter_count: number
}

export interface EngineOverview {
  circle: string
  functions: EngineFunction[]
  workers: EngineWorker[]
  triggers: EngineTrigger[]
  trigger_types: Array<{ id: string; description?: string }>
  queues: EngineQueue[]
}
