// The runs API: every run of every element in the key's circle at /api/v1/runs — create (with
// waiting and Idempotency-Key), list with filters and a cursor, get (with expansions and a long
// poll), cancel and rerun. Its events stream is in run-events-route.ts.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Actor } from '../../auth/actor.ts'
import { canSeeCircle } from '../../auth/actor.ts'
import type { Authenticator } from '../../auth/api-keys.ts'
import { requireActor, requireScope } from '../../auth/require-actor.ts'
import type { ElementService } from '../../elements/element-service.ts'
import type { RateLimitModifiers } from '../../elements/rate-limit/modifier-limits.ts'
import { validateInput } from '../../elements/validation.ts'
import { E, PlatformError } from '../../errors.ts'
import { idempotencyKeyOf, requestHash, withIdempotencyKey } from '../../runs/idempotency.ts'
import { RUN } from '../../runs/run-errors.ts'
import { encodeCursor } from '../../runs/run-json.ts'
import { requestClient } from '../../runs/run-origin.ts'
import { isTerminal, type RunService } from '../../runs/run-service.ts'
import type {
  ElementRecords,
  ElementRow,
  IdempotencyRecords,
  Json,
  RunAnnotationRecords,
  RunRow,
} from '../../storage/storage.ts'
import { traceHeaders } from '../../trace-context.ts'
import { isUuid } from '../../uuid.ts'
import { parseExpand, presentApiRun } from './run-expansions.ts'
import { stageRequestFiles } from './run-files-body.ts'
import { runQueryOf } from './run-list-filters.ts'
import { ElementSummaries, resolveTarget } from './run-targets.ts'
import {
  createRunBody,
  createRunQuery,
  getRunQuery,
  listRunsQuery,
  rerunBody,
  rerunQuery,
} from './runs-api-schemas.ts'
import { startElementRun } from './start-element-run.ts'

/** What the runs API writes itself: annotations, Idempotency-Keys and run activity rows. */
export type RunsApiStore = RunAnnotationRecords & IdempotencyRecords & Pick<ElementRecords, 'insertActivity'>

export interface RunsApiDeps {
  elements: ElementService
  runs: RunService
  runStore: RunsApiStore
  auth: Authenticator
  /** Rate-limit modifiers on the target: a run start (not an idempotent replay) takes a token. */
  rateLimits?: RateLimitModifiers
}

/** The run `id` when the actor's circle holds it; RUN_NOT_FOUND otherwise (never 403: no leak). */
export async function visibleRun(deps: RunsApiDeps, actor: Actor, id: string): Promise<RunRow> {
  const run = isUuid(id) ? await deps.runs.get(id) : undefined
  if (!run || !canSeeCircle(actor, run.circle_id))
    throw new PlatformError(RUN.RUN_NOT_FOUND, `no run ${id.slice(0, 64)}`)
  return run
}

export async function authenticated(deps: RunsApiDeps, req: FastifyRequest): Promise<Actor> {
  return requireActor(deps.auth, req.headers.authorization)
}

function copy<T extends object>(v: unknown): T {
  return { ...(v as T) }
}

const location = (id: string) => `/api/v1/runs/${id}`

/** 200 when the run has ended, else 202 (or 201 when the caller did not wait) with Location. */
async function answerWithRun(
  deps: RunsApiDeps,
  reply: FastifyReply,
  run: RunRow,
  waitS: number,
  replayed: boolean,
) {
  const current = waitS > 0 ? await deps.runs.wait(run, waitS * 1000) : ((await deps.runs.get(run.id)) ?? run)
  const body = presentApiRun(current, await new ElementSummaries(deps.elements).of(current.element_id))
  if (replayed) reply.header('idempotent-replayed', 'true')
  if (isTerminal(current.status)) return reply.code(waitS > 0 || replayed ? 200 : 201).send(body)
  reply.header('location', location(run.id))
  if (waitS === 0) return reply.code(201).send(body)
  reply.header('retry-after', '1')
  return reply.code(202).send(body)
}

