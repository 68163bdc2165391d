// invoke, runs, run_get, run_cancel and logs for python elements.

import { Type } from '@sinclair/typebox'
import { decodeCursor, encodeCursor, presentRun } from '../../runs/run-json.ts'
import type { Json, RunStatus } from '../../storage/storage.ts'
import type { OperationContext } from '../element.ts'
import { validateInput } from '../validation.ts'
import { pythonOperation } from './python-operation.ts'
import { startRequestRun } from './request-run.ts'
import { runOfElement } from './run-of-element.ts'

const waitQuery = Type.Object(
  {
    wait_for_completion: Type.Number({
      minimum: 0,
      maximum: 600,
      default: 0,
      description: 'Seconds to hold the request for the result.',
    }),
  },
  { additionalProperties: true },
)

const STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const

const runOf = (ctx: OperationContext<unknown>, id: string) => runOfElement(ctx, id)

const runLocation = (ctx: OperationContext<unknown>, id: string) => `/api/${ctx.elementPath}/ops/runs/${id}`

export const invokeOperations = [
  pythonOperation({
    name: 'invoke',
    method: 'POST',
    auth: 'execute',
    summary:
      'Run the handler with a JSON payload (async: 202 + invocation_id; ?wait_for_completion=N holds up to N s)',
    description:
      'The body is the payload; a body of exactly {"payload"|"data"|"input": {...}} is unwrapped. Returns 200 with the result when the run ends within the wait, else 202 with Location; the run is never cancelled because a wait ended. ?ref= names the branch, tag (v1) or commit to run (default: live once promoted, else draft); the run records it as source_ref and source_commit.',
    input: Type.Unknown(),
    async handler(ctx) {
      const q = { ...ctx.query }
      validateInput(waitQuery, q, { query: true })
      const waitS = Number(q['wait_for_completion'] ?? 0)
      const { run } = await startRequestRun(ctx, (ctx.input ?? {}) as Json, 'api', waitS > 0)
      const final = waitS > 0 ? await ctx.runs.wait(run, waitS * 1000) : run
      const body = presentRun(final)
      if (final.status === 'succeeded' || final.status === 'failed' || final.status === 'cancelled')
        return body
      const location = runLocation(ctx, run.id)
      ctx.reply.status(202)
      ctx.reply.header('location', location)
      ctx.reply.header('retry-after', '1')
      return { ...body, location }
    },
  }),
  pythonOperation({
    name: 'runs',
    method: 'GET',
    auth: 'read',
    summary: 'Invocation history, newest first, with a cursor',
    input: Type.Object(
      {
        status: Type.Optional(Type.Union(STATUSES.map((s) => Type.Literal(s)))),
        limit: Type.Integer({ minimum: 1, maximum: 200, default: 20 }),
        cursor: Type.Optional(Type.String({ maxLength: 500 })),
      },
      { additionalProperties: false },
    ),
    allowWhenDisabled: true,
    async handler(ctx) {
      const scope = `${ctx.element.id}|${ctx.input.status ?? ''}`
      const before = ctx.input.cursor ? decodeCursor(ctx.input.cursor, scope) : undefined
      const status = ctx.input.status as RunStatus | undefined
      const rows = await ctx.runs.list({
        elementId: ctx.element.id,
        statuses: status ? [status] : undefined,
        before,
        limit: ctx.input.limit + 1,
      })
      const page = rows.slice(0, ctx.input.limit)
      const hasMore = rows.length > ctx.input.limit
      return {
        runs: page.map((r) => presentRun(r)),
        next_cursor: hasMore ? encodeCursor(page[page.length - 1]!, scope) : null,
        has_more: hasMore,
      }
    },
  }),
  pythonOperation({
    name: 'run_get',
    path: 'runs/:run_id',
    method: 'GET',
    auth: 'read',
    summary: 'One invocation with its input, output or error, its logs; streamed chunks while it runs',
    allowWhenDisabled: true,
    async handler(ctx) {
      const run = await runOf(ctx, ctx.params['run_id']!)
      const chunks = ctx.runs.chunks(run.id)
      const logs =
        ctx.runs.liveLogs(run.id) ??
        (await ctx.runs.logs(run.id)).map((l) => ({ stream: l.stream, data: l.data }))
      return { ...presentRun(run, { input: true }), logs, ...(chunks.length ? { chunks } : {}) }
    },
  }),
  pythonOperation({
    name: 'run_cancel',
    path: 'runs/:run_id/cancel',
    method: 'POST',
    auth: 'execute',
    summary: 'Cancel a queued or running invocation (a running one has its worker stopped)',
    allowWhenDisabled: true,
    async handler(ctx) {
      const run = await runOf(ctx, ctx.params['run_id']!)
      return presentRun(await ctx.runs.cancelAndWait(run))
    },
  }),
  pythonOperation({
    name: 'logs',
    method: 'GET',
    auth: 'read',
    summary: 'Per-run stdout/stderr: one run with ?run_id=, else the latest runs',
    input: Type.Object(
      {
        run_id: Type.Optional(Type.String({ maxLength: 64 })),
        limit: Type.Integer({ minimum: 1, maximum: 50, default: 10 }),
      },
      { additionalProperties: false },
    ),
    allowWhenDisabled: true,
    async handler(ctx) {
      const runs = ctx.input.run_id
        ? [await runOf(ctx, ctx.input.run_id)]
        : await ctx.runs.list({ elementId: ctx.element.id, limit: ctx.input.limit })
      const out = await Promise.all(
        runs.map(async (r) => ({
          run_id: r.id,
          status: ctx.runs.overlay(r).status,
          created_at: r.created_at,
          truncated: r.logs_truncated,
          logs: (await ctx.runs.logs(r.id)).map((l) => ({
            stream: l.stream,
            data: l.data,
          })),
        })),
      )
      return { runs: out }
    },
  }),
  pythonOperation({
    name: 'diagnostics',
    method: 'GET',
    auth: 'read',
    summary:
      'The sandbox executor, its guarantees and health, this element’s worker pools, and what its layers name now',
    allowWhenDisabled: true,
    async handler(ctx) {
      const rt = ctx.runtime
      // Health first: it probes the sandbox (egress included) and corrects the guarantees.
      const health = await rt.health()
      const circle = await ctx.elements.circleSlug(ctx.element.circle_id)
      const layers = await rt.layerMounts.describe(ctx.element, circle)
      return { ...rt.diagnostics(ctx.element), health, layers }
    },
  }),
]
