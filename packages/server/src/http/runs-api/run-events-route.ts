// GET /api/v1/runs/{id}/events: a run as Server-Sent Events — `status` snapshots and `log`
// lines, ending with the final `status`. Log line n (from 1) has event id n and a status event
// the id of the last line before it, so `Last-Event-ID: n` resumes after line n; a status is a
// snapshot, so sending it again on resume is harmless. Live runs are followed through
// RunService.follow; finished ones are replayed from their stored logs.
import { PassThrough } from 'node:stream'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { requireScope } from '../../auth/require-actor.ts'
import { validationError } from '../../errors.ts'
import { presentRun } from '../../runs/run-json.ts'
import { isTerminal, type LiveEvent } from '../../runs/run-service.ts'
import type { RunRow } from '../../storage/storage.ts'
import { authenticated, type RunsApiDeps, visibleRun } from './runs-routes.ts'

const HEARTBEAT_MS = 15_000
/** How often a run active on another node (not followable here) is read again. */
const POLL_MS = 1000

function lastEventId(req: FastifyRequest): number {
  const raw = req.headers['last-event-id'] ?? (req.query as Record<string, unknown>)['last_event_id']
  if (raw === undefined || raw === '') return 0
  const n = Number(raw)
  if (!Number.isSafeInteger(n) || n < 0)
    throw validationError('Last-Event-ID', 'must be an event id this stream sent (a non-negative integer)')
  return n
}

const frame = (event: string, id: number, data: unknown) =>
  `id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`

const statusOf = (r: RunRow) => {
  const { status, attempts, started_at, completed_at, error } = presentRun(r)
  return { status, attempts, started_at, completed_at, error }
}

export function registerRunEventsRoute(app: FastifyInstance, deps: RunsApiDeps): void {
  app.get<{ Params: { id: string } }>('/api/v1/runs/:id/events', async (req, reply) => {
    const actor = await authenticated(deps, req)
    const after = lastEventId(req)
    const first = await visibleRun(deps, actor, req.params.id)
    requireScope(actor, 'read', 'run events')
    const out = new PassThrough()
    let lines = 0
    let closed = false
    const status = (r: RunRow) => out.write(frame('status', Math.max(lines, after), statusOf(r)))
    // Output arrives in chunks that differ between the live feed and the stored logs; cutting
    // it into lines per stream numbers the same output the same either way.
    const partial = new Map<string, string>()
    const line = (stream: string, text: string) => {
      lines++
      if (lines > after) out.write(frame('log', lines, { stream, line: text }))
    }
    const log = (stream: string, data: string) => {
      const parts = ((partial.get(stream) ?? '') + data).split('\n')
      partial.set(stream, parts.pop() ?? '')
      for (const p of parts) line(stream, p)
    }
    const end = (r: RunRow) => {
      if (closed) return
      for (const [stream, rest] of partial) if (rest) line(stream, rest)
      closed = true
      status(r)
      out.end()
    }
    const replayStored = async (r: RunRow) => {
      for (const l of await deps.elements.storage.listRunLogs(r.id)) log(l.stream, l.data)
      end(r)
    }

    status(first)
    const heartbeat = setInterval(() => out.write(': keep-alive\n\n'), HEARTBEAT_MS)
    let stop: (() => void) | undefined
    const cleanup = () => {
      closed = true
      clearInterval(heartbeat)
      stop?.()
    }
    out.on('close', cleanup)
    req.raw.on('close', () => out.destroy())

    if (isTerminal(first.status)) await replayStored(first)
    else {
      stop = deps.runs.follow(first.id, (e: LiveEvent) => {
        if (e.type === 'log') log(e.stream, e.data)
        else if (e.type === 'status') out.write(frame('status', Math.max(lines, after), { status: e.status }))
        else if (e.type === 'end') end(e.run)
      })
      if (!stop) void pollUntilEnded(deps, first, () => closed, replayStored)
    }
    reply.header('content-type', 'text/event-stream; charset=utf-8')
    reply.header('cache-control', 'no-cache')
    reply.header('x-accel-buffering', 'no')
    return reply.send(out)
  })
}

/** A run not active in this process: it ended in between, or another node runs it. */
async function pollUntilEnded(
  deps: RunsApiDeps,
  run: RunRow,
  closed: () => boolean,
  replayStored: (r: RunRow) => Promise<void>,
): Promise<void> {
  for (;;) {
    const current = (await deps.runs.get(run.id)) ?? run
    if (isTerminal(current.status)) return replayStored(current)
    if (closed()) return
    await new Promise((r) => setTimeout(r, POLL_MS))
  }
}
