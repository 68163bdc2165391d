// Auth at upgrade: a bearer header or a query parameter, checked against hashed shared tokens or
// an HS256 JWT secret (`sub` becomes the connection's user). Also redacts tokens from URLs.
import { createHmac, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import type { ApiKeyRecords } from '../../storage/storage.ts'
import { hashToken, type WebsocketSpec } from './spec.ts'

export type AuthResult = { ok: true; user: string | null } | { ok: false; reason: string }

function tokenOf(req: IncomingMessage, query: URLSearchParams, spec: WebsocketSpec): string | undefined {
  const header = req.headers[spec.auth.header.toLowerCase()]
  const value = Array.isArray(header) ? header[0] : header
  if (value) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(value)
    return m ? m[1] : value.trim() || undefined
  }
  return query.get(spec.auth.query_param) ?? undefined
}

const safeEqual = (a: string, b: string) => {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

export function authenticateUpgrade(
  req: IncomingMessage,
  query: URLSearchParams,
  spec: WebsocketSpec,
  nowS = Date.now() / 1000,
): AuthResult {
  if (spec.auth.mode === 'none') return { ok: true, user: null }
  const token = tokenOf(req, query, spec)
  if (!token) return { ok: false, reason: 'no token (Authorization: Bearer <token> or ?token=)' }
  if (spec.auth.mode === 'bearer') {
    const hashed = hashToken(token)
    // Compare against every stored hash so the time taken does not tell which one matched.
    let match = false
    for (const t of spec.auth.tokens) match = safeEqual(t, hashed) || match
    return match ? { ok: true, user: null } : { ok: false, reason: 'unknown token' }
  }
  // The secret is stored sealed: the caller passes the spec with it opened (jwt-secret.ts).
  const secret = spec.auth.jwt_secret
  if (typeof secret !== 'string' || secret.length === 0)
    return { ok: false, reason: 'the JWT secret is not open' }
  return verifyJwtHs256(token, secret, nowS)
}

function b64urlJson(part: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'))
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

/**
 * An accept ticket lives no longer than the key that asked for it: true when that key has been
 * revoked since (the platform admin key has no row, and cannot be revoked).
 */
export async function ticketKeyRevoked(
  storage: Pick<ApiKeyRecords, 'listApiKeys'>,
  circleId: string,
  keyId: string,
): Promise<boolean> {
  const row = (await storage.listApiKeys(circleId)).find((k) => k.id === keyId)
  return row !== undefined && row.revoked_at !== null
}

/** HS256 only: a token naming another algorithm (`none`, RS256 with the secret as key) is refused. */
export function verifyJwtHs256(token: string, secret: string, nowS: number): AuthResult {
  const parts = token.split('.')
  if (parts.length !== 3 || token.length > 8192) return { ok: false, reason: 'malformed JWT' }
  const [h, p, sig] = parts as [string, string, string]
  const header = b64urlJson(h)
  if (header?.['alg'] !== 'HS256') return { ok: false, reason: 'JWT alg must be HS256' }
  const expected = createHmac('sha256', secret).update(`${h}.${p}`).digest('base64url')
  if (!safeEqual(expected, sig)) return { ok: false, reason: 'bad JWT signature' }
  const claims = b64urlJson(p)
  if (!claims) return { ok: false, reason: 'malformed JWT claims' }
  // A minute of leeway for clocks that disagree a little.
  if (typeof claims['exp'] === 'number' && nowS > claims['exp'] + 60)
    return { ok: false, reason: 'JWT expired' }
  if (typeof claims['nbf'] === 'number' && nowS + 60 < claims['nbf'])
    return { ok: false, reason: 'JWT not yet valid' }
  const sub = claims['sub']
  return {
    ok: true,
    user: typeof sub === 'string' || typeof sub === 'number' ? String(sub).slice(0, 256) : null,
  }
}

/** Signs an HS256 JWT (tests and the README use it to make tokens). */
export function signJwtHs256(claims: Record<string, unknown>, secret: string): string {
  const h = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url')
  const p = Buffer.from(JSON.stringify(claims)).toString('base64url')
  return `${h}.${p}.${createHmac('sha256', secret).update(`${h}.${p}`).digest('base64url')}`
}

/** The URL as logs may show it: every query value of the token parameter replaced. */
export function redactUrl(url: string, param = 'token'): string {
  const q = url.indexOf('?')
  if (q < 0) return url
  const params = new URLSearchParams(url.slice(q + 1))
  for (const name of new Set([param, 'token', 'access_token', 'jwt'])) {
    if (params.has(name)) params.set(name, 'REDACTED')
  }
  return `${url.slice(0, q)}?${params.toString()}`
}
