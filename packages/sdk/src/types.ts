// The JSON shapes the API returns and accepts, as the client sees them. What the server answers
// is typed by the schemas of its OpenAPI document, generated into generated/openapi.ts
// (`npm run openapi`); what the client sends is written here for callers' convenience and
// checked against the document (test/wire-types.test.ts). Objects the server may extend stay
// open (an index signature) so fields added by a newer server reach the caller.
import type { components, operations } from './generated/openapi.ts'

type Schemas = components['schemas']
/** The declared keys of `T`, without its index signature. */
type KnownKeys<T> = keyof { [K in keyof T as string extends K ? never : number extends K ? never : K]: T[K] }

export type JsonValue = Schemas['JsonValue']
export type JsonObject = Schemas['JsonObject']
export type Warning = Schemas['Warning']

/** An element as the API shows it: stored fields, type facts and advisory warnings. */
export type Element = Schemas['Element']

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

export type ElementChildrenPage = Schemas['ElementChildrenPage']
export type DeletedElement = Schemas['DeletedElement']

export type RunStatus = Schemas['RunStatus']
export const TERMINAL_RUN_STATUSES: readonly RunStatus[] = ['succeeded', 'failed', 'cancelled']

export function isTerminalRunStatus(status: string | undefined): boolean {
  return (TERMINAL_RUN_STATUSES as readonly string[]).includes(status ?? '')
}

export type RunError = Schemas['RunError']

/** What the runs API adds to a run: its element's path and type, its location, `?expand=` sections. */
type RunsApiField = Exclude<KnownKeys<Schemas['Run']>, KnownKeys<Schemas['RunRecord']>>

/**
 * One execution record: an invoke, a build, a test, a trigger firing. The python operations
 * answer the shared record; the runs API (`client.runs`, `client.run`) adds `target`,
 * `element_type`, `location` and the `?expand=` sections.
 */
export type Run = Schemas['RunRecord'] & Partial<Pick<Schemas['Run'], RunsApiField>>

export type RunsPage = Omit<Schemas['RunsPage'], 'runs'> & { runs: Run[] }

export type RunLogLine = Schemas['RunLogLine']

/** `python(...).run(id)`: the run with its input and logs. */
export type RunDetail = Schemas['RunDetail']

/** `python(...).logs()`: stdout/stderr of one run or of the latest runs. */
export type RunLogs = Schemas['RunLogs']

export type BuildRecord = Schemas['BuildRecord']

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

/** The presented key (`client.whoami()`). */
export type Whoami = operations['whoami']['responses']['200']['content']['application/json']
