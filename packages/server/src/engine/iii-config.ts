// Reads an iii engine configuration (its `workers:` list) into what Periodic runs for it: extra
// worker ports with RBAC, an http trigger port, and the names of everything it cannot honour.
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import type { JsonObject } from '../storage/storage.ts'
import type { HttpFunctionsConfig } from './http-functions.ts'
import {
  IiiBuiltinConfigError,
  parseHttpFunctionsConfig,
  parseKvAdapter,
  parseObservabilityConfig,
  parsePubsubConfig,
} from './iii-config-builtins.ts'
import type { ObservabilityConfig } from './observability.ts'
import type { RbacConfig } from './worker-rbac.ts'
import { parseExposeRule } from './worker-rbac.ts'

export class IiiConfigError extends Error {}

export interface IiiWorkerPort {
  host: string
  port: number
  rbac: RbacConfig | null
  middlewareFunctionId: string | null
}

export interface IiiConfig {
  /** The circle the config's workers join (`circle:` at the top, `default` otherwise). */
  circle: string
  workerPorts: IiiWorkerPort[]
  http: {
    host: string
    port: number
    defaultTimeoutMs: number | null
    /** iii-http's global `middleware`: function ids, by priority, before every route's own. */
    middleware: string[]
  } | null
  /** `iii-stream`: the stream client port (browsers subscribe to stream groups there). */
  stream: { host: string; port: number; authFunctionId: string | null } | null
  /** iii-observability's settings (null: Periodic's defaults). */
  observability: ObservabilityConfig | null
  /** iii-http-functions' URL allow-list (null: none, so no HTTP-invoked function registers). */
  httpFunctions: HttpFunctionsConfig | null
  /** iii-state / iii-stream with a kv adapter's `in_memory`: the circle's items of that kind live in memory. */
  inMemory: Array<'state' | 'stream'>
  /** iii-state / iii-stream with a bridge adapter: the circle's items of that kind live in another engine. */
  bridges: Array<{ kind: 'state' | 'stream'; url: string }>
  /** Worker kinds, adapters and keys Periodic does not honour: named in one startup warning. */
  unsupported: string[]
}

/** Built into Periodic: accepted, their own settings are Periodic's (a kv or bridge adapter is read, another named as ignored). */
const BUILT_IN = new Set(['iii-state', 'iii-cron', 'iii-queue'])
const LOOPBACK = '127.0.0.1'

const isObj = (v: unknown): v is JsonObject => !!v && typeof v === 'object' && !Array.isArray(v)

/** iii's `${VAR}` / `${VAR:default}` references, resolved from the environment before parsing. */
export function expandEnv(text: string, env: Record<string, string | undefined>): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::([^}]*))?\}/g, (_m, name: string, def?: string) => {
    const v = env[name]
    if (v !== undefined && v !== '') return v
    if (def !== undefined) return def
    throw new IiiConfigError(`the config names \${${name}}, which is not set and has no default`)
  })
}

/** iii-http's `middleware: [{function_id, phase?, priority?}]`: preHandler ids, lowest priority first. */
function globalMiddlewareOf(v: unknown, where: string): string[] {
  if (v === undefined || v === null) return []
  const bad = () =>
    new IiiConfigError(`${where} must be a list of {function_id, phase: preHandler, priority: number}`)
  if (!Array.isArray(v)) throw bad()
  const entries = v.map((m, i) => {
    if (!isObj(m) || typeof m['function_id'] !== 'string' || m['function_id'] === '') throw bad()
    const phase = m['phase'] ?? 'preHandler'
    const priority = m['priority'] ?? 0
    if (phase !== 'preHandler' || typeof priority !== 'number') throw bad()
    return { id: m['function_id'], priority, i }
  })
  return entries.sort((a, b) => a.priority - b.priority || a.i - b.i).map((m) => m.id)
}

function portOf(v: unknown, where: string): number {
  const n = typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : v
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 65535)
    throw new IiiConfigError(`${where}.port must be a port number (0-65535)`)
  return n
}

function optString(v: unknown, where: string): string | null {
  if (v === undefined || v === null) return null
  if (typeof v !== 'string' || !v || v.length > 512) throw new IiiConfigError(`${where} must be a string`)
  return v
}

