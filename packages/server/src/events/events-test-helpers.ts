// For the events stream tests: opens GET /api/{circle}/ops/events over real HTTP and collects
// its frames as they arrive, so a test can wait (polling) for what it expects.
import { expect } from 'vitest'

export interface Frame {
  id: string | undefined
  event: string
  // biome-ignore lint/suspicious/noExplicitAny: tests read the frames' JSON freely
  data: any
}

export interface OpenStream {
  status: number
  frames: Frame[]
  /** Frames that are events (not reset/revoked). */
  events(): Frame[]
  /** True once the server ended the stream. */
  ended: () => boolean
  close(): void
}

export async function openEvents(
  baseUrl: string,
  circle: string,
  key: string | null,
  o: { lastEventId?: string; query?: string } = {},
): Promise<OpenStream> {
  const abort = new AbortController()
  const headers: Record<string, string> = { accept: 'text/event-stream' }
  if (key !== null) headers['authorization'] = `Bearer ${key}`
  if (o.lastEventId !== undefined) headers['last-event-id'] = o.lastEventId
  const res = await fetch(`${baseUrl}/api/${circle}/ops/events${o.query ? `?${o.query}` : ''}`, {
    headers,
    signal: abort.signal,
  })
  const frames: Frame[] = []
  let ended = false
  if (res.ok && res.body) {
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader()
    let buffer = ''
    void (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read()
          if (done) break
          buffer += value
          let cut = buffer.indexOf('\n\n')
          while (cut >= 0) {
            const block = buffer.slice(0, cut)
            buffer = buffer.slice(cut + 2)
            cut = buffer.indexOf('\n\n')
            const f: Frame = { id: undefined, event: 'message', data: undefined }
            let data: string | undefined
            for (const line of block.split('\n')) {
              if (line.startsWith('id: ')) f.id = line.slice(4)
              else if (line.startsWith('event: ')) f.event = line.slice(7)
              else if (line.startsWith('data: ')) data = line.slice(6)
            }
            if (data === undefined) continue
            f.data = JSON.parse(data)
            frames.push(f)
          }
        }
      } catch {}
      ended = true
    })()
  } else {
    ended = true
    frames.push({ id: undefined, event: 'error', data: await res.json().catch(() => null) })
  }
  return {
    status: res.status,
    frames,
    events: () => frames.filter((f) => f.id !== undefined),
    ended: () => ended,
    close: () => abort.abort(),
  }
}

/** Waits until the stream holds `n` events; returns their types. */
export async function waitForEvents(s: OpenStream, n: number, timeout = 10_000): Promise<Frame[]> {
  await expect.poll(() => s.events().length, { timeout, interval: 20 }).toBeGreaterThanOrEqual(n)
  return s.events()
}
