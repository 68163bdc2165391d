// An in-memory WorkflowHost for the workflow benchmark: step records kept in a map, calls
// answered at once. Running the interpreter over it measures the interpreter alone (expressions,
// data flow, step records built), with no storage, HTTP or child runs.
import type { Json, JsonObject } from '../src/storage/storage.ts'
import type { CloudEvent, StepRecord, WorkflowHost } from '../src/workflows/workflow-host.ts'

export class MemoryHost implements WorkflowHost {
  readonly steps = new Map<string, StepRecord>()
  readonly signal = new AbortController().signal
  readonly run = { id: 'bench-run', startedAt: new Date().toISOString(), depth: 0 }
  async record(step: StepRecord): Promise<void> {
    this.steps.set(step.key, step)
  }
  async callPeriodic(_s: unknown, _target: string, input: Json): Promise<Json> {
    return input
  }
  async callHttp(): Promise<Json> {
    return null
  }
  async fetchDocument(): Promise<JsonObject> {
    return {}
  }
  async runWorkflow(): Promise<Json> {
    return null
  }
  async runScript(): Promise<Json> {
    return null
  }
  async emit(_s: unknown, _e: CloudEvent): Promise<void> {}
  async listen(): Promise<CloudEvent[]> {
    return []
  }
  async sleep(): Promise<void> {}
  async secrets(): Promise<Record<string, Json>> {
    return {}
  }
}
