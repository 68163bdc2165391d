// Following one run live: GET /api/v1/runs/{id}/events (Server-Sent Events) read with fetch so
// the key travels in the Authorization header. `log` frames are the run's output line by line
// (`{stream, line}`, line n has event id n), `status` frames are snapshots, and the stream ends
// with the final status. A dropped connection is resumed with Last-Event-ID (no line twice);
// an ended run replays its stored lines, so the same call shows a past run's logs.
import { SseParser } from '@periodic/sdk'
import { session } from './session.svelte.ts'

export interface RunLogLine {
  /** 1-based line number (the event id). */
  n: number
  stream: 'stdout' | 'stderr' | string
  line: string
}

export interface RunStatusFrame {
  status: string
  finished: boolean
  attempts?: number
  started_at?: string | null
  completed_at?: string | null
  error?: Record<string, unknown> | null
}

export interface FollowRunOptions {
  onLog?: (line: RunLogLine) => void
  onStatus?: (status: RunStatusFrame) => void
  /** Called once with the final status (or with an error when the stream cannot be read). */
  onEnd?: (status: RunStatusFrame | null, error?: unknown) => void
  signal?: AbortSignal
}

/**
 * Follows run `id` until it ends or `signal` aborts. Resolves when the stream is over.
 * Errors that are not the server's answer (network drops) are retried with Last-Event-ID.
 */
export async function followRun(id: string, o: FollowRunOptions = {}): Promise<void> {
  let lastId = 0
  let backoff = 250
  let final: RunStatusFrame | null = null
  for (let attempt = 0; !o.signal?.aborted; attempt++) {
    try {
      const headers: Record<string, string> = {
        authorization: `Bearer ${session.key ?? ''}`,
        accept: 'text/event-stream',
      }
      if (lastId > 0) headers['last-event-id'] = String(lastId)
      const res = await fetch(`/api/v1/runs/${encodeURIComponent(id)}/events`, {
        headers,
        signal: o.signal ?? null,
      })
      if (!res.ok || !res.body) {
        const body = await res.json().catch(() => ({}))
        const e = (body as { error?: { code?: string; message?: string } }).error ?? {}
        o.onEnd?.(null, { code: e.code ?? `HTTP_${res.status}`, message: e.message ?? res.statusText })
        return
      }
      const parser = new SseParser()
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader()
      for (;;) {
        const { value, done } = await reader.read()
        if (done) break
        for (const frame of parser.push(value)) {
          let data: Record<string, unknown>
          try {
            data = JSON.parse(frame.data)
          } catch {
            continue
          }
          if (frame.event === 'log') {
            const n = Number(frame.id ?? 0)
            if (n <= lastId) continue
            lastId = n
            o.onLog?.({ n, stream: String(data['stream'] ?? 'stdout'), line: String(data['line'] ?? '') })
          } else if (frame.event === 'status') {
            const status = data as unknown as RunStatusFrame
            o.onStatus?.(status)
            if (status.finished) final = status
          }
        }
      }
      if (final) {
        o.onEnd?.(final)
        return
      }
    } catch (e) {
      if (o.signal?.aborted) return
      if (attempt > 20) {
        o.onEnd?.(null, e)
        return
      }
    }
    // The stream closed before the run ended: resume after the last line we have.
    await new Promise((r) => setTimeout(r, backoff))
    backoff = Math.min(5000, backoff * 2)
  }
}
