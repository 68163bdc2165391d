// An agent run's diagnostics, kept as artifacts at the root of the run's files (the runs API
// lists and serves them): `trace.jsonl` (one line per model call and tool call, appended as they
// end, so a follower or `runSteps` sees them during the run), `issues.md` (what went wrong, if
// anything) and `periodic.lock` (the model, the agent's source and each tool's resolved version).
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { runOutputDir } from '../../runs/run-files.ts'
import type { JsonObject } from '../../storage/storage.ts'

export const TRACE_FILE = 'trace.jsonl'
export const ISSUES_FILE = 'issues.md'
export const LOCK_FILE = 'periodic.lock'
/** Tool arguments and results kept in the trace are cut at this many characters. */
const TRACE_VALUE_CHARS = 4096

export interface TraceEntry extends JsonObject {
  kind: 'model' | 'tool'
  step: number
  started_at: string
  duration_ms: number
  status: 'ok' | 'error' | 'refused'
}

/** A value for the trace: as is when short, else its JSON cut (marked). */
export function traceValue(v: unknown): JsonObject[string] {
  const text = JSON.stringify(v ?? null)
  return text.length <= TRACE_VALUE_CHARS
    ? (v as JsonObject[string])
    : { truncated: text.slice(0, TRACE_VALUE_CHARS) }
}

export class AgentRecorder {
  readonly issues: string[] = []
  private readonly dir: string
  private writes: Promise<void>

  constructor(dataDir: string, runId: string) {
    this.dir = runOutputDir(dataDir, runId)
    this.writes = mkdir(this.dir, { recursive: true }).then(() => {})
  }

  /** Appends one line to trace.jsonl (in order; failures surface at `close`). */
  trace(entry: TraceEntry): void {
    const line = `${JSON.stringify(entry)}\n`
    this.writes = this.writes.then(() => appendFile(join(this.dir, TRACE_FILE), line))
  }

  issue(text: string): void {
    this.issues.push(text)
  }

  lock(lock: JsonObject): void {
    const text = `${JSON.stringify(lock, null, 2)}\n`
    this.writes = this.writes.then(() => writeFile(join(this.dir, LOCK_FILE), text))
  }

  /** Writes issues.md and waits for every write. */
  async close(outcome: string): Promise<void> {
    const body = this.issues.length
      ? this.issues.map((i) => `- ${i.replace(/\n/g, '\n  ')}`).join('\n')
      : 'No issues.'
    const text = `# Issues\n\nOutcome: ${outcome}\n\n${body}\n`
    this.writes = this.writes.then(() => writeFile(join(this.dir, ISSUES_FILE), text))
    await this.writes
  }
}

/** The trace of a run, as written so far (the steps of GET …/steps and ?expand=execution). */
export async function readTrace(dataDir: string, runId: string): Promise<JsonObject[]> {
  const text = await readFile(join(runOutputDir(dataDir, runId), TRACE_FILE), 'utf8').catch(() => '')
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as JsonObject)
}
