// iii's HTTP-invoked functions: a worker registers a function with an `invocation` config
// ({url, method, headers, timeout_ms, auth}) and the engine, not the worker, calls that URL when
// the function is invoked (body = payload JSON, response JSON = result). Registrations must
// match the URL allow-list (iii's `security.url_allowlist`), be https when `require_https` says
// so, and the destination must pass the server's one outbound-address policy (src/net: no
// loopback, private, link-local … address, also after DNS and in every IPv6 disguise, unless
// PERIODIC_OUTBOUND_ALLOW lets it through; with `block_private_ips` not even then).
import { createHmac, randomUUID } from 'node:crypto'
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http'
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https'
import { checkAllowlistEntry } from '../config-parsers.ts'
import { PlatformError } from '../errors.ts'
import { jsonTextTooDeep, tooDeepMessage } from '../json-depth.ts'
import { BLOCKED_MESSAGE, hostPortOf, OutboundPolicy } from '../net/outbound-policy.ts'
import type { Json, JsonObject } from '../storage/storage.ts'
import { EngineError } from './engine-error.ts'

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const
const MAX_HEADERS = 50

export interface HttpFunctionsConfig {
  /** A URL prefix (`https://api.example.com/v1/`), a host or host glob (`api.example.com`, `*.example.com`) or `*`. */
  urlAllowlist: string[]
  maxResponseBytes: number
  /** iii's `security.require_https`: only https URLs register. */
  requireHttps: boolean
  /** iii's `security.block_private_ips`: non-public addresses are refused even where PERIODIC_OUTBOUND_ALLOW names them. */
  blockPrivateIps: boolean
}

/** Without an iii config: the allow-list of PERIODIC_HTTP_FUNCTIONS_ALLOWLIST over the server's policy. */
export const DEFAULT_HTTP_FUNCTIONS: HttpFunctionsConfig = {
  urlAllowlist: [],
  maxResponseBytes: 10 * 1024 * 1024,
  requireHttps: false,
  blockPrivateIps: false,
}

type HttpAuth =
  | { type: 'bearer'; token_key: string }
  | { type: 'api_key'; header: string; value_key: string }
  | { type: 'hmac'; secret_key: string }

/** A registration's invocation config, checked and normalized. */
export interface HttpInvocation {
  url: URL
  method: (typeof METHODS)[number]
  headers: Record<string, string>
  timeoutMs: number | null
  auth: HttpAuth | null
  /** The function id, sent as `x-iii-function-path` as iii does. */
  functionId: string
}

/** A host glob as iii matches it (`*` any run of characters, `?` one), case-insensitive. */
function globMatches(glob: string, host: string): boolean {
  const re = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.')
  return new RegExp(`^${re}$`, 'i').test(host)
}

/** Whether an allow-list entry (URL prefix, host, host:port, host glob or `*`) admits the URL. */
function matchEntry(entry: string, url: URL): boolean {
  if (entry === '*') return true
  if (entry.includes('://')) {
    let e: URL
    try {
      e = new URL(entry)
    } catch {
      return false
    }
    if (e.protocol !== url.protocol || e.host !== url.host) return false
    const base = e.pathname.endsWith('/') ? e.pathname : `${e.pathname}/`
    return url.pathname === e.pathname || url.pathname.startsWith(base)
  }
  return globMatches(entry, url.hostname) || globMatches(entry, url.host)
}

const bad = (why: string) => new EngineError('invalid_http_invocation', `invocation: ${why}`)
/** The server's own settings are never secrets a function may send out (they would leave with the call). */
const SERVER_SETTING = /^(PERIODIC_|DATABASE_URL$|REDIS_URL$)/
const keyName = (v: unknown): v is string => {
  if (typeof v !== 'string' || v.length === 0 || v.length > 256) return false
  if (SERVER_SETTING.test(v)) throw bad(`${v} is a server setting, not a secret a function may send`)
  return true
}

function parseAuth(raw: Json | undefined): HttpAuth | null {
  if (raw === undefined || raw === null) return null
  if (typeof raw !== 'object' || Array.isArray(raw)) throw bad('auth must be an object with a type')
  switch (raw['type']) {
    case 'bearer':
      if (!keyName(raw['token_key'])) throw bad('bearer auth needs token_key (the secret’s name)')
      return { type: 'bearer', token_key: raw['token_key'] }
    case 'api_key':
      if (!keyName(raw['value_key'])) throw bad('api_key auth needs value_key (the secret’s name)')
      if (typeof raw['header'] !== 'string' || !/^[A-Za-z0-9-]{1,128}$/.test(raw['header']))
        throw bad('api_key auth needs header (a header name)')
      return { type: 'api_key', header: raw['header'], value_key: raw['value_key'] }
    case 'hmac':
      if (!keyName(raw['secret_key'])) throw bad('hmac auth needs secret_key (the secret’s name)')
      return { type: 'hmac', secret_key: raw['secret_key'] }
    default:
      throw bad('auth.type must be bearer, api_key or hmac')
  }
}

