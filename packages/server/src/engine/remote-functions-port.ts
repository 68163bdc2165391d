// Types the engine shares with the code that calls it and with RemoteFunctions. Kept apart from
// engine.ts so remote functions plug into the engine through an interface (no import cycle).
import type { Json } from '../storage/storage.ts'
import type { EngineCaller } from './worker-connection.ts'

export interface InvokeOptions {
  metadata?: Json
  traceparent?: string
  baggage?: string
  timeoutMs?: number
  /** Set when a Python handler calls: its run becomes the parent of an element's run. */
  parentRunId?: string
  callDepth?: number
}

export interface FunctionInfo {
  function_id: string
  description: string | null
  request_format: Json
  response_format: Json
  metadata: Json
}

/**
 * What the engine needs from the functions of other nodes (RemoteFunctions in
 * remote-functions.ts implements it), so engine.ts need not import remote-functions.ts, which
 * imports the engine (no import cycle).
 */
export interface RemoteFunctionsPort {
  announce(circleId: string, info: FunctionInfo): void
  withdraw(circleId: string, functionId: string): void
  list(circleId: string): Promise<FunctionInfo[]>
  invoke(
    caller: EngineCaller,
    functionId: string,
    data: Json,
    opts: InvokeOptions,
    timeoutMs: number,
  ): Promise<{ result: Json } | undefined>
}
