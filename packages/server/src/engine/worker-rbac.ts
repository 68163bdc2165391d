// RBAC on an extra worker port, as iii's worker_connection_manager: an auth function at upgrade,
// per-session allow/forbid lists, a registration prefix, registration hooks and a middleware.
import type { IncomingMessage } from 'node:http'
import type { Json, JsonObject } from '../storage/storage.ts'
import type { Engine } from './engine.ts'
import { asEngineError, EngineError } from './engine-error.ts'
import type { InvokeMessage, WorkerMessage } from './protocol.ts'
import type { EngineCaller, WorkerConnection } from './worker-connection.ts'

/** One `expose_functions` entry: `match("api::*")` (a glob on the id) or a metadata selector. */
export type ExposeRule = { match: string } | { metadata: JsonObject }

export interface RbacConfig {
  auth_function_id: string | null
  on_function_registration_function_id: string | null
  on_trigger_registration_function_id: string | null
  on_trigger_type_registration_function_id: string | null
  expose_functions: ExposeRule[]
}

/** What the auth function granted one connection (iii's AuthResult). */
export interface RbacSession {
  allowed: string[]
  forbidden: string[]
  /** null: every trigger type. */
  allowedTriggerTypes: string[] | null
  allowFunctionRegistration: boolean
  allowTriggerTypeRegistration: boolean
  prefix: string | null
  context: JsonObject
}

/** Always callable on an RBAC port, so the SDK's own setup, logging and channels keep working. */
const CARVE_OUT = [
  /^engine::channels::create$/,
  /^engine::workers::register$/,
  /^engine::log::/,
  /^engine::baggage::/,
]

const isObj = (v: unknown): v is JsonObject => !!v && typeof v === 'object' && !Array.isArray(v)

/** `*` matches any run of characters (`api::*`, `*::public`); everything else is literal. */
export function globMatch(pattern: string, id: string): boolean {
  if (!pattern.includes('*')) return pattern === id
  const re = pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
  return new RegExp(`^${re.join('.*')}$`, 's').test(id)
}

