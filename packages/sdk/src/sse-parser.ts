// Server-sent events from a byte stream, per the WHATWG event-stream rules: lines end in CRLF,
// LF or CR; a blank line dispatches; `:` starts a comment; one space after the colon is
// dropped; several `data:` lines join with newlines; an event with no data is not dispatched.

export interface ServerSentEvent {
  id: string | undefined
  event: string
  data: string
  retry: number | undefined
}

/** Splits text (arriving in arbitrary chunks) into events. */
export class SseParser {
  private buffer = ''
  private data: string[] = []
  private event = ''
  private retry: number | undefined
  /** The id persists across events, as the spec's "last event ID buffer" does. */
  private lastId: string | undefined

  /** Feeds a chunk; returns the events it completed. */
  push(chunk: string): ServerSentEvent[] {
    this.buffer += chunk
    const out: ServerSentEvent[] = []
    for (;;) {
      const match = /\r\n|\n|\r/.exec(this.buffer)
      if (!match) break
      // A CR at the very end may be the first half of a CRLF split across chunks.
      if (match[0] === '\r' && match.index === this.buffer.length - 1) break
      const line = this.buffer.slice(0, match.index)
      this.buffer = this.buffer.slice(match.index + match[0].length)
      const event = this.line(line)
      if (event) out.push(event)
    }
    return out
  }

  /** Ends the stream: a trailing event without its blank line is dropped, as the spec says. */
  end(): ServerSentEvent[] {
    const out: ServerSentEvent[] = []
    // The CR held back in push() was a line end after all.
    if (this.buffer.endsWith('\r')) {
      const event = this.line(this.buffer.slice(0, -1))
      if (event) out.push(event)
    }
    this.buffer = ''
    this.data = []
    this.event = ''
    return out
  }

  private line(line: string): ServerSentEvent | undefined {
    if (line === '') return this.dispatch()
    if (line.startsWith(':')) return undefined
    const colon = line.indexOf(':')
    const field = colon < 0 ? line : line.slice(0, colon)
    let value = colon < 0 ? '' : line.slice(colon + 1)
    if (value.startsWith(' ')) value = value.slice(1)
    if (field === 'data') this.data.push(value)
    else if (field === 'event') this.event = value
    else if (field === 'id' && !value.includes('\0')) this.lastId = value
    else if (field === 'retry' && /^\d+$/.test(value)) this.retry = Number(value)
    return undefined
  }

  private dispatch(): ServerSentEvent | undefined {
    const event =
      this.data.length === 0
        ? undefined
        : { id: this.lastId, event: this.event || 'message', data: this.data.join('\n'), retry: this.retry }
    this.data = []
    this.event = ''
    return event
  }
}

/** Reads a fetch body as server-sent events until it ends. */
export async function* readServerSentEvents(
  body: ReadableStream<Uint8Array>,
): AsyncGenerator<ServerSentEvent, void, undefined> {
  const parser = new SseParser()
  const decoder = new TextDecoder()
  const reader = body.getReader()
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      yield* parser.push(decoder.decode(value, { stream: true }))
    }
    yield* parser.push(decoder.decode())
    yield* parser.end()
  } finally {
    // Stops the download when the consumer breaks out of its loop early.
    await reader.cancel().catch(() => {})
  }
}