function rbacOf(v: unknown, where: string, unsupported: string[]): RbacConfig | null {
  if (v === undefined || v === null) return null
  if (!isObj(v)) throw new IiiConfigError(`${where} must be a mapping`)
  const known = [
    'auth_function_id',
    'on_function_registration_function_id',
    'on_trigger_registration_function_id',
    'on_trigger_type_registration_function_id',
    'expose_functions',
  ]
  for (const k of Object.keys(v)) if (!known.includes(k)) unsupported.push(`${where}.${k}`)
  const expose = v['expose_functions'] ?? []
  if (!Array.isArray(expose)) throw new IiiConfigError(`${where}.expose_functions must be a list`)
  return {
    auth_function_id: optString(v['auth_function_id'], `${where}.auth_function_id`),
    on_function_registration_function_id: optString(
      v['on_function_registration_function_id'],
      `${where}.on_function_registration_function_id`,
    ),
    on_trigger_registration_function_id: optString(
      v['on_trigger_registration_function_id'],
      `${where}.on_trigger_registration_function_id`,
    ),
    on_trigger_type_registration_function_id: optString(
      v['on_trigger_type_registration_function_id'],
      `${where}.on_trigger_type_registration_function_id`,
    ),
    expose_functions: expose.map((e, i) => {
      try {
        return parseExposeRule(e)
      } catch (err) {
        throw new IiiConfigError(`${where}.expose_functions[${i}]: ${(err as Error).message}`)
      }
    }),
  }
}

/** The `workers:` entries as [name, config] pairs (a list of {name, config}, or a name map). */
function entriesOf(doc: JsonObject): Array<[string, JsonObject]> {
  const workers = doc['workers'] ?? (isObj(doc['engine']) ? doc['engine']['workers'] : undefined)
  if (workers === undefined || workers === null) throw new IiiConfigError('the config has no workers: list')
  if (Array.isArray(workers))
    return workers.map((w, i) => {
      if (!isObj(w) || typeof w['name'] !== 'string')
        throw new IiiConfigError(`workers[${i}] needs a name (e.g. name: iii-worker-manager)`)
      const config = w['config'] ?? {}
      if (!isObj(config)) throw new IiiConfigError(`workers[${i}].config must be a mapping`)
      return [w['name'], config]
    })
  if (isObj(workers))
    return Object.entries(workers).map(([name, config]) => {
      const c = config ?? {}
      if (!isObj(c)) throw new IiiConfigError(`workers.${name} must be a mapping`)
      return [name.split('#')[0]!, c]
    })
  throw new IiiConfigError('workers: must be a list')
}

/** The built-in kinds' readers throw their own error class; the caller sees an IiiConfigError. */
function builtin<T>(read: () => T): T {
  try {
    return read()
  } catch (err) {
    if (err instanceof IiiBuiltinConfigError) throw new IiiConfigError(err.message)
    throw err
  }
}

