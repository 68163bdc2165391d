// client.workflows: the workflow elements of the key's circle (/api/v1/workflows) — list, get,
// versions — and client.workflows.executions.runAndWait, which triggers a workflow through the
// canonical runs API (POST /api/v1/runs with wait_for_completion) and then polls
// GET /api/v1/runs/{id} until the run has finished. File inputs (File, Blob, bytes) go up as
// multipart/form-data parts; the workflow's input then holds a reference per file field.
import { TimeoutError } from './errors.ts'
import type { components } from './generated/openapi.ts'
import type { HttpTransport, RequestOptions } from './http-transport.ts'
import { PaginatedList } from './paginated-list.ts'
import { isTerminalRunStatus, type Run } from './types.ts'
import { longPollTimeoutMs, MAX_WAIT_FOR_COMPLETION_S } from './wait-for-completion.ts'

type Schemas = components['schemas']

export type WorkflowSummary = Schemas['WorkflowSummary']
export type WorkflowDetail = Schemas['WorkflowDetail']
export type WorkflowList = Schemas['WorkflowList']
export type WorkflowVersion = Schemas['WorkflowVersion']
export type WorkflowVersionList = Schemas['WorkflowVersionList']
export type WorkflowKind = WorkflowSummary['kind']

const WORKFLOWS_PATH = '/api/v1/workflows'
const RUNS_PATH = '/api/v1/runs'
/** The server's ceiling for one `GET /api/v1/runs/{id}?wait=N`, in seconds. */
const MAX_POLL_CHUNK_S = 55

export interface ListWorkflowsOptions extends RequestOptions {
  /** Case-insensitive substring of the name, slug or description. */
  search?: string | undefined
  /** Exact slug or document name. */
  name?: string | undefined
  kind?: WorkflowKind | undefined
  /** A project (folder) id; `null` for workflows directly in the circle. */
  folderId?: string | null | undefined
  /** Platform admin only: one circle by slug. */
  circle?: string | undefined
  /** Page size (server default 50, max 100). */
  limit?: number | undefined
  /** Start from this offset instead of 0. */
  offset?: number | undefined
}

export interface ListWorkflowVersionsOptions extends RequestOptions {
  limit?: number | undefined
  offset?: number | undefined
  /** Each version with its definition text. */
  includeDefinition?: boolean | undefined
}

/** A file input: a File (its name is kept), a Blob, or bytes (a Node Buffer is a Uint8Array). */
export type WorkflowFileInput = Blob | Uint8Array | ArrayBuffer

export interface RunAndWaitOptions extends Omit<RequestOptions, 'timeoutMs'> {
  /**
   * The workflow input. Top-level values that are a File, Blob, Uint8Array (Buffer) or ArrayBuffer
   * are uploaded as files; the workflow sees `{name, field, size, content_type, path, run_id}` there.
   */
  input?: Record<string, unknown> | undefined
  /** The release tag (`v1`), branch (`draft`, `live`) or commit to run; default: live once promoted, else draft. */
  version?: string | undefined
  /** Give up (TimeoutError `RUN_WAIT_TIMEOUT`, the run goes on) after this many seconds; default 600. */
  timeoutSeconds?: number | undefined
}

const isFile = (v: unknown): v is WorkflowFileInput =>
  (typeof Blob !== 'undefined' && v instanceof Blob) || v instanceof Uint8Array || v instanceof ArrayBuffer

function blobOf(v: WorkflowFileInput): Blob {
  if (v instanceof Blob) return v
  return new Blob([v instanceof Uint8Array ? new Uint8Array(v) : v])
}

const fileNameOf = (v: WorkflowFileInput, field: string): string => {
  const name = (v as { name?: unknown }).name
  return typeof name === 'string' && name ? (name.split(/[\\/]/).pop() ?? field) : field
}

