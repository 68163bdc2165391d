// Generic statistics and activity operations: stats (runs health of one element), batch_stats
// (per child plus a weighted aggregate) and activity (the element's event log, newest first).
import { Type } from '@sinclair/typebox'
import type { ElementRow, RunStatsRow } from '../../storage/storage.ts'
import type { ElementsPort } from '../element.ts'
import { defineOperation } from '../element.ts'

const PERIOD_DAYS = { hour: 1 / 24, day: 1, week: 7, month: 30 } as const
type Period = keyof typeof PERIOD_DAYS

const periodInput = Type.Object(
  {
    period: Type.Union(
      Object.keys(PERIOD_DAYS).map((p) => Type.Literal(p)),
      { default: 'day' },
    ),
  },
  { additionalProperties: false },
)

export function summarize(rows: RunStatsRow[], period: Period) {
  const days = PERIOD_DAYS[period]
  const runs = rows.reduce((n, r) => n + r.total, 0)
  const succeeded = rows.reduce((n, r) => n + r.succeeded, 0)
  const failed = rows.reduce((n, r) => n + r.failed, 0)
  const timed = rows.filter((r) => r.avg_duration_ms !== null)
  const timedRuns = timed.reduce((n, r) => n + r.total, 0)
  const avg = timedRuns ? timed.reduce((s, r) => s + (r.avg_duration_ms ?? 0) * r.total, 0) / timedRuns : null
  const finished = succeeded + failed
  const successRate = finished ? succeeded / finished : null
  const errorsPerDay = failed / days
  // The documented health rule: error if >5 errors/day or success <80 %, warning if any error or <95 %.
  let health: 'ok' | 'warning' | 'error' = 'ok'
  if (errorsPerDay > 5 || (successRate !== null && successRate < 0.8)) health = 'error'
  else if (errorsPerDay > 0 || (successRate !== null && successRate < 0.95)) health = 'warning'
  return {
    runs,
    succeeded,
    failed,
    runs_per_day: runs / days,
    errors_per_day: errorsPerDay,
    success_rate: successRate,
    avg_duration_ms: avg === null ? null : Math.round(avg * 100) / 100,
    health,
  }
}

const since = (period: Period) => new Date(Date.now() - PERIOD_DAYS[period] * 86_400_000).toISOString()

/** The element itself and every descendant, for scoping activity of containers. */
async function subtreeIds(svc: ElementsPort, root: ElementRow): Promise<string[]> {
  const all = await svc.records.listCircleElements(root.circle_id)
  const ids = [root.id]
  for (let i = 0; i < ids.length; i++) for (const r of all) if (r.parent_id === ids[i]) ids.push(r.id)
  return ids
}

export const statsOperations = [
  defineOperation({
    name: 'stats',
    method: 'GET',
    auth: 'read',
    summary: 'Run statistics and health for a period (hour, day, week, month; default day)',
    input: periodInput,
    allowWhenDisabled: true,
    async handler(ctx) {
      const period = ctx.input.period as Period
      const rows = await ctx.runs.stats([ctx.element.id], since(period))
      return { element_id: ctx.element.id, period, since: since(period), ...summarize(rows, period) }
    },
  }),
  defineOperation({
    name: 'batch_stats',
    method: 'GET',
    auth: 'read',
    summary: 'Run statistics for each child plus a weighted aggregate',
    input: periodInput,
    allowWhenDisabled: true,
    async handler(ctx) {
      const period = ctx.input.period as Period
      const children = await ctx.elements.records.listChildren(ctx.element.id)
      const rows = await ctx.runs.stats(
        children.map((c) => c.id),
        since(period),
      )
      const byId = new Map(rows.map((r) => [r.element_id, r]))
      return {
        period,
        children: children.map((c) => ({
          id: c.id,
          slug: c.slug,
          element_type: c.element_type,
          ...summarize(byId.has(c.id) ? [byId.get(c.id)!] : [], period),
        })),
        aggregate: summarize(rows, period),
      }
    },
  }),
  defineOperation({
    name: 'activity',
    method: 'GET',
    auth: 'read',
    summary: 'Activity events, newest first (circles: the whole circle; projects: with their members)',
    input: Type.Object(
      {
        limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
        before: Type.Optional(
          // The maximum keeps huge numbers from the database (a bigint overflow was a 500).
          Type.Integer({
            minimum: 1,
            maximum: Number.MAX_SAFE_INTEGER,
            description: 'Cursor: the `next_before` of the previous page.',
          }),
        ),
      },
      { additionalProperties: false },
    ),
    allowWhenDisabled: true,
    async handler(ctx) {
      const { element } = ctx
      const elementIds =
        element.parent_id === null
          ? undefined
          : ctx.type.container
            ? await subtreeIds(ctx.elements, element)
            : [element.id]
      const rows = await ctx.elements.records.listActivity({
        circleId: element.circle_id,
        elementIds,
        before: ctx.input.before,
        limit: ctx.input.limit + 1,
      })
      const page = rows.slice(0, ctx.input.limit)
      return {
        events: page.map((r) => ({
          id: r.seq,
          action: r.action,
          element_id: r.element_id,
          actor: r.actor,
          details: r.details,
          created_at: r.created_at,
        })),
        next_before: rows.length > ctx.input.limit ? page[page.length - 1]!.seq : null,
      }
    },
  }),
]
