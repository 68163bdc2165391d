// run_stream: follow one run live as Server-Sent Events — `log` lines as they are printed,
// `chunk` items a generator handler yields, then `end` with the final run. A finished run
// replays its stored logs and ends at once; one another node runs is followed until it ends.
import { followRun } from '../../runs/run-follower.ts'
import { presentRun } from '../../runs/run-json.ts'
import { SSE_HEADERS, sseStream } from '../../sse-stream.ts'
import { pythonOperation } from './python-operation.ts'
import { runOfElement } from './run-of-element.ts'

export const streamOperation = pythonOperation({
  name: 'run_stream',
  path: 'runs/:run_id/stream',
  method: 'GET',
  auth: 'read',
  summary: 'Follow a run live (text/event-stream): log, chunk and end events',
  allowWhenDisabled: true,
  async handler(ctx) {
    const run = await runOfElement(ctx, ctx.params['run_id']!)
    const sse = sseStream()
    for (const [k, v] of Object.entries(SSE_HEADERS)) ctx.reply.header(k, v)
    sse.send('status', { status: run.status })
    const stop = followRun(ctx.runs, (id) => ctx.runs.logs(id), run, {
      log: (stream, data) => sse.send('log', { stream, data }),
      chunk: (e) => sse.send('chunk', e.data),
      end: (r) => sse.end('end', presentRun(r)),
    })
    sse.onClose(stop)
    return sse.body
  },
})
