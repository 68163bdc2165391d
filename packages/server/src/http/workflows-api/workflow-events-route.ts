// POST /api/v1/events: a CloudEvent into the key's circle, for workflows that `listen` and
// automations started `on` events. Structured mode (a JSON body, `application/cloudevents+json`
// or `application/json`, with specversion 1.0) or binary mode (`ce-*` headers, the body as data).
import { randomUUID } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import type { Authenticator } from '../../auth/api-keys.ts'
import { requireActor, requireScope } from '../../auth/require-actor.ts'
import type { ElementService } from '../../elements/element-service.ts'
import { WORKFLOW_RUN } from '../../elements/workflow/workflow-errors.ts'
import { MAX_EVENT_BYTES } from '../../elements/workflow/workflow-events.ts'
import type { WorkflowRuntime } from '../../elements/workflow/workflow-runtime.ts'
import { E, PlatformError } from '../../errors.ts'
import type { Json, JsonObject } from '../../storage/storage.ts'
import type { CloudEvent } from '../../workflows/workflow-host.ts'

export interface EventsRouteDeps {
  elements: ElementService
  auth: Authenticator
}

const invalid = (message: string) => new PlatformError(WORKFLOW_RUN.WORKFLOW_EVENT_INVALID, message)
const attr = (v: unknown) => typeof v === 'string' && v.length > 0 && v.length <= 1024

/** The CloudEvent a request carries, in either content mode. */
export function cloudEventOf(
  headers: Record<string, string | string[] | undefined>,
  body: unknown,
): CloudEvent {
  const h = (name: string) => {
    const v = headers[name]
    return Array.isArray(v) ? v[0] : v
  }
  let e: JsonObject
  if (h('ce-type') !== undefined || h('ce-source') !== undefined) {
    e = { specversion: h('ce-specversion') ?? '1.0', data: (body ?? null) as Json }
    for (const [k, v] of Object.entries(headers))
      if (k.startsWith('ce-') && typeof v === 'string') e[k.slice(3)] = v
    const ct = h('content-type')
    if (ct) e['datacontenttype'] = ct.split(';')[0]!
  } else {
    if (!body || typeof body !== 'object' || Array.isArray(body))
      throw invalid('the body must be a CloudEvent (a JSON object)')
    e = { ...(body as JsonObject) }
  }
  if ((e['specversion'] ?? '1.0') !== '1.0') throw invalid('specversion must be "1.0"')
  if (!attr(e['type']) || !attr(e['source']))
    throw invalid('a CloudEvent needs string `type` and `source` (1–1024 characters)')
  if (e['id'] !== undefined && !attr(e['id'])) throw invalid('`id` must be a string of 1–1024 characters')
  if (Buffer.byteLength(JSON.stringify(e)) > MAX_EVENT_BYTES)
    throw invalid(`an event may hold at most ${MAX_EVENT_BYTES} bytes`)
  return {
    ...e,
    specversion: '1.0',
    id: typeof e['id'] === 'string' ? e['id'] : randomUUID(),
    source: e['source'] as string,
    type: e['type'] as string,
    time: typeof e['time'] === 'string' ? e['time'] : new Date().toISOString(),
  }
}

export function registerWorkflowEventsRoute(app: FastifyInstance, deps: EventsRouteDeps): void {
  app.post('/api/v1/events', async (req, reply) => {
    const actor = await requireActor(deps.auth, req.headers.authorization)
    requireScope(actor, 'execute', 'publish an event')
    const q = req.query as Record<string, unknown>
    let circleId = actor.circleId
    if (circleId === null) {
      if (typeof q['circle'] !== 'string')
        throw new PlatformError(
          E.VALIDATION_FAILED,
          'the platform admin key names the circle: ?circle=<slug>',
        )
      const circle = await deps.elements.records.findCircle(q['circle'])
      if (!circle) throw new PlatformError(E.CIRCLE_NOT_FOUND, `no circle ${q['circle'].slice(0, 64)}`)
      circleId = circle.id
    }
    const event = cloudEventOf(req.headers, req.body)
    const runtime = deps.elements.registry.runtimeOf('workflow') as WorkflowRuntime | undefined
    if (!runtime) throw new PlatformError(E.NOT_FOUND, 'workflows are not enabled on this server')
    await runtime.announce(circleId, event)
    return reply.code(202).send({ id: event.id, type: event.type, source: event.source, time: event.time })
  })
}
