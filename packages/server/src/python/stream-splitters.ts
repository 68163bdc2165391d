// Incremental splitters for the worker's streams: JSON lines on the control channel, and log
// text cut at the end-of-run sentinels worker.py writes to stdout and stderr.

export class LineSplitter {
  private buf = ''

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: string): void {
    this.buf += chunk
    let nl = this.buf.indexOf('\n')
    while (nl >= 0) {
      const line = this.buf.slice(0, nl)
      this.buf = this.buf.slice(nl + 1)
      if (line) this.onLine(line)
      nl = this.buf.indexOf('\n')
    }
  }
}

/**
 * Passes text through to `onText` until it meets `\n<sentinel><id>\n`, then reports `id` to
 * `onEnd`. Text that might be the start of a sentinel is held back until it is decided.
 */
export class SentinelSplitter {
  private buf = ''
  private readonly marker: string

  constructor(
    sentinel: string,
    private readonly onText: (text: string) => void,
    private readonly onEnd: (id: string) => void,
  ) {
    this.marker = `\n${sentinel}`
  }

  push(chunk: string): void {
    this.buf += chunk
    for (;;) {
      const at = this.buf.indexOf(this.marker)
      if (at < 0) break
      const nl = this.buf.indexOf('\n', at + this.marker.length)
      if (nl < 0) {
        // The id is not complete yet; emit what precedes the marker and wait.
        if (at > 0) this.onText(this.buf.slice(0, at))
        this.buf = this.buf.slice(at)
        return
      }
      if (at > 0) this.onText(this.buf.slice(0, at))
      this.onEnd(this.buf.slice(at + this.marker.length, nl))
      this.buf = this.buf.slice(nl + 1)
    }
    // Keep back a tail that could be the beginning of a marker split across chunks.
    const keep = this.partialMarkerLength()
    if (this.buf.length > keep) {
      this.onText(this.buf.slice(0, this.buf.length - keep))
      this.buf = this.buf.slice(this.buf.length - keep)
    }
  }

  /** The stream ended (or its writer died): what was held back is text after all. */
  flush(): void {
    if (this.buf) this.onText(this.buf)
    this.buf = ''
  }

  private partialMarkerLength(): number {
    const max = Math.min(this.marker.length - 1, this.buf.length)
    for (let n = max; n > 0; n--) if (this.buf.endsWith(this.marker.slice(0, n))) return n
    return 0
  }
}
