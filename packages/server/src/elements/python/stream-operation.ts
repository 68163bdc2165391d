// run_stream: follow one run live as Server-Sent Events — `log` lines as they are printed,
// `chunk` items a generator handler yields, then `end` with the final run. A finished run
// replays its stored logs and ends at once.
import { PassThrough } from 'node:stream'
import { presentRun } from '../../runs/run-json.ts'
import type { LiveEvent } from '../../runs/run-service.ts'
import { defineOperation } from '../element.ts'
import { runOfElement } from './run-of-element.ts'

const sse = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`

export const streamOperation = defineOperation({
  name: 'run_stream',
  path: 'runs/:run_id/stream',
  method: 'GET',
  auth: 'read',
  summary: 'Follow a run live (text/event-stream): log, chunk and end events',
  allowWhenDisabled: true,
  async handler(ctx) {
    const id = ctx.params['run_id']!
    const run = await runOfElement(ctx, id)
    const out = new PassThrough()
    ctx.reply.header('content-type', 'text/event-stream; charset=utf-8')
    ctx.reply.header('cache-control', 'no-cache')
    out.write(sse('status', { status: run.status }))
    const write = (e: LiveEvent) => {
      if (e.type === 'end') {
        out.end(sse('end', presentRun(e.run)))
        stop?.()
      } else if (e.type === 'log') out.write(sse('log', { stream: e.stream, data: e.data }))
      else if (e.type === 'chunk') out.write(sse('chunk', e.data))
    }
    const stop = ctx.runs.follow(run.id, write)
    if (!stop) {
      for (const l of await ctx.elements.storage.listRunLogs(run.id))
        out.write(sse('log', { stream: l.stream, data: l.data }))
      out.end(sse('end', presentRun((await ctx.runs.get(run.id)) ?? run)))
    } else {
      out.on('close', stop)
    }
    return out
  },
})