export function parseIiiConfig(text: string, env: Record<string, string | undefined> = {}): IiiConfig {
  let doc: unknown
  try {
    doc = parse(expandEnv(text, env), { maxAliasCount: 100 })
  } catch (err) {
    if (err instanceof IiiConfigError) throw err
    throw new IiiConfigError(`the config is not valid YAML: ${(err as Error).message.split('\n')[0]}`)
  }
  if (!isObj(doc)) throw new IiiConfigError('the config must be a YAML mapping with a workers: list')
  const circle = doc['circle'] ?? 'default'
  if (typeof circle !== 'string' || !/^[a-z0-9][a-z0-9-]{0,62}$/.test(circle))
    throw new IiiConfigError('circle must be a circle slug (lowercase letters, digits, -)')
  const unsupported: string[] = []
  for (const k of Object.keys(doc)) if (!['workers', 'circle', 'engine'].includes(k)) unsupported.push(k)
  const out: IiiConfig = {
    circle,
    workerPorts: [],
    http: null,
    stream: null,
    observability: null,
    httpFunctions: null,
    inMemory: [],
    bridges: [],
    unsupported,
  }
  entriesOf(doc).forEach(([name, c], i) => {
    const where = `workers[${i}] ${name}`
    const extra = (keys: string[]) => {
      for (const k of Object.keys(c)) if (!keys.includes(k)) unsupported.push(`${name}.${k}`)
    }
    if (name === 'iii-worker-manager') {
      extra(['host', 'port', 'rbac', 'middleware_function_id'])
      const port = portOf(c['port'] ?? 49134, where)
      out.workerPorts.push({
        host: optString(c['host'], `${where}.host`) ?? LOOPBACK,
        port,
        rbac: rbacOf(c['rbac'], `${name}.rbac`, unsupported),
        middlewareFunctionId: optString(c['middleware_function_id'], `${where}.middleware_function_id`),
      })
    } else if (name === 'iii-http') {
      extra(['host', 'port', 'default_timeout', 'middleware'])
      if (out.http) throw new IiiConfigError('the config has more than one iii-http worker')
      const t = c['default_timeout']
      if (t !== undefined && (typeof t !== 'number' || !Number.isInteger(t) || t < 10 || t > 3_600_000))
        throw new IiiConfigError(`${where}.default_timeout must be milliseconds (10-3600000)`)
      out.http = {
        host: optString(c['host'], `${where}.host`) ?? LOOPBACK,
        port: portOf(c['port'] ?? 3111, where),
        defaultTimeoutMs: typeof t === 'number' ? t : null,
        middleware: globalMiddlewareOf(c['middleware'], `${where}.middleware`),
      }
    } else if (name === 'iii-stream') {
      extra(['host', 'port', 'auth_function', 'auth_function_id', 'adapter'])
      if (out.stream) throw new IiiConfigError('the config has more than one iii-stream worker')
      // Streams live in Periodic's database (or memory, or another engine: see parseKvAdapter).
      const adapter = builtin(() => parseKvAdapter(name, c['adapter'], where, unsupported))
      if (adapter === 'in_memory') out.inMemory.push('stream')
      else if (adapter && typeof adapter === 'object')
        out.bridges.push({ kind: 'stream', url: adapter.bridgeUrl })
      out.stream = {
        host: optString(c['host'], `${where}.host`) ?? LOOPBACK,
        port: portOf(c['port'] ?? 3112, where),
        authFunctionId:
          optString(c['auth_function'], `${where}.auth_function`) ??
          optString(c['auth_function_id'], `${where}.auth_function_id`),
      }
    } else if (name === 'iii-pubsub') parsePubsubConfig(c, unsupported)
    else if (name === 'iii-observability')
      out.observability = builtin(() => parseObservabilityConfig(c, where, unsupported))
    else if (name === 'iii-http-functions')
      out.httpFunctions = builtin(() => parseHttpFunctionsConfig(c, where, unsupported))
    else if (BUILT_IN.has(name)) {
      if (name === 'iii-queue') {
        const a = c['adapter']
        if (a !== undefined)
          unsupported.push(
            `${name} adapter ${isObj(a) && typeof a['name'] === 'string' ? a['name'] : ''}`.trim(),
          )
      } else {
        const adapter = builtin(() => parseKvAdapter(name, c['adapter'], where, unsupported))
        if (name === 'iii-state' && adapter === 'in_memory') out.inMemory.push('state')
        else if (name === 'iii-state' && adapter && typeof adapter === 'object')
          out.bridges.push({ kind: 'state', url: adapter.bridgeUrl })
      }
    } else unsupported.push(name)
  })
  const seen = new Set<number>()
  const ports = [
    ...out.workerPorts.map((w) => w.port),
    ...(out.http ? [out.http.port] : []),
    ...(out.stream ? [out.stream.port] : []),
  ]
  for (const p of ports) {
    if (p !== 0 && seen.has(p)) throw new IiiConfigError(`port ${p} is used twice in the config`)
    seen.add(p)
  }
  return out
}

export function loadIiiConfig(path: string, env: Record<string, string | undefined>): IiiConfig {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    throw new IiiConfigError(`cannot read the iii config ${path}: ${(err as Error).message}`)
  }
  return parseIiiConfig(text, env)
}
