// A run's annotations on client.runs: feedback (get, update, clear, resolve), expected output as named
// JSON documents, the comparison of output with expected output, and the run's trace.
import type { components } from './generated/openapi.ts'
import type { HttpTransport, RequestOptions } from './http-transport.ts'

type Schemas = components['schemas']

const runPath = (id: string) => `/api/v1/runs/${encodeURIComponent(id)}`
const expectedPath = (id: string, name: string) => `${runPath(id)}/expected/${encodeURIComponent(name)}`

/** -1 (bad), 0 (neutral), 1 (good). */
export type FeedbackRating = Schemas['FeedbackRating']

export type RunFeedback = Schemas['RunFeedback']

export interface RunFeedbackUpdate {
  rating?: FeedbackRating | null | undefined
  /** At most 4000 characters. */
  comment?: string | null | undefined
  /** Up to 20 labels of 1–64 characters. */
  labels?: readonly string[] | undefined
}

export interface UpdateFeedbackOptions extends RequestOptions {
  /** `true`: fields left out are cleared (PUT); default: only the fields given change (PATCH). */
  replace?: boolean | undefined
}

export interface ResolveFeedbackOptions extends RequestOptions {
  /** `false` reopens resolved feedback; default `true`. */
  resolved?: boolean | undefined
  /** How it was resolved (at most 4000 characters). */
  note?: string | null | undefined
}

export type ExpectedDocument = Schemas['ExpectedDocument']
export type FieldComparison = Schemas['FieldComparison']
export type RunComparison = Schemas['RunComparison']
export type RunTrace = Schemas['RunTrace']

class SubResource {
  constructor(protected readonly transport: HttpTransport) {}

  protected async call<T>(
    method: 'GET' | 'PUT' | 'PATCH' | 'POST' | 'DELETE',
    path: string,
    options: RequestOptions,
    body?: unknown,
  ): Promise<T> {
    const response = await this.transport.request<T>({ ...options, method, path, body })
    return response.body
  }
}

/** client.runs.feedback */
export class RunFeedbackApi extends SubResource {
  get(id: string, options: RequestOptions = {}): Promise<RunFeedback> {
    return this.call('GET', `${runPath(id)}/feedback`, options)
  }

  update(id: string, feedback: RunFeedbackUpdate, options: UpdateFeedbackOptions = {}): Promise<RunFeedback> {
    const { replace, ...request } = options
    return this.call(replace ? 'PUT' : 'PATCH', `${runPath(id)}/feedback`, request, feedback)
  }

  async clear(id: string, options: RequestOptions = {}): Promise<void> {
    await this.call('DELETE', `${runPath(id)}/feedback`, options)
  }

  /** Marks the feedback resolved (or reopens it); a later update reopens it too. */
  resolve(id: string, options: ResolveFeedbackOptions = {}): Promise<RunFeedback> {
    const { resolved, note, ...request } = options
    const body = { ...(resolved === undefined ? {} : { resolved }), ...(note === undefined ? {} : { note }) }
    return this.call('POST', `${runPath(id)}/feedback/resolve`, request, body)
  }
}

/** client.runs.expected: named JSON documents; `output` is the one comparison.get uses. */
export class RunExpectedApi extends SubResource {
  async list(id: string, options: RequestOptions = {}): Promise<ExpectedDocument[]> {
    const body = await this.call<Schemas['ExpectedDocumentList']>('GET', `${runPath(id)}/expected`, options)
    return body.expected
  }

  /** Creates or replaces `name` with `content` (any JSON value, at most 1 MiB as compact JSON). */
  upload(
    id: string,
    name: string,
    content: unknown,
    options: RequestOptions = {},
  ): Promise<ExpectedDocument> {
    if (content === undefined) throw new TypeError('expected.upload needs a JSON value (null is allowed)')
    return this.call('PUT', expectedPath(id, name), options, content)
  }

  /** The document as uploaded (parsed JSON). */
  download<T = unknown>(id: string, name: string, options: RequestOptions = {}): Promise<T> {
    return this.call('GET', expectedPath(id, name), options)
  }

  /** Saves the succeeded run's output as expected (default name `output`). */
  copyOutput(
    id: string,
    options: RequestOptions & { name?: string | undefined } = {},
  ): Promise<ExpectedDocument> {
    const { name, ...request } = options
    return this.call(
      'POST',
      `${runPath(id)}/expected/copy_output`,
      request,
      name === undefined ? {} : { name },
    )
  }

  rename(id: string, name: string, to: string, options: RequestOptions = {}): Promise<ExpectedDocument> {
    return this.call('POST', `${expectedPath(id, name)}/rename`, options, { to })
  }

  async delete(id: string, name: string, options: RequestOptions = {}): Promise<void> {
    await this.call('DELETE', expectedPath(id, name), options)
  }
}

/** client.runs.comparison */
export class RunComparisonApi extends SubResource {
  /** The run's output against its expected `output`, field by field (NotFoundError without one). */
  get(id: string, options: RequestOptions = {}): Promise<RunComparison> {
    return this.call('GET', `${runPath(id)}/comparison`, options)
  }
}

/** client.runs.trace */
export class RunTraceApi extends SubResource {
  get(id: string, options: RequestOptions = {}): Promise<RunTrace> {
    return this.call('GET', `${runPath(id)}/trace`, options)
  }
}
