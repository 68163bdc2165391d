// The runner's run pane as state: the run shown (started here or picked from the history),
// its log lines as they stream (lib/run-stream.ts), its final record, and the element's run
// history. One run is followed at a time; showing another stops following the previous one.
import { api, describeError } from '../../lib/api.ts'
import { followRun, type RunLogLine } from '../../lib/run-stream.ts'
import type { RunJson } from './runner-model.ts'

/** Lines kept in the page; a run that prints more shows its last ones (all are in the explorer). */
export const MAX_LOG_LINES = 5000

export class RunViewer {
  current = $state<RunJson | null>(null)
  logs = $state<RunLogLine[]>([])
  streamError = $state<string | null>(null)
  running = $state(false)
  error = $state<unknown>(null)
  history = $state<RunJson[] | null>(null)
  historyError = $state<unknown>(null)
  private following: AbortController | null = null

  constructor(
    private readonly target: string,
    /** Called after a run shown here has ended (the element's state may have moved). */
    private readonly onEnded: () => void,
    /** How a run starts (default: the draft through POST /api/v1/runs; the agent uses `invoke`). */
    private readonly starter: (input: unknown) => Promise<RunJson> = (input) =>
      api<RunJson>('POST', '/api/v1/runs', { target: this.target, input, version: 'draft' }),
  ) {}

  async refreshHistory(): Promise<void> {
    try {
      const q = `target=${encodeURIComponent(this.target)}&limit=20`
      this.history = (await api<{ runs: RunJson[] }>('GET', `/api/v1/runs?${q}`)).runs
      this.historyError = null
    } catch (e) {
      this.historyError = e
    }
  }

  /** Starts a run with `input` and follows it. */
  async start(input: unknown): Promise<void> {
    if (this.running) return
    this.running = true
    this.error = null
    try {
      const started = await this.starter(input)
      void this.refreshHistory()
      await this.show(started)
    } catch (e) {
      this.error = e
    } finally {
      this.running = false
    }
  }

  /** Shows `run`: its logs (live while it runs, replayed after) and then its outcome. */
  async show(run: RunJson): Promise<void> {
    this.following?.abort()
    const abort = new AbortController()
    this.following = abort
    this.current = run
    this.logs = []
    this.streamError = null
    await followRun(run.id, {
      signal: abort.signal,
      onLog: (l) => {
        this.logs.push(l)
        if (this.logs.length > MAX_LOG_LINES) this.logs.splice(0, this.logs.length - MAX_LOG_LINES)
      },
      onStatus: (s) => {
        if (this.current?.id === run.id && !this.current.finished) this.current.status = s.status
      },
      onEnd: (_s, err) => {
        if (err) this.streamError = `${describeError(err).code}: ${describeError(err).message}`
      },
    })
    if (abort.signal.aborted) return
    try {
      const final = await api<RunJson>('GET', `/api/v1/runs/${encodeURIComponent(run.id)}`)
      if (this.following === abort) this.current = final
    } catch (e) {
      this.error = e
    }
    void this.refreshHistory()
    this.onEnded()
  }

  /** The input a past run was given (null for a test run or when it cannot be read). */
  async inputOf(run: RunJson): Promise<unknown | null> {
    if (run.operation !== 'invoke') return null
    try {
      const full = await api<{ input?: unknown }>(
        'GET',
        `/api/v1/runs/${encodeURIComponent(run.id)}?expand=input`,
      )
      return full.input ?? null
    } catch {
      return null
    }
  }

  async cancel(): Promise<void> {
    const run = this.current
    if (!run || run.finished) return
    try {
      await api('POST', `/api/v1/runs/${encodeURIComponent(run.id)}/cancel`)
    } catch (e) {
      this.error = e
    }
  }

  stop(): void {
    this.following?.abort()
  }
}
