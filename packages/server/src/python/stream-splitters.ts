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

/** How long a tail that might start a sentinel is held before it is passed on as text. */
const SETTLE_MS = 3

/**
 * Passes text through to `onText` until it meets `\n<sentinel><id>\n`, then reports `id` to
 * `onEnd`. Text that might be the start of a sentinel (most often a line's own trailing `\n`)
 * is held back until the next chunk decides it — or, when none follows within SETTLE_MS, passed
 * on anyway, so a line printed before a long pause reaches live followers at once instead of
 * with the next output. worker.py writes each sentinel in one write, so a sentinel split across
 * reads arrives in back-to-back chunks; should one still begin in released text, it is
 * recognised all the same (that run's log then ends with one extra newline).
 */
export class SentinelSplitter {
  private buf = ''
  /** How many leading characters of `buf` were already passed on (released after SETTLE_MS). */
  private released = 0
  private timer: ReturnType<typeof setTimeout> | undefined
  private readonly marker: string

  constructor(
    sentinel: string,
    private readonly onText: (text: string) => void,
    private readonly onEnd: (id: string) => void,
  ) {
    this.marker = `\n${sentinel}`
  }

  push(chunk: string): void {
    clearTimeout(this.timer)
    this.timer = undefined
    this.buf += chunk
    for (;;) {
      const at = this.buf.indexOf(this.marker)
      if (at < 0) break
      const nl = this.buf.indexOf('\n', at + this.marker.length)
      if (nl < 0) {
        // The id is not complete yet; emit what precedes the marker and wait.
        this.emitTo(at)
        this.drop(at)
        return
      }
      this.emitTo(at)
      this.onEnd(this.buf.slice(at + this.marker.length, nl))
      this.drop(nl + 1)
    }
    // Keep back a tail that could be the beginning of a marker split across chunks.
    const cut = this.buf.length - this.partialMarkerLength()
    this.emitTo(cut)
    this.drop(cut)
    if (this.buf.length > this.released) {
      this.timer = setTimeout(() => {
        this.timer = undefined
        this.emitTo(this.buf.length)
      }, SETTLE_MS)
      this.timer.unref?.()
    }
  }

  /** The stream ended (or its writer died): what was held back is text after all. */
  flush(): void {
    clearTimeout(this.timer)
    this.timer = undefined
    this.emitTo(this.buf.length)
    this.buf = ''
    this.released = 0
  }

  /** Passes on `buf` up to `end`, less what was released already. */
  private emitTo(end: number): void {
    if (end > this.released) this.onText(this.buf.slice(this.released, end))
    this.released = Math.max(this.released, end)
  }

  private drop(n: number): void {
    this.buf = this.buf.slice(n)
    this.released = Math.max(0, this.released - n)
  }

  private partialMarkerLength(): number {
    const max = Math.min(this.marker.length - 1, this.buf.length)
    for (let n = max; n > 0; n--) if (this.buf.endsWith(this.marker.slice(0, n))) return n
    return 0
  }
}