/** Parses one `expose_functions` entry from a config; throws a message on anything else. */
export function parseExposeRule(v: unknown): ExposeRule {
  if (typeof v === 'string') {
    const m = /^\s*match\(\s*(["'])(.*)\1\s*\)\s*$/.exec(v)
    if (m) return { match: m[2]! }
    if (!/[()"']/.test(v) && v.trim()) return { match: v.trim() }
  }
  if (isObj(v) && typeof v['match'] === 'string') return { match: v['match'] }
  if (isObj(v) && isObj(v['metadata'])) return { metadata: v['metadata'] }
  throw new Error(
    `expose_functions entries are match("pattern") or {metadata: {...}}, got ${JSON.stringify(v)}`,
  )
}

const strList = (v: Json | undefined, what: string): string[] => {
  if (v === undefined || v === null) return []
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string' || x.length > 512) || v.length > 10_000)
    throw new EngineError('invalid_auth_result', `${what} must be a list of function ids`)
  return v as string[]
}

/** Validates the auth function's answer (iii's AuthResult) into a session. */
export function parseAuthResult(v: Json): RbacSession {
  const r = isObj(v) ? v : {}
  const types = r['allowed_trigger_types']
  const prefix = r['function_registration_prefix']
  if (prefix !== undefined && prefix !== null && (typeof prefix !== 'string' || prefix.length > 128))
    throw new EngineError('invalid_auth_result', 'function_registration_prefix must be a string')
  return {
    allowed: strList(r['allowed_functions'], 'allowed_functions'),
    forbidden: strList(r['forbidden_functions'], 'forbidden_functions'),
    allowedTriggerTypes:
      types === undefined || types === null ? null : strList(types, 'allowed_trigger_types'),
    allowFunctionRegistration: r['allow_function_registration'] !== false,
    allowTriggerTypeRegistration: r['allow_trigger_type_registration'] === true,
    prefix: typeof prefix === 'string' && prefix ? prefix : null,
    context: isObj(r['context']) ? r['context'] : {},
  }
}

function metadataMatches(selector: JsonObject, metadata: Json | undefined): boolean {
  if (!isObj(metadata)) return false
  return Object.entries(selector).every(([k, v]) => JSON.stringify(metadata[k]) === JSON.stringify(v))
}

/** A worker port's policy: which circle its workers join, RBAC, middleware. */
export interface PortPolicy {
  rbac: RbacConfig | null
  middlewareFunctionId: string | null
}

/** Applies a port's RBAC and middleware: the session at upgrade, then each call and registration. */
export class WorkerGate {
  private readonly sessions = new WeakMap<WorkerConnection, RbacSession>()

  constructor(
    private readonly engine: Engine,
    private readonly policy: PortPolicy,
  ) {}

  /** Runs the auth function on the upgrade request; throws `{status, code, message}` to refuse. */
  async open(req: IncomingMessage, caller: EngineCaller): Promise<RbacSession | null> {
    const rbac = this.policy.rbac
    if (!rbac) return null
    if (!rbac.auth_function_id) return parseAuthResult({})
    const headers: JsonObject = {}
    for (const [k, v] of Object.entries(req.headers))
      if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v
    const query: Record<string, string[]> = {}
    for (const [k, v] of new URL(req.url ?? '/', 'http://engine').searchParams)
      query[k] = [...(query[k] ?? []), v]
    const input = { headers, query_params: query, ip_address: req.socket.remoteAddress ?? '' }
    let result: Json
    try {
      result = await this.engine.invoke(caller, rbac.auth_function_id, input as Json)
    } catch (err) {
      const e = asEngineError(err)
      if (e.code === 'function_not_found' || e.code === 'worker_disconnected' || e.code === 'timeout')
        throw {
          status: 503,
          code: 'ENGINE_FUNCTION_UNAVAILABLE',
          message: `the auth function is unavailable: ${e.message}`,
        }
      throw { status: 401, code: 'AUTH_REQUIRED', message: e.message.slice(0, 500) }
    }
    try {
      return parseAuthResult(result)
    } catch (err) {
      throw { status: 401, code: 'AUTH_REQUIRED', message: asEngineError(err).message }
    }
  }

  attach(conn: WorkerConnection, session: RbacSession | null): void {
    if (session) this.sessions.set(conn, session)
  }

  session(conn: WorkerConnection): RbacSession | undefined {
    return this.sessions.get(conn)
  }

  /** forbidden wins; then allowed_functions, the carve-out, and expose_functions. */
  canInvoke(conn: WorkerConnection, functionId: string): boolean {
    const s = this.sessions.get(conn)
    const rbac = this.policy.rbac
    if (!s || !rbac) return true
    if (s.forbidden.some((p) => globMatch(p, functionId))) return false
    if (s.allowed.some((p) => globMatch(p, functionId))) return true
    if (CARVE_OUT.some((r) => r.test(functionId))) return true
    const meta = () => this.engine.functionMetadata(conn.caller.circleId, functionId)
    return rbac.expose_functions.some((r) =>
      'match' in r ? globMatch(r.match, functionId) : metadataMatches(r.metadata, meta()),
    )
  }

  /** What the session may see (and call): undefined for a connection without a session. */
  visibility(conn: WorkerConnection): ((functionId: string) => boolean) | undefined {
    if (!this.sessions.has(conn) || !this.policy.rbac) return undefined
    return (id) => this.canInvoke(conn, id)
  }

  /**
   * Discovery is filtered: a session lists only the functions it may call. The built-ins filter
   * for the session themselves; this covers answers that came through a middleware (which calls
   * them as its own worker).
   */
  filterResult(conn: WorkerConnection, functionId: string, result: Json): Json {
    if (!this.sessions.has(conn) || !isObj(result)) return result
    const can = (id: Json | undefined) => typeof id === 'string' && this.canInvoke(conn, id)
    const rows = (key: string, keep: (row: JsonObject) => boolean): Json => {
      const list = result[key]
      return Array.isArray(list) ? { ...result, [key]: list.filter((r) => isObj(r) && keep(r)) } : result
    }
    const worker = (w: JsonObject): JsonObject => {
      const fns = Array.isArray(w['functions']) ? w['functions'].filter(can) : []
      return { ...w, functions: fns, function_count: fns.length }
    }
    switch (functionId) {
      case 'engine::functions::list':
        return rows('functions', (f) => can(f['function_id']))
      case 'engine::registered-triggers::list':
        return rows('registered_triggers', (t) => can(t['function_id']))
      case 'engine::functions::info':
        return can(result['function_id']) ? result : null
      case 'engine::workers::info':
        return worker(result)
      case 'engine::workers::list': {
        const ws = result['workers']
        return Array.isArray(ws) ? { ...result, workers: ws.filter(isObj).map(worker) } : result
      }
      default:
        return result
    }
  }

  /** Checks an invocation and routes it through the middleware; an EngineError refuses it. */
  admitInvoke(conn: WorkerConnection, msg: InvokeMessage): InvokeMessage | EngineError {
    if (!this.canInvoke(conn, msg.function_id))
      return new EngineError('FORBIDDEN', `function not allowed: ${msg.function_id.slice(0, 200)}`)
    const mw = this.policy.middlewareFunctionId
    // The worker serving the middleware calls targets directly (else every call would loop back).
    if (!mw || conn.functions.has(mw)) return msg
    const input: JsonObject = {
      function_id: msg.function_id,
      payload: msg.data ?? null,
      context: this.sessions.get(conn)?.context ?? {},
    }
    if (msg.action) input['action'] = msg.action as unknown as Json
    const { action: _a, ...rest } = msg
    return {
      ...rest,
      function_id: mw,
      data: input,
      ...(msg.action?.type === 'void' ? { action: msg.action } : {}),
    }
  }

  /**
   * Applies the session's rules and the registration hooks to a registration message: resolves
   * with the message to register (ids mapped) or null when it was refused (the refusal sent).
   */
  async admitRegistration(
    conn: WorkerConnection,
    msg: WorkerMessage,
    caller: EngineCaller,
  ): Promise<WorkerMessage | null> {
    const s = this.sessions.get(conn)
    const rbac = this.policy.rbac
    if (!s || !rbac) return msg
    const hook = (id: string | null, input: JsonObject) =>
      id ? this.engine.invoke(caller, id, { ...input, context: s.context }) : Promise.resolve(null)
    switch (msg.type) {
      case 'registerfunction': {
        if (!s.allowFunctionRegistration)
          throw new EngineError('FORBIDDEN', 'this session may not register functions')
        const local = msg.id
        let id = s.prefix ? `${s.prefix}${s.prefix.endsWith('::') ? '' : '::'}${local}` : local
        const r = await hook(rbac.on_function_registration_function_id, {
          function_id: id,
          description: msg.description ?? null,
          metadata: msg.metadata ?? null,
        })
        const out = { ...msg }
        if (isObj(r)) {
          if (typeof r['function_id'] === 'string' && r['function_id']) id = r['function_id']
          if (typeof r['description'] === 'string') out.description = r['description']
          if (isObj(r['metadata'])) out.metadata = r['metadata']
        }
        if (id.length > 512)
          throw new EngineError('invalid_payload', 'the mapped function id is over 512 characters')
        out.id = id
        if (id !== local) conn.localIds.set(id, local)
        else conn.localIds.delete(id)
        return out
      }
      case 'unregisterfunction':
        return { ...msg, id: this.engineIdOf(conn, msg.id) }
      case 'registertrigger': {
        let t = { ...msg, function_id: this.engineIdOf(conn, msg.function_id) }
        if (s.allowedTriggerTypes && !s.allowedTriggerTypes.includes(t.trigger_type))
          throw new EngineError(
            'FORBIDDEN',
            `this session may not register ${t.trigger_type.slice(0, 100)} triggers`,
          )
        const r = await hook(rbac.on_trigger_registration_function_id, {
          trigger_id: t.id,
          trigger_type: t.trigger_type,
          function_id: t.function_id,
          config: t.config ?? null,
          metadata: t.metadata ?? null,
        })
        if (isObj(r)) {
          const pick = (k: string) => {
            const v = r[k]
            return typeof v === 'string' && v && v.length <= 512 ? v : undefined
          }
          t = {
            ...t,
            id: pick('trigger_id') ?? t.id,
            trigger_type: pick('trigger_type') ?? t.trigger_type,
            function_id: pick('function_id') ?? t.function_id,
            ...(r['config'] !== undefined && r['config'] !== null ? { config: r['config'] } : {}),
          }
        }
        return t
      }
      case 'registertriggertype': {
        if (!s.allowTriggerTypeRegistration)
          throw new EngineError('FORBIDDEN', 'this session may not register trigger types')
        const r = await hook(rbac.on_trigger_type_registration_function_id, {
          trigger_type_id: msg.id,
          description: msg.description ?? '',
        })
        if (!isObj(r)) return msg
        const mapped = r['trigger_type_id']
        const id = typeof mapped === 'string' && mapped && mapped.length <= 256 ? mapped : msg.id
        if (id !== msg.id) conn.localTypeIds.set(id, msg.id)
        return {
          ...msg,
          id,
          ...(typeof r['description'] === 'string' ? { description: r['description'] } : {}),
        }
      }
      case 'unregistertriggertype': {
        for (const [engineId, local] of conn.localTypeIds)
          if (local === msg.id) return { ...msg, id: engineId }
        return msg
      }
      default:
        return msg
    }
  }

  /** The engine id of a function the worker registered as `local` (prefixed or renamed); other ids pass. */
  private engineIdOf(conn: WorkerConnection, local: string): string {
    for (const [engineId, l] of conn.localIds) if (l === local) return engineId
    return local
  }
}