function parseHeaders(raw: Json | undefined): Record<string, string> {
  if (raw === undefined || raw === null) return {}
  if (typeof raw !== 'object' || Array.isArray(raw)) throw bad('headers must be an object of strings')
  const entries = Object.entries(raw)
  if (entries.length > MAX_HEADERS) throw bad(`at most ${MAX_HEADERS} headers`)
  const out: Record<string, string> = {}
  for (const [k, v] of entries) {
    if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$/.test(k)) throw bad(`"${k.slice(0, 64)}" is not a header name`)
    if (typeof v !== 'string' || v.length > 8192 || /[\r\n\0]/.test(v))
      throw bad(`header ${k} must be a single-line string`)
    out[k.toLowerCase()] = v
  }
  return out
}

export class HttpFunctions {
  // Own connection pools: a kept-alive socket skips the lookup, so a socket another policy (or
  // another server in the process) opened must never be reused here.
  private httpAgent = new HttpAgent({ keepAlive: true })
  private httpsAgent = new HttpsAgent({ keepAlive: true })

  /** The same policy without its allow-list (block_private_ips). */
  private readonly strictPolicy: OutboundPolicy

  constructor(
    /** Looks a secret up by name (the server's environment). */
    private readonly secret: (name: string) => string | undefined,
    private config: HttpFunctionsConfig = DEFAULT_HTTP_FUNCTIONS,
    /** The server's outbound-address policy (its allow-list is PERIODIC_OUTBOUND_ALLOW). */
    private readonly policy: OutboundPolicy = new OutboundPolicy(),
  ) {
    this.strictPolicy = policy.withoutAllowList()
  }

  private get activePolicy(): OutboundPolicy {
    return this.config.blockPrivateIps ? this.strictPolicy : this.policy
  }

  /** Closes the kept-alive connections (engine shutdown). */
  destroy(): void {
    this.httpAgent.destroy()
    this.httpsAgent.destroy()
  }

  configure(c: HttpFunctionsConfig): void {
    for (const e of c.urlAllowlist) checkAllowlistEntry(e)
    // A socket kept alive under the other policy must not carry a call checked by this one.
    if (c.blockPrivateIps !== this.config.blockPrivateIps) {
      this.destroy()
      this.httpAgent = new HttpAgent({ keepAlive: true })
      this.httpsAgent = new HttpsAgent({ keepAlive: true })
    }
    this.config = c
  }

