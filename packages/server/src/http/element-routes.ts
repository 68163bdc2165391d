// The one element surface: /api/{circle}/{element_path}[/ops/{operation}]. Resolves the element,
// finds the operation (type's own first, then generic), checks the auth level, validates the
// input against the operation's schema and runs the handler.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Actor } from '../auth/actor.ts'
import type { Authenticator } from '../auth/api-keys.ts'
import { requireActor as requireActorOf } from '../auth/require-actor.ts'
import type { HttpMethod } from '../elements/element.ts'
import { operationPath } from '../elements/element.ts'
import type { CreateInput, ElementService } from '../elements/element-service.ts'
import { createInput } from '../elements/generic/lifecycle-operations.ts'
import { callOperation } from '../elements/operation-call.ts'
import type { RateLimitModifiers } from '../elements/rate-limit/modifier-limits.ts'
import { RESERVED_SLUGS } from '../elements/spec-merge.ts'
import { validateInput } from '../elements/validation.ts'
import { E, PlatformError } from '../errors.ts'
import type { RunService } from '../runs/run-service.ts'

const ELEMENT_PATH_METHODS: Partial<Record<HttpMethod, string>> = {
  GET: 'get',
  POST: 'create',
  PATCH: 'update',
  DELETE: 'delete',
}

export interface ElementRoutesDeps {
  elements: ElementService
  runs: RunService
  auth: Authenticator
  /** Rate-limit modifiers: checked on a type's own operations, never on generic ones. */
  rateLimits?: RateLimitModifiers
  setRoute(req: FastifyRequest, label: string): void
}

function splitPath(url: string): string[] {
  const path = url.split('?')[0]!
  try {
    return path.split('/').filter(Boolean).map(decodeURIComponent)
  } catch {
    throw new PlatformError(E.VALIDATION_FAILED, 'the URL path is not valid percent-encoding', {
      field: 'path',
    })
  }
}

const requireActor = (deps: ElementRoutesDeps, req: FastifyRequest): Promise<Actor> =>
  requireActorOf(deps.auth, req.headers.authorization)

export function registerElementRoutes(app: FastifyInstance, deps: ElementRoutesDeps): void {
  const { elements } = deps

  app.get('/api', async (req) => {
    deps.setRoute(req, '/api')
    const actor = await requireActor(deps, req)
    const circles = (await elements.records.listCircles()).filter(
      (c) => actor.platformAdmin || c.id === actor.circleId,
    )
    return { circles: await Promise.all(circles.map((c) => elements.present(c))) }
  })

  app.post('/api', async (req, reply) => {
    deps.setRoute(req, '/api')
    const actor = await requireActor(deps, req)
    if (!actor.platformAdmin) {
      throw new PlatformError(E.FORBIDDEN, 'creating circles needs the platform admin key', {
        required_scope: 'platform_admin',
      })
    }
    const input = (req.body ?? {}) as Record<string, unknown>
    validateInput(createInput, input)
    if (input['element_type'] !== 'circle') {
      throw new PlatformError(
        E.VALIDATION_FAILED,
        'element_type: only circles are created at /api; POST other elements to /api/{circle}',
        {
          field: 'element_type',
        },
      )
    }
    const row = await elements.createCircle(input as unknown as CreateInput, actor)
    return reply.code(201).send(await elements.present(row))
  })

  app.all('/api/*', async (req, reply) => dispatch(deps, req, reply))
}

async function dispatch(deps: ElementRoutesDeps, req: FastifyRequest, reply: FastifyReply): Promise<unknown> {
  const { elements } = deps
  const method = (req.method === 'HEAD' ? 'GET' : req.method) as HttpMethod
  const [, circleSlug, ...rest] = splitPath(req.url)
  if (!circleSlug) throw new PlatformError(E.CIRCLE_NOT_FOUND, 'no circle in the path')
  // No circle has a reserved slug: `/api/v1/…` reaching here matched no API route (e.g. a path
  // parameter longer than the router takes), which is a missing route, not a missing circle.
  if (RESERVED_SLUGS.has(circleSlug))
    throw new PlatformError(E.NOT_FOUND, `no route for ${req.method} ${req.url.split('?')[0]!.slice(0, 200)}`)
  const opsAt = rest.indexOf('ops')
  const elementSegments = opsAt >= 0 ? rest.slice(0, opsAt) : rest
  let opSegments = opsAt >= 0 ? rest.slice(opsAt + 1) : undefined
  if (!opSegments) {
    const name = ELEMENT_PATH_METHODS[method]
    if (!name)
      throw new PlatformError(E.METHOD_NOT_ALLOWED, `${method} is not supported on an element path`, {
        allowed: Object.keys(ELEMENT_PATH_METHODS),
      })
    opSegments = [name]
  }
  deps.setRoute(req, `/api/{circle}/{element}/ops/${opSegments[0] ?? ''}`)

  // Authenticate before resolving so an anonymous caller learns nothing about what exists.
  const actor = await requireActor(deps, req)
  const element = await elements.resolve(actor, circleSlug, elementSegments)
  const type = elements.typeOf(element)
  const match = elements.registry.match(type, method, opSegments)
  if (!match) {
    const operations = elements.registry.operationsOf(type).map((op) => `${op.method} ${operationPath(op)}`)
    throw new PlatformError(
      E.OPERATION_NOT_FOUND,
      `${type.type} has no operation "${opSegments.join('/').slice(0, 100)}"`,
      {
        element_type: type.type,
        operations,
      },
    )
  }
  if ('methodMismatch' in match) {
    reply.header('allow', match.methodMismatch.join(', '))
    throw new PlatformError(
      E.METHOD_NOT_ALLOWED,
      `operation "${opSegments.join('/')}" takes ${match.methodMismatch.join(' or ')}, not ${method}`,
      {
        allowed: match.methodMismatch,
      },
    )
  }
  const { op, params } = match
  const fromQuery = method === 'GET' || (method === 'DELETE' && req.body === undefined)
  const result = await callOperation(deps, {
    actor,
    element,
    op,
    params,
    input: fromQuery ? { ...(req.query as object) } : (req.body ?? {}),
    fromQuery,
    query: { ...(req.query as object) },
    elementPath: [circleSlug, ...elementSegments].join('/'),
    requestId: req.id,
    headers: req.headers,
    reply: {
      status: (code) => reply.code(code),
      header: (name, value) => reply.header(name, value),
    },
  })
  return reply.send(result)
}
