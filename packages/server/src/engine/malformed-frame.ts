// A worker frame that does not parse as a protocol message. An invocation that still names its
// id gets an error result, so whoever waits on it never waits forever.
import { jsonTextTooDeep, tooDeepMessage } from '../json-depth.ts'
import type { WorkerConnection } from './worker-connection.ts'

export function answerMalformed(conn: WorkerConnection, text: string): void {
  let m: unknown
  try {
    m = JSON.parse(text)
  } catch {
    return
  }
  const o = m as { type?: unknown; invocation_id?: unknown; function_id?: unknown }
  if (o?.type !== 'invokefunction' || typeof o.invocation_id !== 'string' || o.invocation_id.length > 128)
    return
  conn.send({
    type: 'invocationresult',
    invocation_id: o.invocation_id,
    ...(typeof o.function_id === 'string' ? { function_id: o.function_id.slice(0, 512) } : {}),
    error: jsonTextTooDeep(text)
      ? { code: 'json_too_deep', message: tooDeepMessage('the frame') }
      : { code: 'invalid_message', message: 'invokefunction needs function_id (and a valid action)' },
  })
}
