// Serves the engine's http triggers at /http/{circle}{api_path}: any method, any body type
// (kept raw for HMAC checks; JSON bodies parsed; large other bodies streamed to the function),
// answered with what the function returns or streams.
import type { Readable } from 'node:stream'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import sjson from 'secure-json-parse'
import type { EngineCaller } from '../engine/engine.ts'
import { ENGINE } from '../engine/engine-codes.ts'
import { asEngineError } from '../engine/engine-error.ts'
import { AuthRefused, type HttpTriggers } from '../engine/http-triggers.ts'
import { E, PlatformError } from '../errors.ts'
import { JSON_DEPTH, jsonTextTooDeep, tooDeepMessage } from '../json-depth.ts'
import type { Json } from '../storage/storage.ts'
import { readBodyHead, readBodyRest, STREAM_ABOVE } from './trigger-body.ts'

export interface EngineHttpDeps {
  httpTriggers: HttpTriggers
  /** The circle id of a live circle slug. */
  circleIdOf(slug: string): Promise<string | undefined>
  /** Serve one circle's triggers at the root of the server (an iii config's iii-http port). */
  rootCircle?: string
  /** How long a function may take before 504 (default: the engine timeout). */
  timeoutMs?: number
}

const JSON_TYPE = /^application\/([\w.+-]+\+)?json\s*(;|$)/i
const TEXT_TYPE = /^(text\/|application\/(x-www-form-urlencoded|xml))/i

function parseJson(text: string): Json {
  if (jsonTextTooDeep(text)) throw new PlatformError(JSON_DEPTH.JSON_TOO_DEEP, tooDeepMessage('the body'))
  return sjson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' }) as Json
}

/** JSON bodies parsed; text (and `curl -d`'s form type) parsed as JSON when it is JSON; else base64. */
function bodyOf(req: FastifyRequest, raw: Buffer): Json {
  if (raw.length === 0) return null
  const type = String(req.headers['content-type'] ?? '')
  if (JSON_TYPE.test(type)) {
    try {
      return parseJson(raw.toString('utf8'))
    } catch (err) {
      if (err instanceof PlatformError) throw err
      const message = err instanceof Error ? err.message : String(err)
      if (/prototype/i.test(message))
        throw new PlatformError(E.FORBIDDEN_KEY, 'the body contains a __proto__ or constructor.prototype key')
      throw new PlatformError(E.INVALID_JSON, `the body is not valid JSON: ${message.slice(0, 200)}`)
    }
  }
  if (type === '' || TEXT_TYPE.test(type)) {
    const text = raw.toString('utf8')
    try {
      return parseJson(text)
    } catch {
      return text
    }
  }
  return raw.toString('base64')
}

export function registerEngineHttpRoute(app: FastifyInstance, deps: EngineHttpDeps): void {
  app.register(async (scope) => {
    // The raw request stream for every content type: read here, held whole when small (HMAC
    // signs the body exactly as sent) and streamed to the function when large.
    scope.removeAllContentTypeParsers()
    scope.addContentTypeParser('*', (_req, payload, done) => done(null, payload))
    const bodyLimit = app.initialConfig.bodyLimit ?? 1024 * 1024
    const handler = async (
      req: FastifyRequest<{ Params: { circle: string; '*': string } }>,
      reply: FastifyReply,
    ) => {
      const circleSlug = deps.rootCircle ?? req.params.circle
      const path = `/${req.params['*'] ?? ''}`
      const notFound = () =>
        new PlatformError(
          ENGINE.ENGINE_ROUTE_NOT_FOUND,
          `no http trigger for ${req.method} ${path.slice(0, 200)} in "${circleSlug.slice(0, 80)}"`,
        )
      const circleId = /^[a-z0-9][a-z0-9-]{0,62}$/.test(circleSlug)
        ? await deps.circleIdOf(circleSlug)
        : undefined
      if (!circleId) throw notFound()
      const payload = req.body as Readable | undefined
      // JSON is parsed, so read whole (within the body limit); anything else streams past 1 MiB.
      const isJson = JSON_TYPE.test(String(req.headers['content-type'] ?? ''))
      const { head: raw, rest } = payload
        ? await readBodyHead(
            payload,
            isJson ? null : Math.min(STREAM_ABOVE, bodyLimit),
            bodyLimit,
            Number(req.headers['content-length'] ?? 0),
          )
        : { head: Buffer.alloc(0), rest: null }
      const caller: EngineCaller = {
        circleId,
        circleSlug,
        keyId: 'http-trigger',
        canRead: true,
        canWrite: true,
        canExecute: true,
      }
      let out: Awaited<ReturnType<HttpTriggers['handle']>>
      try {
        out = await deps.httpTriggers.handle(
          circleSlug,
          {
            method: req.method,
            path,
            query: req.query as Record<string, string | string[]>,
            headers: req.headers,
            rawBody: raw,
            // iii hands a streamed body over as null: it is read from `request_body`.
            body: rest ? null : bodyOf(req, raw),
            ...(rest
              ? { bodyRest: rest, collectRest: () => readBodyRest(rest, bodyLimit - raw.length) }
              : {}),
          },
          caller,
          deps.timeoutMs,
        )
      } catch (err) {
        if (err instanceof PlatformError) throw err
        if (err instanceof AuthRefused)
          throw new PlatformError(
            err.kind === 'signature'
              ? ENGINE.ENGINE_SIGNATURE_INVALID
              : err.kind === 'missing'
                ? E.AUTH_REQUIRED
                : E.AUTH_INVALID,
            err.message,
          )
        const e = asEngineError(err)
        const def =
          e.code === 'timeout'
            ? ENGINE.ENGINE_TIMEOUT
            : e.code === 'function_not_found'
              ? ENGINE.ENGINE_FUNCTION_UNAVAILABLE
              : ENGINE.ENGINE_FUNCTION_FAILED
        throw new PlatformError(def, e.message, { function_error: e.code })
      }
      if (!out) throw notFound()
      for (const [k, v] of Object.entries(out.headers))
        if (!['content-length', 'transfer-encoding', 'connection'].includes(k)) reply.header(k, v)
      reply.code(out.status)
      if (out.stream) return reply.send(out.stream)
      if (out.body === undefined || out.body === null) return reply.send()
      if (typeof out.body === 'string') {
        if (!reply.hasHeader('content-type')) reply.type('text/plain; charset=utf-8')
        return reply.send(out.body)
      }
      return reply.type('application/json; charset=utf-8').send(JSON.stringify(out.body))
    }
    if (deps.rootCircle) {
      scope.all('/', handler)
      scope.all('/*', handler)
      return
    }
    scope.all('/http/:circle', handler)
    scope.all('/http/:circle/*', handler)
  })
}