export function registerRunsRoutes(app: FastifyInstance, deps: RunsApiDeps): void {
  app.post('/api/v1/runs', async (req, reply) => {
    const actor = await authenticated(deps, req)
    const query = copy<Record<string, unknown>>(req.query)
    validateInput(createRunQuery, query, { query: true })
    const body = (req.body ?? {}) as {
      target: string
      operation: string
      input?: Json
      version?: string
      ref?: string
      batch_id?: string
      example_id?: string
    }
    validateInput(createRunBody, body)
    const key = idempotencyKeyOf(req.headers['idempotency-key'])
    const element = await resolveTarget(deps.elements, actor, body.target)
    requireScope(actor, 'execute', body.operation)
    const input = body.input === undefined ? {} : body.input
    const ref = body.version ?? body.ref
    const waitS = Number(query['wait_for_completion'])
    const labels = {
      ...(body.batch_id ? { batch_id: body.batch_id } : {}),
      ...(body.example_id ? { example_id: body.example_id } : {}),
    }
    const start = async () => {
      await deps.rateLimits?.admit(element, actor)
      // multipart/form-data: the file parts are staged for the runtime to adopt (run-files-body.ts).
      const upload = await stageRequestFiles(deps.elements.config?.dataDir, req.body)
      const info = {
        key_id: actor.keyId,
        request_id: req.id,
        source: requestClient(req.headers),
        ...traceHeaders(req.headers),
        ...(key ? { idempotency_key: key } : {}),
        ...labels,
        ...upload,
      }
      // Staged files are on this node's disk: such a run runs here, like one the caller waits for.
      const waiting = waitS > 0 || Object.keys(upload).length > 0
      return startElementRun(deps.elements, element, body.operation, input, 'api', info, { waiting, ref })
    }
    if (!key) return answerWithRun(deps, reply, await start(), waitS, false)
    const hash = requestHash({
      target: element.id,
      operation: body.operation,
      input,
      ...(ref ? { ref } : {}),
      ...labels,
    })
    const { runId, replayed } = await withIdempotencyKey(
      deps.runStore,
      element.circle_id,
      key,
      hash,
      async () => (await start()).id,
    )
    const run = await deps.runs.get(runId)
    if (!run) throw new PlatformError(RUN.RUN_NOT_FOUND, `the run of this Idempotency-Key (${runId}) is gone`)
    return answerWithRun(deps, reply, run, waitS, replayed)
  })

  app.get('/api/v1/runs', async (req) => {
    const actor = await authenticated(deps, req)
    requireScope(actor, 'read', 'list runs')
    const q = copy<Record<string, unknown>>(req.query)
    validateInput(listRunsQuery, q, { query: true })
    const { query, scope } = await runQueryOf(deps.elements, actor, q as never)
    const rows = await deps.runs.list({ ...query, limit: query.limit + 1 })
    const page = rows.slice(0, query.limit)
    const hasMore = rows.length > query.limit
    const summaries = new ElementSummaries(deps.elements)
    return {
      runs: await Promise.all(page.map(async (r) => presentApiRun(r, await summaries.of(r.element_id)))),
      next_cursor: hasMore ? encodeCursor(page[page.length - 1]!, scope) : null,
      has_more: hasMore,
    }
  })

  app.get<{ Params: { id: string } }>('/api/v1/runs/:id', async (req) => {
    const actor = await authenticated(deps, req)
    const q = copy<{ expand?: string; wait: number }>(req.query)
    validateInput(getRunQuery, q, { query: true })
    let run = await visibleRun(deps, actor, req.params.id)
    requireScope(actor, 'read', 'get run')
    if (q.wait > 0 && !isTerminal(run.status)) run = await deps.runs.wait(run, q.wait * 1000)
    const expand = parseExpand(q.expand)
    const summary = await new ElementSummaries(deps.elements).of(run.element_id)
    const runtime = summary.element_type ? deps.elements.registry.runtimeOf(summary.element_type) : undefined
    const steps = expand.has('execution') ? await runtime?.runSteps?.(run) : undefined
    return presentApiRun(run, summary, expand, steps)
  })

  app.post<{ Params: { id: string } }>('/api/v1/runs/:id/cancel', async (req) => {
    const actor = await authenticated(deps, req)
    const run = await visibleRun(deps, actor, req.params.id)
    requireScope(actor, 'execute', 'cancel run')
    const final = await deps.runs.cancelAndWait(run)
    return presentApiRun(final, await new ElementSummaries(deps.elements).of(final.element_id))
  })

  app.post<{ Params: { id: string } }>('/api/v1/runs/:id/rerun', async (req, reply) => {
    const actor = await authenticated(deps, req)
    const query = copy<{ wait_for_completion: number; version?: string }>(req.query)
    validateInput(rerunQuery, query, { query: true })
    const body = copy<{ version: 'original' | 'latest' }>(req.body ?? {})
    validateInput(rerunBody, body)
    const version = query.version ?? body.version
    const waitS = query.wait_for_completion
    const source = await visibleRun(deps, actor, req.params.id)
    requireScope(actor, 'execute', 'rerun')
    const current = await deps.elements.records.getElement(source.element_id)
    if (!current)
      throw new PlatformError(E.ELEMENT_NOT_FOUND, `the element of run ${source.id} has been deleted`, {
        element_id: source.element_id,
      })
    // `original`: the source run's commit; a run from before runs recorded one, its version.
    const pinned = version === 'original' && !source.source_commit
    const element = pinned ? await atVersion(deps, current, source.element_version) : current
    // `latest`: the default branch; any other name: that branch, tag or commit.
    const ref =
      version === 'original' ? (source.source_commit ?? null) : version === 'latest' ? undefined : version
    await deps.rateLimits?.admit(element, actor)
    const info = {
      key_id: actor.keyId,
      request_id: req.id,
      ...traceHeaders(req.headers),
      source: requestClient(req.headers),
      rerun_of: source.id,
      version,
      // A rerun is of the same example; it is not part of the source run's batch.
      ...(source.example_id ? { example_id: source.example_id } : {}),
    }
    const run = await startElementRun(deps.elements, element, source.operation, source.input, 'rerun', info, {
      ref,
      waiting: waitS > 0,
    })
    return answerWithRun(deps, reply, run, waitS, false)
  })
}

/** The element as it was at `version`: that version's stored spec on the current row. */
async function atVersion(deps: RunsApiDeps, current: ElementRow, version: number): Promise<ElementRow> {
  if (current.version === version) return current
  const v = await deps.elements.records.getVersion(current.id, version)
  if (!v)
    throw new PlatformError(E.VERSION_NOT_FOUND, `"${current.slug}" has no version ${version}`, { version })
  return { ...current, version: v.version, spec: v.spec, name: v.name, intention: v.intention }
}
