// The shapes a Python worker is started with and answers with, shared by the worker, its pool
// and the runtime.
import type { Executor } from '../sandbox/executor.ts'
import type { Json, JsonObject } from '../storage/storage.ts'

export interface WorkerConfig {
  executor: Executor
  /** Python interpreter (a layer's venv python, or the system one), as a host path. */
  python: string
  /** Host directory of the code, mounted at /periodic/code. */
  codeDir: string
  /** Entry file relative to codeDir (main.py for inline code). */
  entry: string
  /** Host directory of the dependency layer (a venv), if any. */
  layerDir?: string
  /**
   * Host directories of the element's python-layers (files, built requirements), each mounted
   * read-only at its own path and put on sys.path after the dependency layer, in order.
   */
  layerPaths?: string[]
  env: Record<string, string>
  handler: string
  slug: string
  memoryMb: number
  maxPids: number
  logCapBytes: number
  /** Host directory under which each worker gets its own input/output directory (files off when absent). */
  filesRoot?: string
}

export interface RunError extends JsonObject {
  code: string
  message: string
}

export interface LogLine {
  stream: 'stdout' | 'stderr'
  data: string
}

export interface InvocationResult {
  output?: Json
  error?: RunError
  durationMs: number
  memoryMb: number | null
  logs: LogLine[]
  logsTruncated: boolean
  /** The worker cannot serve again (killed, crashed, timed out). */
  workerLost: boolean
  /** False when worker.py saw its output directory empty after the handler; else unknown. */
  wroteOutput?: boolean
}

/** Serves a handler's engine call (periodic.trigger/state/stream); rejects with {code, message}. */
export type EngineCallHandler = (functionId: string, data: Json) => Promise<Json>

/**
 * Gives up a wait for a worker: what an AbortSignal would do here, without an EventTarget and
 * its listener bookkeeping on every run (1.5 % of a warm invoke's profile).
 */
export class WaitCancel {
  aborted = false
  private listener: (() => void) | undefined

  cancel(): void {
    if (this.aborted) return
    this.aborted = true
    const fn = this.listener
    this.listener = undefined
    fn?.()
  }

  /** Calls `fn` once when cancelled (one listener: the wait in progress); returns the removal. */
  onCancel(fn: () => void): () => void {
    this.listener = fn
    return () => {
      if (this.listener === fn) this.listener = undefined
    }
  }
}