/** The JSON body, or a multipart form when the input holds files. */
function runBody(target: string, input: Record<string, unknown>, version: string | undefined): unknown {
  const json: Record<string, unknown> = {}
  const files: Array<[string, WorkflowFileInput]> = []
  for (const [k, v] of Object.entries(input)) {
    if (isFile(v)) files.push([k, v])
    else json[k] = v
  }
  const fields = { target, ...(version === undefined ? {} : { version }) }
  if (files.length === 0) return { ...fields, input: json }
  const form = new FormData()
  for (const [k, v] of Object.entries(fields)) form.append(k, v)
  form.append('input', JSON.stringify(json))
  for (const [field, v] of files) form.append(field, blobOf(v), fileNameOf(v, field))
  return form
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const finished = (run: Run) =>
  (run as { finished?: unknown }).finished === true || isTerminalRunStatus(run.status)

export class WorkflowExecutionsApi {
  constructor(
    private readonly transport: HttpTransport,
    private readonly pathOf: (workflow: string, options: RequestOptions) => Promise<string>,
  ) {}

  /**
   * Starts `workflow` without waiting (201, queued or running); `runs.wait(run.id)` or
   * `runAndWait` for its result. Same inputs as runAndWait.
   */
  async start(workflow: string, options: Omit<RunAndWaitOptions, 'timeoutSeconds'> = {}): Promise<Run> {
    const { input = {}, version, ...request } = options
    const target = await this.pathOf(workflow, request)
    const response = await this.transport.request<Run>({
      ...request,
      method: 'POST',
      path: RUNS_PATH,
      body: runBody(target, input, version),
    })
    return response.body
  }

  /**
   * Triggers `workflow` (a path such as `acme/extract-invoice`, an id, or a slug of the key's
   * circle) and then polls the canonical runs API until completion; resolves with the finished
   * run (`status`, `output`, `error`). A failed workflow resolves too: check `run.status`.
   */
  async runAndWait(workflow: string, options: RunAndWaitOptions = {}): Promise<Run> {
    const { input = {}, version, timeoutSeconds = MAX_WAIT_FOR_COMPLETION_S, ...request } = options
    if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0)
      throw new TypeError('timeoutSeconds must be a number of seconds > 0')
    const deadline = Date.now() + timeoutSeconds * 1000
    const target = await this.pathOf(workflow, request)
    const wait = Math.min(MAX_WAIT_FOR_COMPLETION_S, Math.ceil(timeoutSeconds))
    const started = await this.transport.request<Run>({
      ...request,
      timeoutMs: longPollTimeoutMs(this.transport, wait),
      method: 'POST',
      path: RUNS_PATH,
      query: { wait_for_completion: wait },
      body: runBody(target, input, version),
    })
    let run = started.body
    while (!finished(run)) {
      const remainingS = Math.ceil((deadline - Date.now()) / 1000)
      if (remainingS <= 0)
        throw new TimeoutError(`workflow run ${run.id} is still ${run.status} after ${timeoutSeconds} s`, {
          code: 'RUN_WAIT_TIMEOUT',
          requestId: started.requestId,
        })
      const chunk = Math.min(MAX_POLL_CHUNK_S, remainingS)
      const asked = Date.now()
      run = (
        await this.transport.request<Run>({
          method: 'GET',
          path: `${RUNS_PATH}/${encodeURIComponent(run.id)}`,
          query: { wait: chunk },
          timeoutMs: longPollTimeoutMs(this.transport, chunk),
          signal: request.signal,
          headers: request.headers,
        })
      ).body
      // A server (or proxy) answering at once without the run ending is polled gently.
      const tookMs = Date.now() - asked
      if (!finished(run) && tookMs < 1000)
        await sleep(Math.min(1000 - tookMs, Math.max(0, deadline - Date.now())))
    }
    return run
  }
}

export class WorkflowsApi {
  readonly executions: WorkflowExecutionsApi

  constructor(private readonly transport: HttpTransport) {
    this.executions = new WorkflowExecutionsApi(transport, (w, o) => this.pathOf(w, o))
  }

  /** The workflows (and blocks) of the key's circle by path: `await` for a page, `for await` for all. */
  list(options: ListWorkflowsOptions = {}): PaginatedList<WorkflowList, WorkflowSummary> {
    const { idempotencyKey: _unused, timeoutMs, signal, headers, folderId, offset: first, ...query } = options
    return new PaginatedList({
      fetchPage: async (cursor) => {
        const response = await this.transport.request<WorkflowList>({
          method: 'GET',
          path: WORKFLOWS_PATH,
          query: {
            ...query,
            folder_id: folderId === null ? 'null' : folderId,
            offset: cursor === undefined ? first : Number(cursor),
          },
          timeoutMs,
          signal,
          headers,
        })
        return response.body
      },
      itemsOf: (page) => page.workflows,
      nextCursorOf: (page) => (page.has_more ? String(page.offset + page.workflows.length) : undefined),
    })
  }

  /** One workflow with its current definition; `workflow` is a path, an id or a slug. */
  async get(workflow: string, options: RequestOptions = {}): Promise<WorkflowDetail> {
    const response = await this.transport.request<WorkflowDetail>({
      ...options,
      method: 'GET',
      path: `${WORKFLOWS_PATH}/${encodeURIComponent(workflow)}`,
    })
    return response.body
  }

  /** Its versions, newest first; each `ref` runs that version (`runAndWait(w, {version: ref})`). */
  async versions(workflow: string, options: ListWorkflowVersionsOptions = {}): Promise<WorkflowVersionList> {
    const { limit, offset, includeDefinition, ...request } = options
    const response = await this.transport.request<WorkflowVersionList>({
      ...request,
      method: 'GET',
      path: `${WORKFLOWS_PATH}/${encodeURIComponent(workflow)}/versions`,
      query: { limit, offset, include: includeDefinition ? 'definition' : undefined },
    })
    return response.body
  }

  /** A run target: paths as given; an id or a bare slug is looked up. */
  private async pathOf(workflow: string, options: RequestOptions): Promise<string> {
    if (workflow.includes('/')) return workflow
    const { idempotencyKey: _unused, ...request } = options
    return (await this.get(workflow, request)).path
  }
}
