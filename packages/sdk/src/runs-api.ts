// The runs API (/api/v1/runs): start and rerun runs, and client.runs — list, get, cancel,
// wait / waitForCompletion (long-polls in chunks until `finished`), events and connect (the
// SSE stream), definition and compare.
import { TimeoutError } from './errors.ts'
import type { components } from './generated/openapi.ts'
import type { HttpTransport, RequestOptions } from './http-transport.ts'
import { PaginatedList } from './paginated-list.ts'
import { RunComparisonApi, RunExpectedApi, RunFeedbackApi, RunTraceApi } from './run-annotations-api.ts'
import { type FileContent, multipartBody, RunArtifactsApi, RunFilesApi } from './run-files-api.ts'
import { readServerSentEvents } from './sse-parser.ts'
import { isTerminalRunStatus, type Run, type RunEvent, type RunStatus, type RunsPage } from './types.ts'
import { longPollTimeoutMs, type WaitForCompletion, waitSeconds } from './wait-for-completion.ts'

const RUNS_PATH = '/api/v1/runs'
/** The server's ceiling for one `GET /api/v1/runs/{id}?wait=N`, in seconds. */
export const MAX_RUN_WAIT_CHUNK_S = 55
const DEFAULT_RUN_WAIT_MS = 10 * 60_000

export interface StartRunOptions extends RequestOptions {
  /** The element operation to run (server default: `invoke`). */
  operation?: string | undefined
  /** Seconds the server holds the call for the result (`true`: 600). */
  waitForCompletion?: WaitForCompletion
  /**
   * Input files (`{name: content}`), sent as multipart/form-data: the handler gets
   * `input.files[name]`, a path it can open (`/periodic/input/<name>`).
   */
  files?: Record<string, FileContent> | undefined
  /**
   * The branch (`draft`, `demo`, `live`), tag (`v1`) or commit id to run; default: `live` once
   * the element has been promoted, else `draft`. The run records it as `source_ref`/`source_commit`.
   */
  version?: string | undefined
  /** Your id for a batch of runs started together (list filter `batch_id`). */
  batchId?: string | undefined
  /** Your id for the example (test case) the run is of (list filters `example_id`, `example_id_contains`). */
  exampleId?: string | undefined
}

export interface RerunOptions extends RequestOptions {
  /** `original` runs what the source run ran (its commit); `latest` (default) the default branch. */
  version?: 'original' | 'latest' | undefined
  /** Seconds the server holds the call for the new run's result (`true`: 600). */
  waitForCompletion?: WaitForCompletion
  /** A branch, tag or commit id to run instead (sent as `?version=`; wins over `version`). */
  ref?: string | undefined
}

export type RunDefinition = components['schemas']['RunDefinition']
export type RunsComparison = components['schemas']['RunsComparison']

export interface CompareRunsOptions extends RequestOptions {
  /** What is compared: the outputs (default) or the inputs. */
  field?: 'output' | 'input' | undefined
}

export interface RunFilters extends RequestOptions {
  target?: string | undefined
  element_type?: string | undefined
  /** Same as `element_type`. */
  type?: string | undefined
  status?: RunStatus | readonly RunStatus[] | undefined
  trigger?: string | undefined
  /** How the run was started: `api`, `cli`, `sdk`, `engine`, … */
  source?: string | undefined
  /** The API key id that started it. */
  triggered_by?: string | undefined
  /** The branch, tag or commit it was started at. */
  source_ref?: string | undefined
  batch_id?: string | undefined
  example_id?: string | undefined
  /** A case-sensitive substring of `example_id`. */
  example_id_contains?: string | undefined
  created_after?: string | undefined
  created_before?: string | undefined
  /** Same as `created_after`. */
  from?: string | undefined
  /** Same as `created_before`. */
  to?: string | undefined
  completed_after?: string | undefined
  completed_before?: string | undefined
  ids?: string | readonly string[] | undefined
  /** Page size. */
  limit?: number | undefined
  /** Runs to skip before the first page (after `cursor`, if given). */
  offset?: number | undefined
  /** Start from this page instead of the first. */
  cursor?: string | undefined
}

export type RunExpansion = 'input' | 'usage' | 'execution' | 'debug'

export interface GetRunOptions extends RequestOptions {
  expand?: readonly RunExpansion[] | undefined
}

export interface WaitForRunOptions {
  /** Give up (TimeoutError `RUN_WAIT_TIMEOUT`) after this long; default 10 minutes. */
  timeoutMs?: number | undefined
  signal?: AbortSignal | undefined
}

