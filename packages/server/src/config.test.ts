import { describe, expect, it } from 'vitest'
import { ConfigError, parseConfig } from './config.ts'

describe('parseConfig', () => {
  it('defaults to 127.0.0.1:8420, ./.periodic and a 10 MiB body limit', () => {
    const c = parseConfig([], {})
    expect(c).toMatchObject({
      port: 8420,
      host: '127.0.0.1',
      bodyLimitBytes: 10 * 1024 * 1024,
      databaseUrl: undefined,
    })
    expect(c.dataDir.endsWith('.periodic')).toBe(true)
  })

  it('lets a flag win over its environment variable', () => {
    const c = parseConfig(['--port', '9000'], { PERIODIC_PORT: '9100', PERIODIC_HOST: '0.0.0.0' })
    expect(c.port).toBe(9000)
    expect(c.host).toBe('0.0.0.0')
  })

  it('rejects out-of-range ports, non-postgres DATABASE_URL and short admin keys', () => {
    expect(() => parseConfig(['--port', '70000'], {})).toThrow(ConfigError)
    expect(() => parseConfig([], { DATABASE_URL: 'mysql://x' })).toThrow(/postgres/)
    expect(() => parseConfig([], { PERIODIC_ADMIN_KEY: 'short' })).toThrow(/16 characters/)
  })

  it('limits each key to 100 requests per second with a burst of twice the rate by default', () => {
    expect(parseConfig([], {}).rateLimit).toEqual({ perSecond: 100, burst: 200 })
    expect(parseConfig(['--rate-limit', '0.5'], {}).rateLimit).toEqual({ perSecond: 0.5, burst: 1 })
    expect(parseConfig([], { PERIODIC_RATE_LIMIT: '5', PERIODIC_RATE_LIMIT_BURST: '7' }).rateLimit).toEqual({
      perSecond: 5,
      burst: 7,
    })
    expect(parseConfig(['--rate-limit', '0'], {}).rateLimit.perSecond).toBe(0)
  })

  it('limits engine calls to 2,000 per second per worker key, metrics private, 10 upgrade failures by default', () => {
    const c = parseConfig([], {})
    expect(c.engine.rateLimit).toEqual({ perSecond: 2000, burst: 4000 })
    expect(c.metricsPublic).toBe(false)
    expect(c.wsAuthFailures).toBe(10)
    const set = parseConfig(['--engine-rate-limit', '0', '--ws-auth-failures', '0'], {
      PERIODIC_METRICS_PUBLIC: 'true',
      PERIODIC_ENGINE_RATE_LIMIT_BURST: '9',
    })
    expect(set.engine.rateLimit).toEqual({ perSecond: 0, burst: 9 })
    expect(set.metricsPublic).toBe(true)
    expect(set.wsAuthFailures).toBe(0)
    expect(() => parseConfig([], { PERIODIC_METRICS_PUBLIC: 'maybe' })).toThrow(/metrics public/)
    expect(() => parseConfig([], { PERIODIC_ENGINE_RATE_LIMIT: 'fast' })).toThrow(/engine rate limit/)
    expect(() => parseConfig([], { PERIODIC_WS_AUTH_FAILURES: '-3' })).toThrow(/ws auth failures/)
  })

  it('rejects a negative or non-numeric rate limit and a zero burst', () => {
    expect(() => parseConfig([], { PERIODIC_RATE_LIMIT: '-1' })).toThrow(/rate limit/)
    expect(() => parseConfig(['--rate-limit', 'fast'], {})).toThrow(/rate limit/)
    expect(() => parseConfig(['--rate-limit-burst', '0'], {})).toThrow(/burst/)
  })

  it('re-reads live connections’ keys every 30 s by default, and never with 0', () => {
    expect(parseConfig([], {}).revocationSweepMs).toBe(30_000)
    expect(parseConfig([], { PERIODIC_REVOCATION_SWEEP_MS: '0' }).revocationSweepMs).toBe(0)
    expect(() => parseConfig(['--revocation-sweep', 'often'], {})).toThrow(/revocation sweep/)
  })

  it('switches to PostgreSQL when DATABASE_URL is a postgres URL', () => {
    expect(parseConfig([], { DATABASE_URL: 'postgres://u@h/db' }).databaseUrl).toBe('postgres://u@h/db')
  })

  it('reads REDIS_URL and PERIODIC_REDIS_PREFIX, refusing other schemes and odd prefixes', () => {
    expect(parseConfig([], {})).toMatchObject({ redisUrl: undefined, redisPrefix: 'periodic:' })
    const c = parseConfig([], { REDIS_URL: 'redis://127.0.0.1:6379', PERIODIC_REDIS_PREFIX: 'site-a:' })
    expect(c).toMatchObject({ redisUrl: 'redis://127.0.0.1:6379', redisPrefix: 'site-a:' })
    expect(() => parseConfig([], { REDIS_URL: 'http://x' })).toThrow(/redis:/)
    expect(() => parseConfig([], { PERIODIC_REDIS_PREFIX: 'has space' })).toThrow(/PREFIX/)
  })

  it('reads the HTTP functions allow-list as a comma-separated list and refuses a malformed entry', () => {
    expect(parseConfig([], {}).engine.httpFunctionsAllowlist).toEqual([])
    const c = parseConfig([], {
      PERIODIC_HTTP_FUNCTIONS_ALLOWLIST: 'https://api.example.com/v1/, *.partner.test',
    })
    expect(c.engine.httpFunctionsAllowlist).toEqual(['https://api.example.com/v1/', '*.partner.test'])
    expect(() => parseConfig(['--http-functions-allowlist', 'ftp://x/'], {})).toThrow(ConfigError)
  })

  it('runs sandboxes as uid 65534 under root by default, takes uid or uid:gid, and refuses root', () => {
    expect(parseConfig([], {}).sandboxUser).toEqual({ uid: 65534, gid: 65534 })
    expect(parseConfig(['--sandbox-uid', '990'], {}).sandboxUser).toEqual({ uid: 990, gid: 990 })
    expect(parseConfig([], { PERIODIC_SANDBOX_UID: '990:991' }).sandboxUser).toEqual({ uid: 990, gid: 991 })
    for (const bad of ['0', '0:0', '990:0', 'nobody', '-1', '1:2:3'])
      expect(() => parseConfig([], { PERIODIC_SANDBOX_UID: bad })).toThrow(/sandbox uid/)
  })
})