  /** Checks a registration's `invocation`; throws an EngineError to refuse it. */
  prepare(raw: JsonObject, functionId = ''): HttpInvocation {
    if (typeof raw !== 'object' || Array.isArray(raw)) throw bad('must be an object with a url')
    const rawUrl = raw['url']
    if (typeof rawUrl !== 'string' || rawUrl.length > 2048) throw bad('url must be a string')
    let url: URL
    try {
      url = new URL(rawUrl)
    } catch {
      throw bad('url is not a valid URL')
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw bad('url must be http or https')
    const method = raw['method'] ?? 'POST'
    if (typeof method !== 'string' || !(METHODS as readonly string[]).includes(method.toUpperCase()))
      throw bad(`method must be one of ${METHODS.join(', ')}`)
    const t = raw['timeout_ms']
    if (
      t !== undefined &&
      t !== null &&
      (typeof t !== 'number' || !Number.isInteger(t) || t < 1 || t > 3_600_000)
    )
      throw bad('timeout_ms must be milliseconds (1-3600000)')
    if (this.config.requireHttps && url.protocol !== 'https:')
      throw new EngineError(
        'http_url_not_allowed',
        `${url.origin}: HTTPS is required (iii-http-functions security.require_https)`,
      )
    if (!this.config.urlAllowlist.some((e) => matchEntry(e, url)))
      throw new EngineError(
        'http_url_not_allowed',
        `${url.origin} is not in the engine's HTTP function allow-list (iii-http-functions security.url_allowlist)`,
      )
    // Literal addresses are decided now; names are resolved and checked at each call.
    const { host, port } = hostPortOf(url)
    try {
      this.activePolicy.checkHostNow(host, port)
    } catch (err) {
      throw err instanceof PlatformError ? blocked() : err
    }
    return {
      url,
      method: method.toUpperCase() as HttpInvocation['method'],
      headers: parseHeaders(raw['headers']),
      timeoutMs: typeof t === 'number' ? t : null,
      auth: parseAuth(raw['auth']),
      functionId,
    }
  }

  /** Makes the call: the JSON answer below 400 is the result; 400 and above is an EngineError. */
  call(
    inv: HttpInvocation,
    data: Json,
    timeoutMs: number,
    trace: { traceparent?: string; baggage?: string } = {},
  ): Promise<Json> {
    const hasBody = inv.method !== 'GET' && inv.method !== 'DELETE'
    const body = hasBody ? Buffer.from(JSON.stringify(data)) : Buffer.alloc(0)
    const headers: Record<string, string> = {
      accept: 'application/json',
      ...(hasBody ? { 'content-type': 'application/json' } : {}),
      // What iii's invoker sends with every call.
      'x-iii-function-path': inv.functionId,
      'x-iii-invocation-id': randomUUID(),
      'x-iii-timestamp': String(Math.floor(Date.now() / 1000)),
      ...inv.headers,
      ...(trace.traceparent ? { traceparent: trace.traceparent } : {}),
      ...(trace.baggage ? { baggage: trace.baggage } : {}),
      ...this.authHeaders(inv.auth, body),
      'content-length': String(body.length),
    }
    const limit = inv.timeoutMs ?? timeoutMs
    const max = this.config.maxResponseBytes
    const target = inv.url.toString()
    return new Promise<Json>((resolve, reject) => {
      const fail = (e: EngineError) => {
        clearTimeout(timer)
        req.destroy()
        reject(e)
      }
      const send = inv.url.protocol === 'https:' ? httpsRequest : httpRequest
      const req = send(
        inv.url,
        {
          method: inv.method,
          headers,
          agent: inv.url.protocol === 'https:' ? this.httpsAgent : this.httpAgent,
          // Resolved, checked and pinned in one step: no rebinding between check and connect.
          lookup: this.activePolicy.lookupFor(hostPortOf(inv.url).port),
        },
        (res: IncomingMessage) => {
          const chunks: Buffer[] = []
          let size = 0
          res.on('data', (c: Buffer) => {
            size += c.length
            if (size > max)
              fail(new EngineError('http_response_too_large', `${target} answered more than ${max} bytes`))
            else chunks.push(c)
          })
          res.on('error', () =>
            fail(new EngineError('http_unreachable', `${target}: the response broke off`)),
          )
          res.on('end', () => {
            clearTimeout(timer)
            const text = Buffer.concat(chunks).toString('utf8')
            const status = res.statusCode ?? 0
            if (status >= 400) {
              reject(answeredError(target, status, text))
              return
            }
            if (!text) return resolve(null)
            if (jsonTextTooDeep(text)) {
              reject(new EngineError('json_too_deep', `${target}: ${tooDeepMessage('the response')}`))
              return
            }
            // As iii's invoker: a 2xx body must be JSON; a 1xx/3xx (a redirect is not followed)
            // is a success whose result is its body if that is JSON, else none.
            try {
              resolve(JSON.parse(text) as Json)
            } catch {
              if (status >= 200 && status <= 299)
                reject(
                  new EngineError(
                    'invalid_response',
                    `${target} answered ${status} with a body that is not JSON`,
                  ),
                )
              else resolve(null)
            }
          })
        },
      )
      const timer = setTimeout(
        () => fail(new EngineError('timeout', `${target} did not answer within ${limit} ms`)),
        limit,
      )
      req.on('error', (err: NodeJS.ErrnoException) =>
        fail(
          err instanceof PlatformError
            ? blocked()
            : new EngineError('http_unreachable', `${target}: ${err.message}`),
        ),
      )
      req.end(body)
    })
  }

  private authHeaders(auth: HttpAuth | null, body: Buffer): Record<string, string> {
    if (!auth) return {}
    const secretOf = (name: string) => {
      const s = this.secret(name)
      if (!s) throw new EngineError('secret_not_configured', `the secret ${name} is not set on the server`)
      return s
    }
    switch (auth.type) {
      case 'bearer':
        return { authorization: `Bearer ${secretOf(auth.token_key)}` }
      case 'api_key':
        return { [auth.header.toLowerCase()]: secretOf(auth.value_key) }
      case 'hmac': {
        // The same scheme the engine checks on inbound http triggers.
        const ts = String(Math.floor(Date.now() / 1000))
        const sig = createHmac('sha256', secretOf(auth.secret_key))
          .update(`${ts}:${body.toString('base64')}`)
          .digest('hex')
        return { 'x-iii-timestamp': ts, 'x-iii-signature': `sha256=${sig}` }
      }
    }
  }
}

/**
 * A non-2xx answer as an error: an `{error: {code, message}}` body is passed on as iii's invoker
 * does (the target's own code); anything else is `http_error` with the status and body start.
 */
function answeredError(target: string, status: number, text: string): EngineError {
  try {
    const e = (JSON.parse(text) as { error?: { code?: unknown; message?: unknown } }).error
    if (e && typeof e.code === 'string' && /^[A-Za-z0-9_.:-]{1,100}$/.test(e.code))
      return new EngineError(
        e.code,
        typeof e.message === 'string' ? e.message.slice(0, 2000) : `${target} answered ${status}`,
      )
  } catch {
    // not JSON: the generic error below
  }
  return new EngineError('http_error', `${target} answered ${status}: ${text.slice(0, 500)}`)
}

/** The policy's refusal in the engine's wire vocabulary (the detail is in the server log). */
const blocked = () => new EngineError('outbound_address_blocked', BLOCKED_MESSAGE)
