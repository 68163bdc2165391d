// Prometheus metrics for the HTTP surface: request count, latency histogram and error codes.
// Routes are labelled by operation, never by raw URL, to keep cardinality bounded.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { Counter, collectDefaultMetrics, Histogram, type Registry } from 'prom-client'
import type { Authenticator } from '../auth/api-keys.ts'
import { E, PlatformError } from '../errors.ts'

export class HttpMetrics {
  readonly registry: Registry
  private readonly requests: Counter
  private readonly latency: Histogram
  readonly errors: Counter

  constructor(registry: Registry) {
    this.registry = registry
    collectDefaultMetrics({ register: registry, prefix: 'periodic_' })

    this.requests = new Counter({
      name: 'periodic_http_requests_total',
      help: 'HTTP requests by method, route and status',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    })
    this.latency = new Histogram({
      name: 'periodic_http_request_duration_seconds',
      help: 'HTTP request latency',
      labelNames: ['method', 'route'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers: [registry],
    })
    this.errors = new Counter({
      name: 'periodic_http_errors_total',
      help: 'Error responses by catalogue code',
      labelNames: ['code'],
      registers: [registry],
    })
  }

  install(app: FastifyInstance, routeOf: (req: FastifyRequest) => string): void {
    app.addHook('onResponse', async (req, reply) => {
      const route = routeOf(req)
      this.requests.inc({ method: req.method, route, status: String(reply.statusCode) })
      this.latency.observe({ method: req.method, route }, reply.elapsedTime / 1000)
    })
  }
}

/**
 * GET /metrics. Element metrics carry circle and element slugs as labels, so a scrape lists every
 * tenant's elements: it needs the bootstrap admin key (`Authorization: Bearer`, as Prometheus'
 * `authorization` scrape setting sends it) unless `public` (PERIODIC_METRICS_PUBLIC=true) opens it.
 */
export function registerMetricsRoute(
  app: FastifyInstance,
  deps: { registry: Registry; auth: Authenticator; public: boolean },
): void {
  app.get('/metrics', async (req, reply) => {
    if (!deps.public) {
      const actor = await deps.auth.authenticate(req.headers.authorization)
      if (!actor)
        throw new PlatformError(
          E.AUTH_REQUIRED,
          '/metrics needs the admin key (Authorization: Bearer <admin key>) unless PERIODIC_METRICS_PUBLIC=true',
        )
      if (!actor.platformAdmin)
        throw new PlatformError(
          E.FORBIDDEN,
          '/metrics spans every circle: only the admin key may scrape it',
          {
            required: 'platform_admin',
          },
        )
    }
    reply.type(deps.registry.contentType)
    return deps.registry.metrics()
  })
}
