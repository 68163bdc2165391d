// PeriodicClient: the entry point. Holds one transport and hangs the namespaces off it.
import { AutomationsApi } from './automations-api.ts'
import { type CircleEvent, type CircleEventsOptions, circleEvents } from './circle-events-api.ts'
import { type PeriodicClientOptions, resolveClientOptions } from './client-options.ts'
import { CookieJarElement } from './cookie-jar-element.ts'
import { ElementsApi } from './elements-api.ts'
import { HttpTransport, type RequestOptions } from './http-transport.ts'
import { PythonElement } from './python-element.ts'
import { type RerunOptions, RunsApi, rerun, type StartRunOptions, startRun } from './runs-api.ts'
import { SourceHandle } from './source-api.ts'
import type { Run, Whoami } from './types.ts'
import { WebSocketElement } from './websocket-element.ts'
import { WorkflowsApi } from './workflows-api.ts'

export class PeriodicClient {
  readonly baseUrl: string
  readonly elements: ElementsApi
  readonly runs: RunsApi
  readonly workflows: WorkflowsApi
  /** The workflows' schedules: list, get, pause, resume, sync. */
  readonly automations: AutomationsApi
  private readonly transport: HttpTransport

  constructor(options: PeriodicClientOptions = {}) {
    this.transport = new HttpTransport(resolveClientOptions(options))
    this.baseUrl = this.transport.options.baseUrl
    this.elements = new ElementsApi(this.transport)
    this.runs = new RunsApi(this.transport)
    this.workflows = new WorkflowsApi(this.transport)
    this.automations = new AutomationsApi(this.transport)
  }

  /** Whether a key was given or found in `PERIODIC_API_KEY` (the key itself is not exposed). */
  get hasApiKey(): boolean {
    return this.transport.options.apiKey !== undefined
  }

  get timeoutMs(): number {
    return this.transport.options.timeoutMs
  }

  get maxRetries(): number {
    return this.transport.options.maxRetries
  }

  /** The key this client presents: its id, name, circle and scopes (`GET /api/v1/whoami`). */
  async whoami(options: RequestOptions = {}): Promise<Whoami> {
    return (await this.transport.request<Whoami>({ ...options, method: 'GET', path: '/api/v1/whoami' })).body
  }

  /** Starts a run of `target` (`acme/hello`); with `waitForCompletion` the result comes back. */
  run(target: string, input?: unknown, options?: StartRunOptions): Promise<Run> {
    return startRun(this.transport, target, input, options)
  }

  /** A new run from a previous run's input (`version: 'original'` pins its element version). */
  rerun(id: string, options?: RerunOptions): Promise<Run> {
    return rerun(this.transport, id, options)
  }

  /** The circle's live events (SSE), in order; resume with `lastEventId` (docs/events.md). */
  events(circle: string, options?: CircleEventsOptions): AsyncIterable<CircleEvent> {
    return circleEvents(this.transport, circle, options)
  }

  /** The python element at `path`. */
  python(path: string): PythonElement {
    return new PythonElement(this.transport, path)
  }

  /** The cookie-jar element at `path`. */
  cookieJar(path: string): CookieJarElement {
    return new CookieJarElement(this.transport, path)
  }

  /** The websocket element at `path`. */
  websocket(path: string): WebSocketElement {
    return new WebSocketElement(this.transport, path)
  }

  /** The Source (Git) repository of the element at `path`, whatever its type. */
  source(path: string): SourceHandle {
    return new SourceHandle(this.transport, path)
  }
}
