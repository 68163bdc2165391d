// The iii worker protocol as iii-sdk speaks it: JSON text frames tagged by `type`. Only the
// shapes the engine reads are typed; everything else a worker sends is ignored.
import { jsonTextTooDeep, tooDeepMessage } from '../json-depth.ts'
import type { Json, JsonObject } from '../storage/storage.ts'

/** An error as it travels in `invocationresult.error` (iii's ErrorBody). */
export interface WireError {
  code: string
  message: string
  stacktrace?: string
}

export type TriggerAction = { type: 'void' } | { type: 'enqueue'; queue: string }

export interface InvokeMessage {
  type: 'invokefunction'
  invocation_id?: string
  function_id: string
  data?: Json
  metadata?: Json
  traceparent?: string
  baggage?: string
  action?: TriggerAction
}

export interface InvocationResultMessage {
  type: 'invocationresult'
  invocation_id: string
  function_id?: string
  result?: Json
  error?: WireError
}

export interface RegisterFunctionMessage {
  type: 'registerfunction'
  id: string
  description?: string
  request_format?: Json
  response_format?: Json
  metadata?: JsonObject
  invocation?: JsonObject
}

export interface RegisterTriggerMessage {
  type: 'registertrigger'
  id: string
  trigger_type: string
  function_id: string
  config?: Json
  metadata?: JsonObject
}

export type WorkerMessage =
  | InvokeMessage
  | InvocationResultMessage
  | RegisterFunctionMessage
  | { type: 'unregisterfunction'; id: string }
  | RegisterTriggerMessage
  | { type: 'unregistertrigger'; id: string; trigger_type?: string }
  | { type: 'registertriggertype'; id: string; description?: string }
  | { type: 'unregistertriggertype'; id: string }
  | { type: 'triggerregistrationresult'; id: string; error?: WireError }
  | { type: 'reattach'; previous_worker_id: string; reattach_token?: string }

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)
const str = (v: unknown, max = 512): v is string => typeof v === 'string' && v.length > 0 && v.length <= max

/** Parses one frame; undefined for anything malformed (the connection logs and drops it). */
export function parseWorkerMessage(text: string): WorkerMessage | undefined {
  let m: unknown
  try {
    m = JSON.parse(text)
  } catch {
    return undefined
  }
  if (!isObj(m) || typeof m['type'] !== 'string') return undefined
  // Deep frames parse, but would overflow the stack where they are stored or sent on.
  if (jsonTextTooDeep(text)) {
    // A result still settles its call (as an error), so the caller does not wait for a timeout.
    if (m['type'] === 'invocationresult' && str(m['invocation_id'], 128))
      return {
        type: 'invocationresult',
        invocation_id: m['invocation_id'] as string,
        error: { code: 'json_too_deep', message: tooDeepMessage('the result') },
      } as InvocationResultMessage
    return undefined
  }
  switch (m['type']) {
    case 'invokefunction': {
      if (!str(m['function_id'])) return undefined
      if (m['invocation_id'] !== undefined && !str(m['invocation_id'], 128)) return undefined
      const a = m['action']
      if (a !== undefined && a !== null) {
        if (!isObj(a)) return undefined
        if (a['type'] === 'enqueue' && !str(a['queue'], 256)) return undefined
        if (a['type'] !== 'enqueue' && a['type'] !== 'void') return undefined
      }
      return m as unknown as InvokeMessage
    }
    case 'invocationresult':
      return str(m['invocation_id'], 128) ? (m as unknown as InvocationResultMessage) : undefined
    case 'registerfunction':
      return str(m['id']) ? (m as unknown as RegisterFunctionMessage) : undefined
    case 'registertrigger':
      return str(m['id'], 256) && str(m['trigger_type'], 256) && str(m['function_id'])
        ? (m as unknown as RegisterTriggerMessage)
        : undefined
    case 'unregisterfunction':
    case 'unregistertrigger':
    case 'registertriggertype':
    case 'unregistertriggertype':
    case 'triggerregistrationresult':
      return str(m['id'], 512) ? (m as unknown as WorkerMessage) : undefined
    case 'reattach':
      return str(m['previous_worker_id'], 128) ? (m as unknown as WorkerMessage) : undefined
    default:
      return undefined
  }
}
