// Builds the Fastify application: body parsing, request ids, the error envelope, metrics,
// health, the OpenAPI document, the runs and automations APIs and the element routes.
import { randomUUID } from 'node:crypto'
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyRequest,
  LogController,
} from 'fastify'
import type { Registry as MetricsRegistry } from 'prom-client'
import type { Authenticator } from '../auth/api-keys.ts'
import type { ElementService } from '../elements/element-service.ts'
import { RateLimitModifiers } from '../elements/rate-limit/modifier-limits.ts'
import { E, PlatformError } from '../errors.ts'
import type { RunService } from '../runs/run-service.ts'
import { registerAutomationsRoutes } from './automations-routes.ts'
import { registerElementRoutes } from './element-routes.ts'
import { type EngineApiDeps, registerEngineApiRoutes } from './engine-api-route.ts'
import { type EngineHttpDeps, registerEngineHttpRoute } from './engine-http-route.ts'
import { sendError, toPlatformError } from './error-envelope.ts'
import { registerGitRoutes } from './git-http-route.ts'
import { registerJsonParser } from './json-body.ts'
import { HttpMetrics, registerMetricsRoute } from './metrics.ts'
import { buildOpenApi } from './openapi.ts'
import { defaultPortalDir, registerPortalRoutes } from './portal-routes.ts'
import { registerRunAnnotationsRoutes } from './runs-api/run-annotations-routes.ts'
import { registerRunCompareRoute } from './runs-api/run-compare-route.ts'
import { registerRunDefinitionRoute } from './runs-api/run-definition-route.ts'
import { registerRunEventsRoute } from './runs-api/run-events-route.ts'
import { registerRunFilesRoutes } from './runs-api/run-files-routes.ts'
import { registerRunStepsRoute } from './runs-api/run-steps-route.ts'
import { type RunsApiStore, registerRunsRoutes } from './runs-api/runs-routes.ts'
import { registerWhoamiRoute } from './whoami-route.ts'
import { registerWorkflowEventsRoute } from './workflows-api/workflow-events-route.ts'
import { registerWorkflowsRoutes } from './workflows-api/workflows-routes.ts'

export interface AppDeps {
  elements: ElementService
  runs: RunService
  runStore: RunsApiStore
  metrics: MetricsRegistry
  auth: Authenticator
  logger: FastifyBaseLogger
  bodyLimit: number
  /** GET /metrics without the admin key (PERIODIC_METRICS_PUBLIC); off by default. */
  metricsPublic?: boolean
  /** The engine's http triggers, served at /http/{circle}{api_path}. */
  engineHttp?: EngineHttpDeps
  /** The engine's listings and queue redrive at /api/v1/engine/{circle} (the portal's engine view). */
  engineApi?: Omit<EngineApiDeps, 'auth'>
  /** The built portal served at `/`: default the workspace's packages/portal/dist; null: none. */
  portalDir?: string | null
}

const REQUEST_ID = /^[\w.:-]{1,128}$/
const NUL_IN_URL = /%00|\0/

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    loggerInstance: deps.logger,
    bodyLimit: deps.bodyLimit,
    logController: new LogController({ disableRequestLogging: true }),
    // A caller's x-request-id is kept when it is sane, so logs join up across services.
    genReqId: (req) => {
      const given = req.headers['x-request-id']
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID()
    },
    requestIdHeader: false,
    routerOptions: { maxParamLength: 500 },
    // Router failures (a path that is not valid percent-encoding) skip hooks and the error
    // handler: they get the envelope and the x-request-id header here.
    frameworkErrors: (err, req, reply) => {
      reply.header('x-request-id', req.id)
      metrics.errors.inc({ code: toPlatformError(err).code })
      sendError(req, reply, err)
    },
  })
  const routes = new WeakMap<FastifyRequest, string>()
  const metrics = new HttpMetrics(deps.metrics)
  metrics.install(app, (req) => routes.get(req) ?? req.routeOptions.url ?? 'unmatched')

  registerJsonParser(app)
  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id)
    // No slug, id or filter value holds NUL, and PostgreSQL text cannot: refused alike on both stores.
    if (req.url.startsWith('/api') && NUL_IN_URL.test(req.url))
      throw new PlatformError(E.VALIDATION_FAILED, 'the URL contains a NUL (%00) character', {
        rule: 'no_nul',
      })
  })
  app.setErrorHandler((err, req, reply) => {
    metrics.errors.inc({ code: toPlatformError(err).code })
    return sendError(req, reply, err)
  })
  app.setNotFoundHandler((req, reply) => {
    metrics.errors.inc({ code: 'NOT_FOUND' })
    return sendError(
      req,
      reply,
      new PlatformError(E.NOT_FOUND, `no route for ${req.method} ${req.url.split('?')[0]!.slice(0, 200)}`),
    )
  })

  app.get('/healthz', async () => ({ status: 'ok' }))
  registerMetricsRoute(app, {
    registry: metrics.registry,
    auth: deps.auth,
    public: deps.metricsPublic ?? false,
  })
  const openapi = buildOpenApi(deps.elements.registry)
  app.get('/api/openapi.json', async () => openapi)

  // One set of rate-limit buckets shared by element operations and runs-API starts.
  const rateLimits = new RateLimitModifiers(deps.elements)
  registerRunsRoutes(app, { ...deps, rateLimits })
  registerRunEventsRoute(app, deps)
  registerRunFilesRoutes(app, deps)
  registerRunAnnotationsRoutes(app, deps)
  registerWorkflowEventsRoute(app, deps)
  registerRunCompareRoute(app, deps)
  registerRunDefinitionRoute(app, deps)
  registerRunStepsRoute(app, deps)
  registerWorkflowsRoutes(app, deps)
  registerAutomationsRoutes(app, deps)
  registerWhoamiRoute(app, deps)
  if (deps.engineHttp) registerEngineHttpRoute(app, deps.engineHttp)
  if (deps.engineApi) registerEngineApiRoutes(app, { ...deps.engineApi, auth: deps.auth })
  registerGitRoutes(app, deps)
  registerElementRoutes(app, { ...deps, rateLimits, setRoute: (req, label) => routes.set(req, label) })
  if (deps.portalDir !== null) await registerPortalRoutes(app, deps.portalDir ?? defaultPortalDir())
  return app
}
