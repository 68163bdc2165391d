// The `http` trigger type: routes `{http_method} /http/{circle}{api_path}` (with `:name` or
// `{name}` path parameters; `api_path` with or without its leading slash, as on iii) to a function,
// checking the trigger's own auth config, its condition and its middleware first.
// The function gets iii's HttpRequest and answers with {status_code, headers, body}.

import { createHmac, timingSafeEqual } from 'node:crypto'
import type { Readable } from 'node:stream'
import type { Json, JsonObject } from '../storage/storage.ts'
import { formatTraceparent, newSpanId, newTraceId, traceHeaders } from '../trace-context.ts'
import { narrowToTrigger } from './change-triggers.ts'
import type { Engine, EngineCaller, RegisteredTrigger, TriggerTypeHandler } from './engine.ts'
import { EngineError } from './engine-error.ts'
import { parseMiddleware, runMiddleware } from './http-middleware.ts'
import type { HttpResponseOut } from './http-response.ts'
import { type BodyChannels, invokeHttpFunction } from './http-stream-response.ts'

export type { BodyChannels, HttpResponseOut }

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']
const SIGNATURE_WINDOW_S = 300

/** none (default), a circle API key, or one of iii's HttpAuth schemes; `*_key` names a secret. */
export type HttpTriggerAuth =
  | { type: 'none' }
  | { type: 'api_key_circle' }
  | { type: 'bearer'; token_key: string }
  | { type: 'api_key'; header: string; value_key: string }
  | { type: 'hmac'; secret_key: string }

interface Route {
  trigger: RegisteredTrigger
  method: string
  /** The api_path as registered (iii hands it over as `trigger.path`). */
  apiPath: string
  segments: string[]
  auth: HttpTriggerAuth
  condition: string | null
  middleware: string[]
}

export interface HttpRequestIn {
  method: string
  /** The path after `/http/{circle}`, starting with `/`. */
  path: string
  query: Record<string, string | string[]>
  headers: Record<string, string | string[] | undefined>
  /** The whole body, or its first bytes when `bodyRest` is set. */
  rawBody: Buffer
  body: Json
  /** The rest of a body too large to hold, still arriving: streamed to the function. */
  bodyRest?: Readable | null
  /** Reads `bodyRest` to its end (within the platform's body limit), for a signed route. */
  collectRest?: () => Promise<Buffer>
}

export interface HttpTriggerDeps {
  /** Looks a secret up by name (the server's environment). */
  secret(name: string): string | undefined
  /** True when `authorization` carries an API key of the circle with the execute scope. */
  isCircleKey(authorization: string | undefined, circleId: string): Promise<boolean>
}

export class AuthRefused extends Error {
  constructor(
    readonly kind: 'missing' | 'invalid' | 'signature',
    message: string,
  ) {
    super(message)
  }
}

const str = (v: unknown, max = 512): v is string => typeof v === 'string' && v.length > 0 && v.length <= max

function parseAuth(raw: Json | undefined): HttpTriggerAuth {
  if (raw === undefined || raw === null) return { type: 'none' }
  const a = raw as JsonObject
  const bad = (why: string) => new EngineError('invalid_trigger_config', `http auth: ${why}`)
  if (typeof a !== 'object' || Array.isArray(a)) throw bad('must be an object with a type')
  switch (a['type']) {
    case 'none':
      return { type: 'none' }
    case 'api_key_circle':
      return { type: 'api_key_circle' }
    case 'bearer':
      if (!str(a['token_key'], 256)) throw bad('bearer needs token_key (the secret’s name)')
      return { type: 'bearer', token_key: a['token_key'] }
    case 'api_key':
      if (!str(a['value_key'], 256)) throw bad('api_key needs value_key (the secret’s name)')
      return {
        type: 'api_key',
        header: str(a['header'], 128) ? a['header'].toLowerCase() : 'x-api-key',
        value_key: a['value_key'],
      }
    case 'hmac':
      if (!str(a['secret_key'], 256)) throw bad('hmac needs secret_key (the secret’s name)')
      return { type: 'hmac', secret_key: a['secret_key'] }
    default:
      throw bad('type must be none, api_key_circle, bearer, api_key or hmac')
  }
}

function splitPath(path: string): string[] {
  return path.split('/').filter((s) => s.length > 0)
}

