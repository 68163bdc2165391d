// The Kysely table schema (DB): how each Storage row is laid out in SQL (JSON as text, booleans
// as 0/1). Kept apart from kysely-storage.ts and the *-store.ts files so they all import the
// schema from here, never from each other (no import cycle).
import type { Generated } from 'kysely'
import type {
  ActivityRow,
  ApiKeyRow,
  AttachmentRow,
  DataKeyRow,
  ElementRow,
  IdempotencyKeyRow,
  RunExpectedRow,
  RunFeedbackRow,
  RunLogRow,
  RunNodeRow,
  RunRow,
  VersionRow,
} from './storage.ts'

export type Raw<T, JsonKeys extends keyof T, BoolKeys extends keyof T = never> = {
  [K in keyof T]: K extends JsonKeys ? string : K extends BoolKeys ? number : T[K]
}

export interface ActivityTable extends Omit<Raw<ActivityRow, 'details'>, 'seq'> {
  seq: Generated<number>
}

export interface DB extends RunAnnotationTables, SecretTables, RunNodesTable {
  elements: Raw<ElementRow, 'spec' | 'meta', 'enabled'>
  element_versions: Raw<VersionRow, 'spec'>
  api_keys: Raw<ApiKeyRow, 'scopes'>
  activity: ActivityTable
  attachments: AttachmentRow
  runs: Omit<
    Raw<RunRow, 'input' | 'output' | 'error' | 'trigger_info', 'cold_start' | 'logs_truncated'>,
    'error' | 'trigger_info'
  > & {
    error: string | null
    trigger_info: string | null
  }
  run_logs: RunLogRow
  idempotency_keys: IdempotencyKeyRow
}

export interface RunAnnotationTables {
  run_feedback: Omit<RunFeedbackRow, 'labels'> & { labels: string }
  run_expected: Omit<RunExpectedRow, 'content'> & { content: string }
}

export interface SecretTables {
  data_keys: DataKeyRow
}

export interface RunNodesTable {
  run_nodes: RunNodeRow
}