export interface RunEventsOptions {
  /** Resume after this event id (sent as `Last-Event-ID`). */
  lastEventId?: string | undefined
  signal?: AbortSignal | undefined
}

const runPath = (id: string) => `${RUNS_PATH}/${encodeURIComponent(id)}`

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

function parseEventData(raw: string): unknown {
  try {
    return JSON.parse(raw)
  } catch {
    return raw
  }
}

/** `client.run(...)`: POST /api/v1/runs. */
export async function startRun(
  transport: HttpTransport,
  target: string,
  input: unknown,
  options: StartRunOptions = {},
): Promise<Run> {
  const { operation, waitForCompletion, timeoutMs, files, version, batchId, exampleId, ...request } = options
  const seconds = waitSeconds(waitForCompletion)
  const fields = {
    target,
    ...(operation === undefined ? {} : { operation }),
    ...(version === undefined ? {} : { version }),
    ...(batchId === undefined ? {} : { batch_id: batchId }),
    ...(exampleId === undefined ? {} : { example_id: exampleId }),
  }
  const response = await transport.request<Run>({
    ...request,
    timeoutMs: longPollTimeoutMs(transport, seconds, timeoutMs),
    method: 'POST',
    path: RUNS_PATH,
    query: { wait_for_completion: seconds },
    body:
      files && Object.keys(files).length
        ? multipartBody({ ...fields, input: JSON.stringify(input ?? {}) }, files)
        : { ...fields, input: input ?? {} },
  })
  return response.body
}

/**
 * `client.rerun(id)`: POST /api/v1/runs/{id}/rerun, a new run from the old one's target,
 * operation and input: queued (201) unless `waitForCompletion` holds the call for its result,
 * as `client.run` does; `runs.waitForCompletion(run.id)` for the result otherwise.
 */
export async function rerun(transport: HttpTransport, id: string, options: RerunOptions = {}): Promise<Run> {
  const { version, waitForCompletion, timeoutMs, ref, ...request } = options
  const seconds = waitSeconds(waitForCompletion)
  const response = await transport.request<Run>({
    ...request,
    timeoutMs: longPollTimeoutMs(transport, seconds, timeoutMs),
    method: 'POST',
    path: `${runPath(id)}/rerun`,
    query: { wait_for_completion: seconds, version: ref },
    body: version === undefined ? {} : { version },
  })
  return response.body
}

/** True once the run has ended; `finished` when the server says it, else from the status. */
export function isFinished(run: Pick<Run, 'status'> & { finished?: boolean | undefined }): boolean {
  return typeof run.finished === 'boolean' ? run.finished : isTerminalRunStatus(run.status)
}

/**
 * client.runs. Room is left for the run's sub-resources as namespaces beside these methods —
 * `artifacts`, `files`, `feedback`, `expected`, `comparison`, `trace` — added as classes taking
 * the same transport when the server offers them.
 */
export class RunsApi {
  readonly feedback: RunFeedbackApi
  readonly expected: RunExpectedApi
  readonly comparison: RunComparisonApi
  readonly trace: RunTraceApi
  readonly artifacts: RunArtifactsApi
  readonly files: RunFilesApi

  constructor(private readonly transport: HttpTransport) {
    this.feedback = new RunFeedbackApi(transport)
    this.expected = new RunExpectedApi(transport)
    this.comparison = new RunComparisonApi(transport)
    this.trace = new RunTraceApi(transport)
    this.artifacts = new RunArtifactsApi(transport)
    this.files = new RunFilesApi(transport)
  }

  /** Every run the key's circle can see, newest first: `await` for a page, `for await` for all. */
  list(filters: RunFilters = {}): PaginatedList<RunsPage, Run> {
    const { idempotencyKey: _unused, timeoutMs, signal, headers, cursor: first, ...query } = filters
    return new PaginatedList({
      fetchPage: async (cursor) => {
        const response = await this.transport.request<RunsPage>({
          method: 'GET',
          path: RUNS_PATH,
          query: { ...query, cursor: cursor ?? first },
          timeoutMs,
          signal,
          headers,
        })
        return response.body
      },
      itemsOf: (page) => page.runs,
      nextCursorOf: (page) => (page.has_more && page.next_cursor ? page.next_cursor : undefined),
    })
  }

  async get(id: string, options: GetRunOptions = {}): Promise<Run> {
    const { expand, ...request } = options
    const response = await this.transport.request<Run>({
      ...request,
      method: 'GET',
      path: runPath(id),
      query: { expand },
    })
    return response.body
  }

