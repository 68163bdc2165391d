// The JSON shapes the API returns and accepts, as the client sees them. Hand-written from the
// server's presenters; objects stay open (an index signature) so fields added by a newer
// server reach the caller instead of failing a type.

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue }
export type JsonObject = { [key: string]: JsonValue }

export interface Warning {
  field: string
  message: string
}

export interface Element {
  id: string
  circle: string
  slug: string
  name: string
  element_type: string
  category: string
  form: string
  symbol: string
  state: string
  state_reason: string | null
  enabled: boolean
  intention: string
  spec: JsonObject
  meta: JsonObject
  version: number
  parent: string | null
  path: string
  created_at: string
  updated_at: string
  warnings: Warning[]
  [key: string]: unknown
}

export interface CreateElementInput {
  element_type: string
  slug: string
  name?: string
  intention?: string
  spec?: JsonObject
  meta?: JsonObject
}

export interface UpdateElementInput {
  spec?: JsonObject
  name?: string
  intention?: string
  /** false replaces the spec instead of deep-merging it. */
  deep?: boolean
  /** Compare-and-set: a stale version is a 409 `VERSION_CONFLICT` (never retried). */
  expected_version?: number
  message?: string
}

export interface ElementChildrenPage {
  children: Element[]
  total: number
  limit: number
  offset: number
}

export interface DeletedElement {
  deleted: true
  id: string
  slug: string
  deleted_at: string
}

export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled'
export const TERMINAL_RUN_STATUSES: readonly RunStatus[] = ['succeeded', 'failed', 'cancelled']

export function isTerminalRunStatus(status: string | undefined): boolean {
  return (TERMINAL_RUN_STATUSES as readonly string[]).includes(status ?? '')
}

export interface RunError {
  code: string
  message: string
  [key: string]: unknown
}

/** One execution record: an invoke, a build, a test, a trigger firing. */
export interface Run {
  id: string
  status: RunStatus
  /** The python operations' name for `id`. */
  invocation_id?: string
  element_id?: string
  element_version?: number
  /** The element's path (`acme/hello`); the runs API sets it. */
  target?: string
  element_type?: string
  operation?: string
  trigger?: string
  input?: JsonValue
  output?: JsonValue
  error?: RunError | null
  attempts?: number
  cold_start?: boolean
  duration_ms?: number | null
  created_at?: string
  started_at?: string | null
  completed_at?: string | null
  /** Where the run can be read again. */
  location?: string
  /** `runs.get(id, { expand: [...] })` sections. */
  usage?: Record<string, unknown>
  execution?: Record<string, unknown>
  debug?: Record<string, unknown>
  [key: string]: unknown
}

export interface RunsPage {
  runs: Run[]
  next_cursor: string | null
  has_more: boolean
}

export interface RunLogLine {
  stream: string
  data: string
}

/** `python(...).run(id)`: the run with its input and logs. */
export interface RunDetail extends Run {
  logs: RunLogLine[]
  chunks?: JsonValue[]
}

export interface RunLogs {
  runs: Array<{
    run_id: string
    status: RunStatus
    created_at: string
    truncated: boolean
    logs: RunLogLine[]
  }>
}

export interface BuildRecord {
  build_id: string
  layer_key: string | null
  requirements: string[]
  status: 'building' | 'succeeded' | 'failed'
  cached: boolean
  output?: string
  started_at: string
  finished_at: string | null
  duration_ms: number | null
  [key: string]: unknown
}

/** One server-sent event from a run's event stream. */
export interface RunEvent {
  /** The `id:` field, usable as `lastEventId` to resume. */
  id: string | undefined
  /** The `event:` field; `message` when the server sent none. */
  event: string
  /** `data:` parsed as JSON when it is JSON, else the raw text. */
  data: unknown
  /** The `data:` lines joined with newlines, unparsed. */
  raw: string
}
