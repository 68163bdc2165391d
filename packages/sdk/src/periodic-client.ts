// PeriodicClient: the entry point. Holds one transport and hangs the namespaces off it.
import { AgentEmailTriggersApi } from './agent-email-triggers-api.ts'
import { AutomationsApi } from './automations-api.ts'
import { type CircleEvent, type CircleEventsOptions, circleEvents } from './circle-events-api.ts'
import { type PeriodicClientOptions, resolveClientOptions } from './client-options.ts'
import { CookieJarElement } from './cookie-jar-element.ts'
import { ElementsApi } from './elements-api.ts'
import { HttpTransport } from './http-transport.ts'
import { PythonElement } from './python-element.ts'
import { type RerunOptions, RunsApi, rerun, type StartRunOptions, startRun } from './runs-api.ts'
import { SourceHandle } from './source-api.ts'
import type { Run } from './types.ts'
import { WebSocketElement } from './websocket-element.ts'
import { WorkflowsApi } from './workflows-api.ts'

export class PeriodicClient {
  readonly baseUrl: string
  readonly elements: ElementsApi
  readonly runs: RunsApi
  readonly workflows: WorkflowsApi
  /** The workflows' schedules: list, get, pause, resume, sync. */
  readonly automations: AutomationsApi
  /** Agents' email aliases (to move under client.agents.emailTriggers with the agents API). */
  readonly agentEmailTriggers: AgentEmailTriggersApi
  private readonly transport: HttpTransport

  constructor(options: PeriodicClientOptions = {}) {
    this.transport = new HttpTransport(resolveClientOptions(options))
    this.baseUrl = this.transport.options.baseUrl
    this.elements = new ElementsApi(this.transport)
    this.runs = new RunsApi(this.transport)
    this.workflows = new WorkflowsApi(this.transport)
    this.automations = new AutomationsApi(this.transport)
    this.agentEmailTriggers = new AgentEmailTriggersApi(this.transport)
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
