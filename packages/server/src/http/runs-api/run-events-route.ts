// GET /api/v1/runs/{id}/events: a run as Server-Sent Events — `status` snapshots and `log`
// lines, ending with the final `status`. Log line n (from 1) has event id n and a status event
// the id of the last line before it, so `Last-Event-ID: n` resumes after line n; a status is a
// snapshot, so sending it again on resume is harmless. The run is followed by run-follower.ts
// (live here, replayed when ended, polled when another node runs it). POST …/connect (the
// eigenpal client's `runs.connect`) answers the same stream.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { requireScope } from '../../auth/require-actor.ts'
import { validationError } from '../../errors.ts'
import { followRun } from '../../runs/run-follower.ts'
import { presentRun } from '../../runs/run-json.ts'
import { isTerminal } from '../../runs/run-service.ts'
import { SSE_HEADERS, sseStream } from '../../sse-stream.ts'
import type { RunRow } from '../../storage/storage.ts'
import { authenticated, type RunsApiDeps, visibleRun } from './runs-routes.ts'

function lastEventId(req: FastifyRequest): number {
  const raw = req.headers['last-event-id'] ?? (req.query as Record<string, unknown>)['last_event_id']
  if (raw === undefined || raw === '') return 0
  const n = Number(raw)
  if (!Number.isSafeInteger(n) || n < 0)
    throw validationError('Last-Event-ID', 'must be an event id this stream sent (a non-negative integer)')
  return n
}

const statusOf = (r: RunRow) => {
  const { status, finished, attempts, started_at, completed_at, error } = presentRun(r)
  return { status, finished, attempts, started_at, completed_at, error }
}

export function registerRunEventsRoute(app: FastifyInstance, deps: RunsApiDeps): void {
  app.get<Params>('/api/v1/runs/:id/events', (req, reply) => streamRun(deps, req, reply))
  app.post<Params>('/api/v1/runs/:id/connect', (req, reply) => streamRun(deps, req, reply))
}

type Params = { Params: { id: string } }

async function streamRun(deps: RunsApiDeps, req: FastifyRequest<Params>, reply: FastifyReply) {
  const actor = await authenticated(deps, req)
  const after = lastEventId(req)
  const first = await visibleRun(deps, actor, req.params.id)
  requireScope(actor, 'read', 'run events')
  const sse = sseStream()
  let lines = 0
  const eventId = () => Math.max(lines, after)
  // Output arrives in chunks that differ between the live feed and the stored logs; cutting
  // it into lines per stream numbers the same output the same either way.
  const partial = new Map<string, string>()
  const line = (stream: string, text: string) => {
    lines++
    if (lines > after) sse.send('log', { stream, line: text }, lines)
  }
  sse.send('status', statusOf(first), eventId())
  const stop = followRun(deps.runs, (id) => deps.runs.logs(id), first, {
    log: (stream, data) => {
      const parts = ((partial.get(stream) ?? '') + data).split('\n')
      partial.set(stream, parts.pop() ?? '')
      for (const p of parts) line(stream, p)
    },
    status: (status) => sse.send('status', { status, finished: isTerminal(status) }, eventId()),
    end: (r) => {
      for (const [stream, rest] of partial) if (rest) line(stream, rest)
      sse.end('status', statusOf(r), eventId())
    },
  })
  sse.onClose(stop)
  req.raw.on('close', () => sse.body.destroy())
  for (const [k, v] of Object.entries(SSE_HEADERS)) reply.header(k, v)
  return reply.send(sse.body)
}
