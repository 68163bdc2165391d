// How long a call asks the server to hold the response (`?wait_for_completion=N`), and the
// request timeout that goes with it so the client never gives up before the server answers.
import type { HttpTransport } from './http-transport.ts'

/** The server's ceiling for `wait_for_completion`, in seconds. */
export const MAX_WAIT_FOR_COMPLETION_S = 600
/** Slack on top of a long poll's own wait before the client calls it a timeout. */
const LONG_POLL_SLACK_MS = 15_000

/** Seconds to wait; `true` means the server's maximum, `false`/undefined means do not wait. */
export type WaitForCompletion = number | boolean | undefined

export function waitSeconds(wait: WaitForCompletion): number | undefined {
  if (wait === undefined || wait === false) return undefined
  if (wait === true) return MAX_WAIT_FOR_COMPLETION_S
  if (!Number.isFinite(wait) || wait < 0) throw new TypeError('waitForCompletion must be seconds >= 0')
  return Math.min(MAX_WAIT_FOR_COMPLETION_S, wait)
}

/** The per-request timeout for a call the server may hold for `seconds`. */
export function longPollTimeoutMs(
  transport: HttpTransport,
  seconds: number | undefined,
  given?: number,
): number | undefined {
  if (given !== undefined) return given
  if (seconds === undefined || seconds === 0) return undefined
  return Math.max(transport.options.timeoutMs, seconds * 1000 + LONG_POLL_SLACK_MS)
}
