// Every flag and environment variable, parsed once. A flag wins over its variable.
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { CONFIG_OPTIONS } from './config-options.ts'
import { checkAllowlistEntry, parseMasterKeys } from './config-parsers.ts'
import { parseAllowEntry } from './net/outbound-allow-list.ts'
import { quotaLimits } from './quotas/quota-config.ts'
import type { QuotaLimits } from './quotas/resource-budget.ts'
import { type SmtpConfig, smtpConfig } from './smtp/smtp-config.ts'

export interface Config {
  port: number
  host: string
  dataDir: string
  adminKey: string | undefined
  /** PERIODIC_MASTER_KEY (wraps data keys of secrets at rest); unset: <data-dir>/master-keys.json. */
  masterKey: string | undefined
  databaseUrl: string | undefined
  /** Redis across nodes: WebSocket fan-out and presence, engine change events (unset: one node, in process). */
  redisUrl: string | undefined
  /** Prefix of every Redis key and channel, so installations (and tests) sharing a Redis never cross. */
  redisPrefix: string
  bodyLimitBytes: number
  logLevel: string
  /** `auto` picks bwrap when installed, else process (with a warning). */
  sandbox: 'auto' | 'bwrap' | 'gvisor' | 'process'
  /** Unprivileged host uid and gid sandboxed code runs as when the server runs as root. */
  sandboxUser: { uid: number; gid: number }
  /** Per API key token bucket; `perSecond` 0 turns it off. The bootstrap admin key is exempt. */
  rateLimit: { perSecond: number; burst: number }
  /** How often live connections' keys are read again, behind the revocations announced at once (0: never). */
  revocationSweepMs: number
  /** GET /metrics answers without the admin key (element slugs of every circle are labels). */
  metricsPublic: boolean
  /** Failed websocket upgrade auths per client address a minute before a minute of 429s (0: off). */
  wsAuthFailures: number
  python: {
    interpreter: string
    pipIndexUrl: string | undefined
    pipFindLinks: string | undefined
    /** Git sources may name local paths and file:// URLs (off: only network remotes). */
    gitAllowLocal: boolean
    /** Git sources may clone over ssh (ssh://, user@host:path) with the server user's keys (off). */
    gitAllowSsh: boolean
    idleTimeoutMs: number
    logCapBytes: number
    /** Pre-started generic sandboxes kept ready for cold starts (0: none). */
    warmSandboxes: number
  }
  /** The durable run queue: a node's claims lapse when its heartbeat is older than leaseMs. */
  runs: { leaseMs: number }
  /** Elements' Source repositories (one bare Git repository each). */
  source: { dir: string }
  /** The engine's worker port (iii protocol); 0 = ephemeral. */
  engine: {
    port: number
    timeoutMs: number
    /** An iii engine config.yaml whose workers: list this server runs (`--iii-config`). */
    iiiConfig: string | undefined
    /** URL prefixes / hosts HTTP-invoked functions may call (empty: none may register). */
    httpFunctionsAllowlist: string[]
    /** The function that authorizes stream clients at `/streams/{circle}` (else a circle key). */
    streamAuthFunction: string | undefined
    /** Per worker-connection key token bucket on calls from workers; `perSecond` 0 turns it off. */
    rateLimit: { perSecond: number; burst: number }
  }
  browser: {
    /** The Chromium executable browser elements launch. */
    chromiumPath: string
    /** Live browser sessions this server holds at most. */
    maxSessions: number
    /** A session no operation used for this long is stopped; 0 keeps sessions until stopped. */
    idleTimeoutMs: number
    /** When the server runs as root, Chromium runs as this unprivileged user (created if missing). */
    runAsUser: string
  }
  /** Every server-side fetch (git, browser, http functions) passes the outbound-address policy. */
  outbound: {
    /** Hosts, host:port, IP addresses or CIDR blocks the policy lets through though non-public. */
    allow: string[]
  }
  /** Server-wide budgets and per-circle quotas (PERIODIC_QUOTA_*; defaults from RAM and cores). */
  quotas: QuotaLimits
  /** The SMTP listener of agents' email triggers (off unless a port is given). */
  smtp: SmtpConfig
}

export class ConfigError extends Error {}

export { CONFIG_OPTIONS }

