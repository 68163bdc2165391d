// Follows one run over its Server-Sent Events (GET /api/v1/runs/{id}/events): every log line
// (replayed from the start, then live) and each status snapshot, until the final status ends the
// stream. The runner's lib/run-stream.ts was not on this branch when this view was written; this
// is the explorer's own small follower (the SDK's `runs.events` does the reading), and can give
// way to the shared one when both have landed.
import { client } from '../../lib/session.svelte.ts'

export interface RunLogLine {
  n: number
  stream: string
  line: string
}

export interface RunStatusSnapshot {
  status: string
  finished: boolean
  [key: string]: unknown
}

export interface FollowHandlers {
  onLog(line: RunLogLine): void
  onStatus?(status: RunStatusSnapshot): void
  onEnd?(error?: unknown): void
  signal: AbortSignal
}

/** Reads the run's events until the stream ends, the signal aborts, or it fails (onEnd(error)). */
export async function followRun(id: string, h: FollowHandlers): Promise<void> {
  try {
    for await (const ev of client().runs.events(id, { signal: h.signal })) {
      const data = ev.data as Record<string, unknown>
      if (ev.event === 'log') {
        h.onLog({
          n: Number(ev.id ?? 0),
          stream: String(data['stream'] ?? 'stdout'),
          line: String(data['line'] ?? ''),
        })
      } else if (ev.event === 'status') {
        h.onStatus?.(data as RunStatusSnapshot)
      }
    }
    h.onEnd?.()
  } catch (e) {
    if (h.signal.aborted) return
    h.onEnd?.(e)
  }
}