const safeEqual = (a: string, b: string) => {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

export class HttpTriggers implements TriggerTypeHandler {
  readonly id = 'http'
  readonly description = 'HTTP requests to /http/{circle}{api_path}'
  /** circle slug -> routes. */
  private readonly routes = new Map<string, Route[]>()
  /** Where `request_body` channels come from (the engine's channel hub, once it exists). */
  bodyChannels: BodyChannels | null = null
  /** circle slug -> iii-http's global middleware, run on every route before its condition. */
  private readonly globalMiddleware = new Map<string, string[]>()

  constructor(
    private readonly engine: Engine,
    private readonly deps: HttpTriggerDeps,
  ) {}

  register(t: RegisteredTrigger): void {
    const c = (t.config ?? {}) as JsonObject
    if (typeof c !== 'object' || Array.isArray(c))
      throw new EngineError('invalid_trigger_config', 'config must be an object')
    const path = c['api_path']
    // iii serves `test/hello` at `/test/hello`: the leading slash is optional.
    if (typeof path !== 'string' || path.length === 0 || path.length > 1024 || /[\s?#]/.test(path))
      throw new EngineError('invalid_trigger_config', 'api_path must be a URL path such as "/orders/:id"')
    const method = typeof c['http_method'] === 'string' ? c['http_method'].toUpperCase() : 'GET'
    if (!METHODS.includes(method))
      throw new EngineError('invalid_trigger_config', `http_method must be one of ${METHODS.join(', ')}`)
    const segments = splitPath(path)
    const list = this.routes.get(t.circleSlug) ?? []
    const shape = (s: string[]) => s.map((x) => (isParam(x) ? ':' : x)).join('/')
    const clash = list.find((r) => r.method === method && shape(r.segments) === shape(segments))
    if (clash)
      throw new EngineError(
        'trigger_conflict',
        `${method} ${path} is already served by ${clash.trigger.function_id}`,
      )
    const condition = c['condition_function_id']
    list.push({
      trigger: t,
      method,
      apiPath: path,
      segments,
      auth: parseAuth(c['auth']),
      condition: typeof condition === 'string' ? condition : null,
      middleware: parseMiddleware(c['middleware_function_ids']),
    })
    this.routes.set(t.circleSlug, list)
  }

  setGlobalMiddleware(circleSlug: string, ids: string[]): void {
    if (ids.length) this.globalMiddleware.set(circleSlug, ids)
    else this.globalMiddleware.delete(circleSlug)
  }

  unregister(t: RegisteredTrigger): void {
    const list = this.routes.get(t.circleSlug)
    if (list)
      this.routes.set(
        t.circleSlug,
        list.filter((r) => r.trigger !== t),
      )
  }

  /** The response, or undefined when no trigger (whose condition holds) matches. */
  async handle(
    circleSlug: string,
    req: HttpRequestIn,
    caller: EngineCaller,
    timeoutMs?: number,
  ): Promise<HttpResponseOut | undefined> {
    const method = req.method === 'HEAD' ? 'GET' : req.method
    const segments = splitPath(req.path)
    // The most literal route wins: `/orders/new` before `/orders/:id`.
    const candidates = [...(this.routes.get(circleSlug) ?? [])].sort(
      (a, b) => a.segments.filter(isParam).length - b.segments.filter(isParam).length,
    )
    // Global middleware runs once per request, whichever route's condition then holds.
    let globalContext: JsonObject | null = null
    for (const r of candidates) {
      if (r.method !== req.method && r.method !== method) continue
      const params = matchSegments(r.segments, segments)
      if (!params) continue
      await this.checkAuth(r, req, caller.circleId)
      const as = narrowToTrigger(caller, r.trigger)
      // iii's HttpRequest: one value per query key and per header (the last, as iii's maps keep).
      const request: JsonObject = {
        method: req.method,
        path: req.path,
        path_params: params,
        query_params: lastValues(req.query),
        headers: lastValues(req.headers),
      }
      const input: JsonObject = {
        ...request,
        body: req.body,
        trigger: { type: 'http', path: r.apiPath, method: req.method },
        context: {},
      }
      const metadata = r.trigger.metadata ?? undefined
      // The request's trace goes on to the function (a worker or an element's run), or one starts here.
      const trace = traceHeaders(req.headers)
      const opts = {
        ...(metadata ? { metadata } : {}),
        ...(timeoutMs ? { timeoutMs } : {}),
        traceparent: trace.traceparent ?? formatTraceparent(newTraceId(), newSpanId()),
        ...(trace.baggage ? { baggage: trace.baggage } : {}),
      }
      // iii's order: global middleware, the condition, the route's middleware, the function.
      const global = this.globalMiddleware.get(circleSlug)
      if (global && !globalContext) {
        globalContext = {}
        const early = await runMiddleware(this.engine, as, global, request, globalContext, opts)
        if (early) return early
      }
      const context: JsonObject = { ...globalContext }
      input['context'] = context
      if (r.condition && (await this.engine.invoke(as, r.condition, input)) === false) continue
      const answered = r.middleware.length
        ? await runMiddleware(this.engine, as, r.middleware, request, context, opts)
        : undefined
      if (answered) return answered
      return invokeHttpFunction(this.engine, this.bodyChannels, as, r.trigger.function_id, input, opts, {
        head: req.rawBody,
        rest: req.bodyRest ?? null,
      })
    }
    return undefined
  }

  private async checkAuth(r: Route, req: HttpRequestIn, circleId: string): Promise<void> {
    const header = (name: string) => {
      const v = req.headers[name]
      return Array.isArray(v) ? v[0] : v
    }
    const secretOf = (name: string) => {
      const s = this.deps.secret(name)
      // A trigger naming a secret the server does not hold refuses everyone.
      if (!s) throw new AuthRefused('invalid', `the trigger's secret ${name} is not configured on the server`)
      return s
    }
    switch (r.auth.type) {
      case 'none':
        return
      case 'api_key_circle':
        if (!header('authorization'))
          throw new AuthRefused('missing', 'send "Authorization: Bearer <circle API key>"')
        if (!(await this.deps.isCircleKey(header('authorization'), circleId)))
          throw new AuthRefused('invalid', 'the API key is not an execute key of this circle')
        return
      case 'bearer': {
        const got = /^Bearer\s+(\S+)\s*$/i.exec(header('authorization') ?? '')?.[1]
        if (!got) throw new AuthRefused('missing', 'send "Authorization: Bearer <token>"')
        if (!safeEqual(got, secretOf(r.auth.token_key)))
          throw new AuthRefused('invalid', 'the bearer token is wrong')
        return
      }
      case 'api_key': {
        const got = header(r.auth.header)
        if (!got) throw new AuthRefused('missing', `send the ${r.auth.header} header`)
        if (!safeEqual(got, secretOf(r.auth.value_key)))
          throw new AuthRefused('invalid', `the ${r.auth.header} value is wrong`)
        return
      }
      case 'hmac': {
        // The signature covers the whole body: a streamed one is read to its end first.
        if (req.bodyRest && req.collectRest) {
          req.rawBody = Buffer.concat([req.rawBody, await req.collectRest()])
          req.bodyRest = null
        }
        const sig = header('x-iii-signature')
        const ts = header('x-iii-timestamp')
        if (!sig || !ts || !/^\d{1,12}$/.test(ts))
          throw new AuthRefused('signature', 'send x-iii-signature and x-iii-timestamp (unix seconds)')
        if (Math.abs(Date.now() / 1000 - Number(ts)) > SIGNATURE_WINDOW_S)
          throw new AuthRefused('signature', `x-iii-timestamp is more than ${SIGNATURE_WINDOW_S} s away`)
        const expected = `sha256=${createHmac('sha256', secretOf(r.auth.secret_key))
          .update(`${ts}:${req.rawBody.toString('base64')}`)
          .digest('hex')}`
        if (!safeEqual(sig, expected))
          throw new AuthRefused('signature', 'the signature does not match the body')
        return
      }
    }
  }
}

const isParam = (s: string) => s.startsWith(':') || (s.startsWith('{') && s.endsWith('}'))

function matchSegments(pattern: string[], got: string[]): Record<string, string> | undefined {
  if (pattern.length !== got.length) return undefined
  const params: Record<string, string> = {}
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!
    const g = got[i]!
    if (isParam(p)) params[p.startsWith(':') ? p.slice(1) : p.slice(1, -1)] = g
    else if (p !== g) return undefined
  }
  return params
}

/** One string per key: iii's HttpRequest maps keep the last of repeated query keys and headers. */
function lastValues(from: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(from)) {
    const one = Array.isArray(v) ? v[v.length - 1] : v
    if (one !== undefined && k !== '__proto__') out[k] = one
  }
  return out
}
