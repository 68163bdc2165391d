// Follows one run over its Server-Sent Events (GET /api/v1/runs/{id}/events): every log line
// (replayed from the start, then live) and each status snapshot, until the final status ends the
// stream. A dropped connection is resumed with Last-Event-ID (backing off to 5 s); onEnd gets the
// error only when the stream cannot be opened at all (a 404, a missing scope). The runner's
// lib/run-stream.ts was not on this branch when this view was written; this is the explorer's
// own small follower (the SDK's `runs.events` does the reading), and can give way to the shared
// one when both have landed.
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Reads the run's events until it has ended and the stream closed, or the signal aborts. */
export async function followRun(id: string, h: FollowHandlers): Promise<void> {
  let lastEventId: string | undefined
  let finished = false
  let received = false
  let backoff = 500
  while (!h.signal.aborted) {
    try {
      for await (const ev of client().runs.events(id, { signal: h.signal, lastEventId })) {
        received = true
        backoff = 500
        if (ev.id) lastEventId = ev.id
        const data = (ev.data ?? {}) as Record<string, unknown>
        if (ev.event === 'log') {
          h.onLog({
            n: Number(ev.id ?? 0),
            stream: String(data['stream'] ?? 'stdout'),
            line: String(data['line'] ?? ''),
          })
        } else if (ev.event === 'status') {
          if (data['finished'] === true) finished = true
          h.onStatus?.(data as RunStatusSnapshot)
        }
      }
      if (finished) return h.onEnd?.()
    } catch (e) {
      if (h.signal.aborted) return
      if (!received) return h.onEnd?.(e)
    }
    await sleep(backoff)
    backoff = Math.min(5000, backoff * 2)
  }
}
