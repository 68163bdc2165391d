// Auth at upgrade without a server: token sources, hashed shared tokens, HS256 claims, and the
// redaction of tokens from URLs that reach the logs.
import type { IncomingMessage } from 'node:http'
import { describe, expect, it } from 'vitest'
import { finalizeWebsocketSpec, type WebsocketSpec } from './spec.ts'
import { authenticateUpgrade, redactUrl, signJwtHs256, verifyJwtHs256 } from './upgrade-auth.ts'

const req = (headers: Record<string, string> = {}) => ({ headers }) as unknown as IncomingMessage
const q = (s = '') => new URLSearchParams(s)

function spec(auth: object): WebsocketSpec {
  const s = { auth: { mode: 'none', tokens: [], query_param: 'token', header: 'authorization', ...auth } }
  finalizeWebsocketSpec(s as never)
  return s as unknown as WebsocketSpec
}

describe('upgrade auth', () => {
  it('checks bearer tokens against their hashes, from the header or the query parameter', () => {
    const s = spec({ mode: 'bearer', tokens: ['alpha', 'beta'] })
    expect(s.auth.tokens.every((t) => t.startsWith('sha256:'))).toBe(true)
    expect(authenticateUpgrade(req({ authorization: 'Bearer beta' }), q(), s)).toEqual({
      ok: true,
      user: null,
    })
    expect(authenticateUpgrade(req(), q('token=alpha'), s).ok).toBe(true)
    expect(authenticateUpgrade(req(), q('token=gamma'), s).ok).toBe(false)
    expect(authenticateUpgrade(req(), q(), s)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('no token'),
    })
    // The hash itself is not a token.
    expect(authenticateUpgrade(req(), q(`token=${s.auth.tokens[0]}`), s).ok).toBe(false)
  })

  it('uses a custom query parameter and header name', () => {
    const s = spec({ mode: 'bearer', tokens: ['k'], query_param: 'access', header: 'x-ws-token' })
    expect(authenticateUpgrade(req({ 'x-ws-token': 'k' }), q(), s).ok).toBe(true)
    expect(authenticateUpgrade(req(), q('access=k'), s).ok).toBe(true)
    expect(authenticateUpgrade(req(), q('token=k'), s).ok).toBe(false)
  })

  it('accepts HS256 with sub as the user and refuses expired, not-yet-valid and other algorithms', () => {
    const secret = 'secret-secret-secret'
    const now = 1_800_000_000
    expect(verifyJwtHs256(signJwtHs256({ sub: 'u1' }, secret), secret, now)).toEqual({ ok: true, user: 'u1' })
    expect(verifyJwtHs256(signJwtHs256({ sub: 42 }, secret), secret, now)).toEqual({ ok: true, user: '42' })
    expect(verifyJwtHs256(signJwtHs256({}, secret), secret, now)).toEqual({ ok: true, user: null })
    expect(verifyJwtHs256(signJwtHs256({ exp: now - 61 }, secret), secret, now).ok).toBe(false)
    expect(verifyJwtHs256(signJwtHs256({ exp: now - 30 }, secret), secret, now).ok).toBe(true)
    expect(verifyJwtHs256(signJwtHs256({ nbf: now + 120 }, secret), secret, now).ok).toBe(false)
    const [, p, sig] = signJwtHs256({ sub: 'u1' }, secret).split('.')
    const hs512 = Buffer.from('{"alg":"HS512"}').toString('base64url')
    expect(verifyJwtHs256(`${hs512}.${p}.${sig}`, secret, now)).toMatchObject({ ok: false })
    expect(verifyJwtHs256('a.b', secret, now).ok).toBe(false)
    expect(verifyJwtHs256('!!.??.**', secret, now).ok).toBe(false)
  })

  it('redacts token-like query values and keeps the rest', () => {
    expect(redactUrl('/ws/acme/chat?token=abc&room=lobby')).toBe('/ws/acme/chat?token=REDACTED&room=lobby')
    expect(redactUrl('/ws/acme/chat?access=abc', 'access')).toBe('/ws/acme/chat?access=REDACTED')
    expect(redactUrl('/ws/acme/chat?jwt=x&token=y&token=z')).not.toMatch(/=x|=y|=z/)
    expect(redactUrl('/ws/acme/chat')).toBe('/ws/acme/chat')
  })
})
