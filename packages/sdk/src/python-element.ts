// client.python('acme/hello'): the python element's own operations — invoke, measure/apply,
// build, logs, its runs, scaffold and lifecycle — with the generic ones inherited from
// ElementHandle.
import { elementUrl } from './element-paths.ts'
import { ElementHandle } from './elements-api.ts'
import type { RequestOptions } from './http-transport.ts'
import { PaginatedList } from './paginated-list.ts'
import type { BuildRecord, Element, Run, RunDetail, RunLogs, RunStatus, RunsPage } from './types.ts'
import { longPollTimeoutMs, type WaitForCompletion, waitSeconds } from './wait-for-completion.ts'

export interface RefOption {
  /**
   * The branch (`draft`, `demo`, `live`), tag (`v1`) or commit id to run; default: `live` once
   * the element has been promoted, else `draft`. The run records it as `source_ref`/`source_commit`.
   */
  ref?: string | undefined
}

export interface InvokeOptions extends RequestOptions, RefOption {
  /** Seconds the server holds the call for the result (`true`: 600). Without it the call returns at once with a queued run. */
  waitForCompletion?: WaitForCompletion
}

export interface InlineRunOptions extends RequestOptions, RefOption {}

export interface BuildOptions extends RequestOptions {
  /** Rebuild even when the layer is cached. */
  force?: boolean | undefined
  waitForCompletion?: WaitForCompletion
}

export interface PythonRunsOptions extends RequestOptions {
  status?: RunStatus | undefined
  /** Page size (server default 20, max 200). */
  limit?: number | undefined
  cursor?: string | undefined
}

export interface LogsOptions extends RequestOptions {
  /** One run's logs; else the latest runs'. */
  runId?: string | undefined
  limit?: number | undefined
}

/** What measure and apply answer: the handler's return value and the run that produced it. */
export interface InlineResult<T = unknown> {
  output: T
  runId: string | undefined
}

export type PythonTemplate = 'basic' | 'transform' | 'stream' | 'http' | 'resources'

export interface ScaffoldOptions extends RequestOptions {
  /** Without it the element's intention picks one. */
  template?: PythonTemplate | undefined
  /** Replace non-empty code (else 409 PYTHON_CODE_EXISTS). */
  overwrite?: boolean | undefined
  expectedVersion?: number | undefined
}

export interface ScaffoldResult extends Element {
  template: PythonTemplate
  handler: string
  code: string
}

export type PythonState = 'draft' | 'ready' | 'deployed' | 'error' | 'disabled' | 'deleted'

export class PythonElement extends ElementHandle {
  /**
   * Runs the handler with `payload`. With `waitForCompletion` the result is in the returned
   * run when it ended in time (`status` succeeded/failed); otherwise poll `run(id)`.
   */
  async invoke(payload: unknown, options: InvokeOptions = {}): Promise<Run> {
    const { waitForCompletion, timeoutMs, ref, ...request } = options
    const seconds = waitSeconds(waitForCompletion)
    const response = await this.transport.request<Run>({
      ...request,
      timeoutMs: longPollTimeoutMs(this.transport, seconds, timeoutMs),
      method: 'POST',
      path: this.opPath('invoke'),
      query: { wait_for_completion: seconds, ref },
      body: invokeBody(payload),
    })
    return response.body
  }

  /**
   * Runs the handler synchronously and returns its return value (the envelope) — no run to
   * poll. A failing handler throws with the server's code (e.g. PYTHON_RUNTIME_ERROR) and
   * `details.run_id`. The call is a run with trigger `measure`.
   */
  measure<T = unknown>(payload: Record<string, unknown> = {}, options: InlineRunOptions = {}) {
    return this.inline<T>('measure', payload, options)
  }

  /** As `measure`, recorded with trigger `apply` (rule engines returning findings inline). */
  apply<T = unknown>(payload: Record<string, unknown> = {}, options: InlineRunOptions = {}) {
    return this.inline<T>('apply', payload, options)
  }

  /** Writes a starter main.py into an inline-source element from a template. */
  scaffold(options: ScaffoldOptions = {}): Promise<ScaffoldResult> {
    const { template, overwrite, expectedVersion, ...request } = options
    const body = { template, overwrite, expected_version: expectedVersion }
    return this.call<ScaffoldResult>('scaffold', body, { ...request, method: 'POST' })
  }