function int(name: string, raw: string, min: number, max: number): number {
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${name} must be an integer, got "${raw}"`)
  const n = Number(raw)
  if (n < min || n > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${n}`)
  return n
}

/** The per-key limit: a decimal rate (0 = off) and an integer burst, by default twice the rate. */
function rateLimitOf(rawRate: string, rawBurst: string, name = 'rate limit'): Config['rateLimit'] {
  if (!/^\d+(\.\d+)?$/.test(rawRate) || Number(rawRate) > 1_000_000)
    throw new ConfigError(`${name} must be a number of requests per second (0: off), got "${rawRate}"`)
  const perSecond = Number(rawRate)
  if (rawBurst === CONFIG_OPTIONS['rate-limit-burst'].default)
    return { perSecond, burst: Math.max(1, Math.ceil(perSecond * 2)) }
  return { perSecond, burst: int(`${name} burst`, rawBurst, 1, 10_000_000) }
}

function bool(name: string, raw: string): boolean {
  if (/^(1|true|yes)$/i.test(raw)) return true
  if (/^(0|false|no|)$/i.test(raw)) return false
  throw new ConfigError(`${name} must be true or false, got "${raw.slice(0, 50)}"`)
}

/** A comma-separated list, each entry checked by `check` (which throws on a bad one). */
function entryList(raw: string, check: (entry: string) => unknown, what?: string): string[] {
  const entries = raw
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)
  for (const e of entries)
    try {
      check(e)
    } catch (err) {
      throw new ConfigError(what ? `${what}: ${(err as Error).message}` : (err as Error).message)
    }
  return entries
}

const allowlist = (raw: string) => entryList(raw, checkAllowlistEntry, 'http functions allow-list')
const outboundAllow = (raw: string) => entryList(raw, parseAllowEntry)

function browserUser(raw: string): string {
  if (!/^[a-z_][a-z0-9_-]{0,31}$/.test(raw))
    throw new ConfigError(`browser user must be a user name (a-z, 0-9, _ and -), got "${raw.slice(0, 40)}"`)
  return raw
}

function browserIdleTimeout(raw: string): number {
  return raw === '0' ? 0 : int('browser idle timeout', raw, 1000, 7 * 86_400_000)
}

function streamAuthFunction(raw: string): string | undefined {
  if (!raw) return undefined
  if (raw.length > 512 || /\s/.test(raw))
    throw new ConfigError(
      `stream auth function must be a function id (no spaces, at most 512), got "${raw.slice(0, 100)}"`,
    )
  return raw
}

/** `uid` or `uid:gid` (gid defaults to uid); root is refused, it is what this setting avoids. */
function sandboxUser(raw: string): Config['sandboxUser'] {
  const m = /^(\d+)(?::(\d+))?$/.exec(raw)
  const uid = Number(m?.[1])
  const gid = Number(m?.[2] ?? m?.[1])
  if (!m || uid < 1 || gid < 1 || uid > 4_294_967_294 || gid > 4_294_967_294)
    throw new ConfigError(`sandbox uid must be uid or uid:gid, both above 0, got "${raw.slice(0, 50)}"`)
  return { uid, gid }
}

