// A circle's live events (GET /api/{circle}/ops/events, Server-Sent Events): read with fetch so
// the key goes in the Authorization header, resumed with Last-Event-ID after a drop (backing
// off to 10 s), and a `reset` frame (the server no longer has the events after our id) passed
// on so views refetch. Views subscribe with `onCircleEvents` and stop when they unmount.
import { SseParser } from '@periodic/sdk'
import { session } from './session.svelte.ts'

/** One frame's data, as docs/events.md describes it. */
export interface CircleEvent {
  id: string
  /** `element.created`, `element.updated`, `element.meta_updated`, `element.state_changed`,
   *  `element.deleted`, `run.queued` … `run.failed`, `cookie_jar.changed`, … or `reset`. */
  type: string
  circle: string
  element_id: string | null
  element_path?: string | null
  element_type?: string | null
  at: string
  data: Record<string, unknown>
}

/** Live connection state, for an indicator. */
export const liveState = $state({ connected: false, lastEventAt: null as string | null })

/** Calls `onEvent` for each event of `circle` until the returned function is called. */
export function onCircleEvents(circle: string, onEvent: (e: CircleEvent) => void): () => void {
  const abort = new AbortController()
  let lastId: string | undefined
  let backoff = 500
  const loop = async () => {
    while (!abort.signal.aborted) {
      try {
        const headers: Record<string, string> = {
          authorization: `Bearer ${session.key ?? ''}`,
          accept: 'text/event-stream',
        }
        if (lastId) headers['last-event-id'] = lastId
        const res = await fetch(`/api/${encodeURIComponent(circle)}/ops/events`, {
          headers,
          signal: abort.signal,
        })
        if (res.status === 401) return session.signOut()
        if (!res.ok || !res.body) throw new Error(`events: HTTP ${res.status}`)
        liveState.connected = true
        backoff = 500
        const parser = new SseParser()
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader()
        for (;;) {
          const { value, done } = await reader.read()
          if (done) break
          for (const frame of parser.push(value)) {
            if (frame.id) lastId = frame.id
            let data: Record<string, unknown> = {}
            try {
              data = JSON.parse(frame.data)
            } catch {}
            liveState.lastEventAt = new Date().toISOString()
            onEvent({
              ...(data as unknown as CircleEvent),
              id: frame.id ?? '',
              type: frame.event || String(data['type']),
            })
          }
        }
      } catch {
        if (abort.signal.aborted) return
      }
      liveState.connected = false
      await new Promise((r) => setTimeout(r, backoff))
      backoff = Math.min(10_000, backoff * 2)
    }
  }
  void loop()
  return () => {
    abort.abort()
    liveState.connected = false
  }
}

/** Calls `onChange` on each event of one element, and on `reset` (its state may have moved). */
export function onElementEvents(
  circle: string,
  elementId: string,
  onChange: (e: CircleEvent) => void,
): () => void {
  return onCircleEvents(circle, (e) => {
    if (e.type === 'reset' || e.element_id === elementId) onChange(e)
  })
}