  /** Moves the element to `targetState` (e.g. back to draft from error). */
  lifecycle(
    targetState: PythonState,
    options: RequestOptions & { reason?: string } = {},
  ): Promise<Element & { from: PythonState; changed: boolean }> {
    const { reason, ...request } = options
    return this.call('lifecycle', { target_state: targetState, reason }, { ...request, method: 'POST' })
  }

  private async inline<T>(
    operation: 'measure' | 'apply',
    payload: Record<string, unknown>,
    options: InlineRunOptions,
  ): Promise<InlineResult<T>> {
    const { ref, ...request } = options
    const response = await this.transport.request<T>({
      ...request,
      method: 'POST',
      path: this.opPath(operation),
      query: { ref },
      body: invokeBody(payload),
    })
    return { output: response.body, runId: response.headers.get('x-run-id') ?? undefined }
  }

  /** Builds the dependency layer; returns the build record (status `building` until done). */
  async build(options: BuildOptions = {}): Promise<BuildRecord> {
    const { force, waitForCompletion, timeoutMs, ...request } = options
    const seconds = waitSeconds(waitForCompletion)
    const response = await this.transport.request<BuildRecord>({
      ...request,
      timeoutMs: longPollTimeoutMs(this.transport, seconds, timeoutMs),
      method: 'POST',
      path: this.opPath('build'),
      body: { force: force ?? false, wait_for_completion: seconds ?? 0 },
    })
    return response.body
  }

  /** Progress and pip output of a build. */
  buildStatus(buildId: string, options: RequestOptions = {}): Promise<BuildRecord> {
    return this.call<BuildRecord>(`build/${buildId}`, undefined, { ...options, method: 'GET' })
  }

  /** Per-run stdout/stderr. */
  logs(options: LogsOptions = {}): Promise<RunLogs> {
    const { runId, limit, ...request } = options
    return this.call<RunLogs>('logs', { run_id: runId, limit }, { ...request, method: 'GET' })
  }

  /** This element's runs, newest first: `await` for a page, `for await` for all. */
  runs(options: PythonRunsOptions = {}): PaginatedList<RunsPage, Run> {
    const { status, limit, cursor: first, ...request } = options
    return new PaginatedList({
      fetchPage: (cursor) =>
        this.call<RunsPage>(
          'runs',
          { status, limit, cursor: cursor ?? first },
          { ...request, method: 'GET' },
        ),
      itemsOf: (page) => page.runs,
      nextCursorOf: (page) => (page.has_more && page.next_cursor ? page.next_cursor : undefined),
    })
  }

  /** One run with its input, output or error, and logs. */
  run(runId: string, options: RequestOptions = {}): Promise<RunDetail> {
    return this.call<RunDetail>(`runs/${runId}`, undefined, { ...options, method: 'GET' })
  }

  /** Cancels a queued or running run (409 `RUN_NOT_CANCELLABLE` once it ended). */
  cancel(runId: string, options: RequestOptions = {}): Promise<Run> {
    return this.call<Run>(`runs/${runId}/cancel`, {}, { ...options, method: 'POST' })
  }

  private opPath(operation: string): string {
    return elementUrl(this.path, operation)
  }
}

const ENVELOPE_KEYS = new Set(['payload', 'data', 'input'])

/**
 * The server unwraps a body of exactly one `payload`/`data`/`input` key holding an object and
 * passes anything else as is. A payload is sent bare (so the run's stored input is the payload)
 * unless it has that shape itself; then it goes inside `{"payload": …}` to arrive unchanged.
 */
function invokeBody(payload: unknown): unknown {
  if (payload === undefined) return {}
  return looksLikeEnvelope(payload) ? { payload } : payload
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function looksLikeEnvelope(value: unknown): boolean {
  if (!isPlainObject(value)) return false
  const keys = Object.keys(value)
  const only = keys[0]
  return keys.length === 1 && only !== undefined && ENVELOPE_KEYS.has(only) && isPlainObject(value[only])
}
