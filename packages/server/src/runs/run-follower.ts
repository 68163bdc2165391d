// Following one run to its end, wherever it is: live through RunService.follow when this node
// runs it; replayed from its stored logs when it has ended; and, when another node runs it,
// read again every second until it ends, then replayed. Both SSE views of a run (the runs API's
// `events` and the python element's `run_stream`) feed their own framing from this one source.
import type { RunLogRow, RunRow } from '../storage/storage.ts'
import { isTerminal, type LiveEvent, type RunService } from './run-service.ts'

/** How often a run active on another node (not followable here) is read again. */
const POLL_MS = 1000

export interface RunFeed {
  log(stream: string, data: string): void
  chunk?(data: LiveEvent & { type: 'chunk' }): void
  status?(status: RunRow['status']): void
  end(run: RunRow): void
}

/** Feeds `feed` until the run ends or the returned stop is called; `end` is called once. */
export function followRun(
  runs: RunService,
  listLogs: (runId: string) => Promise<RunLogRow[]>,
  run: RunRow,
  feed: RunFeed,
): () => void {
  let stopped = false
  let ended = false
  const end = (r: RunRow) => {
    if (ended || stopped) return
    ended = true
    feed.end(r)
  }
  const replay = async (r: RunRow) => {
    for (const l of await listLogs(r.id)) if (!stopped) feed.log(l.stream, l.data)
    end(r)
  }
  let unfollow: (() => void) | undefined
  if (isTerminal(run.status)) void replay(run)
  else {
    unfollow = runs.follow(run.id, (e) => {
      if (e.type === 'log') feed.log(e.stream, e.data)
      else if (e.type === 'chunk') feed.chunk?.(e)
      else if (e.type === 'status') feed.status?.(e.status)
      else end(e.run)
    })
    if (!unfollow)
      void (async () => {
        for (;;) {
          const current = (await runs.get(run.id)) ?? run
          if (isTerminal(current.status)) return replay(current)
          if (stopped) return
          await new Promise((r) => setTimeout(r, POLL_MS))
        }
      })()
  }
  return () => {
    stopped = true
    unfollow?.()
  }
}