function oneOf<const T extends readonly string[]>(name: string, raw: string, allowed: T): T[number] {
  if (!allowed.includes(raw))
    throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got "${raw}"`)
  return raw as T[number]
}

export function parseConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): Config {
  let values: Record<string, string | undefined>
  try {
    const options = Object.fromEntries(
      Object.keys(CONFIG_OPTIONS).map((k) => [k, { type: 'string' as const }]),
    )
    values = parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values as Record<
      string,
      string | undefined
    >
  } catch (err) {
    throw new ConfigError((err as Error).message)
  }
  const get = (k: keyof typeof CONFIG_OPTIONS) =>
    values[k] ?? env[CONFIG_OPTIONS[k].env] ?? CONFIG_OPTIONS[k].default
  const logLevel = get('log-level')
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel))
    throw new ConfigError(`unknown log level "${logLevel}"`)
  const databaseUrl = env['DATABASE_URL'] || undefined
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl))
    throw new ConfigError('DATABASE_URL must be a postgres:// URL')
  const redisUrl = env['REDIS_URL'] || undefined
  if (redisUrl && !/^rediss?:\/\//.test(redisUrl)) throw new ConfigError('REDIS_URL must be a redis:// URL')
  const redisPrefix = env['PERIODIC_REDIS_PREFIX'] || 'periodic:'
  if (!/^[\w:.-]{1,64}$/.test(redisPrefix))
    throw new ConfigError('PERIODIC_REDIS_PREFIX must be 1-64 characters of letters, digits, _ : . -')
  const adminKey = env['PERIODIC_ADMIN_KEY'] || undefined
  if (adminKey !== undefined && (adminKey.length < 16 || /\s/.test(adminKey))) {
    throw new ConfigError('PERIODIC_ADMIN_KEY must be at least 16 characters without whitespace')
  }
  const masterKey = env['PERIODIC_MASTER_KEY'] || undefined
  if (masterKey !== undefined) {
    try {
      parseMasterKeys(masterKey)
    } catch (err) {
      throw new ConfigError((err as Error).message)
    }
  }
  let smtp: SmtpConfig
  try {
    smtp = smtpConfig(get, int)
  } catch (err) {
    throw err instanceof ConfigError ? err : new ConfigError((err as Error).message)
  }
  const browserMaxSessions = int('browser max sessions', get('browser-max-sessions'), 0, 1000)
  return {
    port: int('port', get('port'), 0, 65535),
    host: get('host'),
    dataDir: resolve(get('data-dir')),
    source: { dir: resolve(get('source-dir') || join(get('data-dir'), 'source')) },
    adminKey,
    masterKey,
    databaseUrl,
    redisUrl,
    redisPrefix,
    bodyLimitBytes: int('body limit', get('body-limit'), 1024, 1024 * 1024 * 1024),
    logLevel,
    rateLimit: rateLimitOf(get('rate-limit'), get('rate-limit-burst')),
    revocationSweepMs: int('revocation sweep', get('revocation-sweep'), 0, 86_400_000),
    metricsPublic: bool('metrics public', get('metrics-public')),
    wsAuthFailures: int('ws auth failures', get('ws-auth-failures'), 0, 1_000_000),
    sandbox: oneOf('sandbox', get('sandbox'), ['auto', 'bwrap', 'gvisor', 'process'] as const),
    sandboxUser: sandboxUser(get('sandbox-uid')),
    python: {
      interpreter: get('python'),
      pipIndexUrl: env['PERIODIC_PIP_INDEX_URL'] || undefined,
      pipFindLinks: env['PERIODIC_PIP_FIND_LINKS'] || undefined,
      gitAllowLocal: /^(1|true|yes)$/i.test(env['PERIODIC_GIT_ALLOW_LOCAL'] ?? ''),
      gitAllowSsh: /^(1|true|yes)$/i.test(env['PERIODIC_GIT_ALLOW_SSH'] ?? ''),
      idleTimeoutMs: int('idle timeout', get('idle-timeout'), 100, 86_400_000),
      logCapBytes: int('log cap', get('log-cap'), 1024, 100 * 1024 * 1024),
      warmSandboxes: int('python warm sandboxes', get('python-warm-sandboxes'), 0, 64),
    },
    engine: {
      // An ephemeral HTTP port (tests, side-by-side servers) makes the default worker port
      // ephemeral too, so two such servers never fight over 49134.
      port:
        get('port') === '0' &&
        values['engine-port'] === undefined &&
        env['PERIODIC_ENGINE_PORT'] === undefined
          ? 0
          : int('engine port', get('engine-port'), 0, 65535),
      timeoutMs: int('engine timeout', get('engine-timeout'), 10, 3_600_000),
      iiiConfig: get('iii-config') ? resolve(get('iii-config')) : undefined,
      httpFunctionsAllowlist: allowlist(get('http-functions-allowlist')),
      streamAuthFunction: streamAuthFunction(get('stream-auth-function')),
      rateLimit: rateLimitOf(get('engine-rate-limit'), get('engine-rate-limit-burst'), 'engine rate limit'),
    },
    runs: { leaseMs: int('run lease', get('run-lease'), 200, 600_000) },
    browser: {
      chromiumPath: get('chromium'),
      maxSessions: browserMaxSessions,
      idleTimeoutMs: browserIdleTimeout(get('browser-idle-timeout')),
      runAsUser: browserUser(get('browser-user')),
    },
    quotas: quotaLimits(get, int, browserMaxSessions),
    outbound: { allow: outboundAllow(get('outbound-allow')) },
    smtp,
  }
}