  async cancel(id: string, options: RequestOptions = {}): Promise<Run> {
    const response = await this.transport.request<Run>({
      ...options,
      method: 'POST',
      path: `${runPath(id)}/cancel`,
    })
    return response.body
  }

  /** Resolves with the run once it is `finished` (succeeded, failed or cancelled); never cancels it. */
  waitForCompletion(id: string, options: WaitForRunOptions = {}): Promise<Run> {
    return this.wait(id, options)
  }

  /** Same as `waitForCompletion`. */
  async wait(id: string, options: WaitForRunOptions = {}): Promise<Run> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_RUN_WAIT_MS
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const remainingMs = deadline - Date.now()
      const chunkS = Math.max(1, Math.min(MAX_RUN_WAIT_CHUNK_S, Math.ceil(remainingMs / 1000)))
      const asked = Date.now()
      const response = await this.transport.request<Run>({
        method: 'GET',
        path: runPath(id),
        query: { wait: chunkS },
        timeoutMs: longPollTimeoutMs(this.transport, chunkS),
        signal: options.signal,
      })
      const run = response.body
      if (isFinished(run)) return run
      if (Date.now() >= deadline) {
        throw new TimeoutError(`run ${id} is still ${run.status} after ${timeoutMs} ms`, {
          code: 'RUN_WAIT_TIMEOUT',
          requestId: response.requestId,
        })
      }
      // A server (or proxy) that answers at once without the run ending is polled gently
      // rather than in a tight loop.
      const answeredInMs = Date.now() - asked
      if (answeredInMs < 1000) await sleep(Math.min(1000 - answeredInMs, Math.max(0, deadline - Date.now())))
    }
  }

  /** The run's server-sent events (status changes, log lines) until the server ends the stream. */
  events(id: string, options: RunEventsOptions = {}): AsyncGenerator<RunEvent, void, undefined> {
    return this.stream('GET', `${runPath(id)}/events`, options)
  }

  /** POST …/connect: the same live events as `events`, as eigenpal clients ask for them. */
  connect(id: string, options: RunEventsOptions = {}): AsyncGenerator<RunEvent, void, undefined> {
    return this.stream('POST', `${runPath(id)}/connect`, options)
  }

  /** The definition the run executed (the type's snapshot, else the spec at its commit or version). */
  async definition(id: string, options: RequestOptions = {}): Promise<RunDefinition> {
    const response = await this.transport.request<RunDefinition>({
      ...options,
      method: 'GET',
      path: `${runPath(id)}/definition`,
    })
    return response.body
  }

  /** A run's steps (a workflow's task executions, in the order they began; empty for other runs). */
  async steps(id: string, options: RequestOptions = {}): Promise<RunSteps> {
    const response = await this.transport.request<RunSteps>({
      ...options,
      method: 'GET',
      path: `${runPath(id)}/steps`,
    })
    return response.body
  }

  /** Compares the outputs (or inputs) of `runIds` with the first one's, field by field. */
  async compare(runIds: readonly string[], options: CompareRunsOptions = {}): Promise<RunsComparison> {
    const { field, ...request } = options
    const response = await this.transport.request<RunsComparison>({
      ...request,
      method: 'POST',
      path: `${RUNS_PATH}/compare`,
      body: { run_ids: [...runIds], ...(field === undefined ? {} : { field }) },
    })
    return response.body
  }

  private async *stream(
    method: 'GET' | 'POST',
    path: string,
    options: RunEventsOptions,
  ): AsyncGenerator<RunEvent, void, undefined> {
    const headers: Record<string, string> = { accept: 'text/event-stream' }
    if (options.lastEventId !== undefined) headers['last-event-id'] = options.lastEventId
    const response = await this.transport.open({ method, path, headers, signal: options.signal })
    if (!response.body) return
    for await (const event of readServerSentEvents(response.body)) {
      yield { id: event.id, event: event.event, data: parseEventData(event.data), raw: event.data }
    }
  }
}

/** One task execution of a workflow run. */
export interface RunStep {
  key: string
  name: string
  position: string
  kind: string
  status: 'running' | 'succeeded' | 'failed' | 'skipped'
  input: unknown
  output: unknown
  error: Record<string, unknown> | null
  attempts: number
  started_at: string
  completed_at: string | null
  duration_ms: number | null
  child_run_id?: string | null
  wake_at?: string | null
}

export interface RunSteps {
  run_id: string
  status: string
  steps: RunStep[]
}
