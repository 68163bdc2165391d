// An iii config's `iii-http` worker: one circle's http triggers served at the root of their own
// port (`POST /orders` rather than `/http/{circle}/orders`), with the platform's error envelope.
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify'
import type { HttpTriggers } from '../engine/http-triggers.ts'
import { E, PlatformError } from '../errors.ts'
import { registerEngineHttpRoute } from './engine-http-route.ts'
import { sendError } from './error-envelope.ts'

export interface IiiHttpOptions {
  httpTriggers: HttpTriggers
  circleId: string
  circleSlug: string
  host: string
  port: number
  timeoutMs: number | null
  bodyLimit: number
  logger: FastifyBaseLogger
}

export async function startIiiHttpServer(o: IiiHttpOptions): Promise<{ app: FastifyInstance; port: number }> {
  const app: FastifyInstance = Fastify({
    loggerInstance: o.logger,
    bodyLimit: o.bodyLimit,
    logController: new LogController({ disableRequestLogging: true }),
    routerOptions: { maxParamLength: 500 },
    frameworkErrors: (err, req, reply) => sendError(req, reply, err),
  })
  app.setErrorHandler((err, req, reply) => sendError(req, reply, err))
  app.setNotFoundHandler((req, reply) =>
    sendError(req, reply, new PlatformError(E.NOT_FOUND, `no route for ${req.method}`)),
  )
  registerEngineHttpRoute(app, {
    httpTriggers: o.httpTriggers,
    circleIdOf: async (slug) => (slug === o.circleSlug ? o.circleId : undefined),
    rootCircle: o.circleSlug,
    ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}),
  })
  await app.listen({ port: o.port, host: o.host })
  const a = app.server.address()
  return { app, port: typeof a === 'object' && a ? a.port : o.port }
}
