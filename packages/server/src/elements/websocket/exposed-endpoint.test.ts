// Exposed endpoints through real sockets: the README walkthrough, auth at upgrade (header, query,
// JWT), max_connections, oversize frames, bad JSON, broadcast semantics, send/close codes,
// operations' auth levels, connect tickets, and upgrades on other paths left alone.
import { createConnection } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../../../test/test-server.ts'
import { connect, join, refusal, wsUrl } from '../../../test/ws-test-client.ts'
import { signJwtHs256 } from './upgrade-auth.ts'

describe('websocket exposed endpoint', () => {
  let s: TestServer
  let ws: (path: string) => string

  async function create(slug: string, spec: object) {
    const r = await s.api('POST', '/api/acme', { element_type: 'websocket', slug, spec })
    if (r.status !== 201) throw new Error(`create ${slug}: ${r.status} ${JSON.stringify(r.body)}`)
    return r.body
  }
  const op = (slug: string, name: string, body?: object, key?: string) =>
    s.api(body === undefined ? 'GET' : 'POST', `/api/acme/${slug}/ops/${name}`, body, { key })

  beforeAll(async () => {
    s = await startTestServer()
    ws = (path) => wsUrl(s.url, path)
    await s.createCircle('acme')
    await create('chat', {
      path: '/chat',
      auth: { mode: 'bearer', tokens: ['s3cret'] },
      rooms: { enabled: true },
    })
  })
  afterAll(async () => s?.close())

  it('runs the README walkthrough: query token, ?room=lobby, broadcast to the room, presence', async () => {
    const c = await join(ws('/ws/acme/chat?token=s3cret&room=lobby'))
    expect(c.welcome).toMatchObject({ type: 'welcome', rooms: ['lobby'], user: null })
    const r = await op('chat', 'broadcast', { room: 'lobby', message: { text: 'hi' } })
    expect(r.status).toBe(200)
    expect(r.body).toEqual({ broadcast: true, delivered_to: 1, subscriber_count: 1 })
    expect(await c.next()).toEqual({ text: 'hi' })
    const list = await op('chat', 'connections')
    expect(list.body.count).toBe(1)
    expect(list.body.connections[0]).toMatchObject({ connection_id: c.id, rooms: ['lobby'] })
    expect(list.body.connections[0].connected_at).toMatch(/^\d{4}-/)
    c.ws.close()
    await c.closed
  })

  it('stores shared tokens hashed and never shows them', async () => {
    const got = await s.api('GET', '/api/acme/chat')
    expect(JSON.stringify(got.body)).not.toContain('s3cret')
    expect(got.body.spec.auth.tokens[0]).toMatch(/^sha256:[0-9a-f]{64}$/)
    // An update that does not touch the tokens keeps them working (hashes are not re-hashed).
    expect((await s.api('PATCH', '/api/acme/chat', { spec: { description: 'lobby chat' } })).status).toBe(200)
    const c = await join(ws('/ws/acme/chat?token=s3cret'))
    c.ws.close()
  })

  it('refuses an upgrade without a token or with a wrong one: 401 before the handshake', async () => {
    for (const url of ['/ws/acme/chat', '/ws/acme/chat?token=nope', '/ws/acme/chat?token=']) {
      const r = await refusal(ws(url))
      expect(r.status, url).toBe(401)
      expect(r.body.error.code).toBe('WS_UNAUTHORIZED')
    }
    const r = await refusal(ws('/ws/acme/chat'), { headers: { authorization: 'Bearer wrong' } })
    expect(r.status).toBe(401)
  })

  it('accepts the token in an Authorization bearer header', async () => {
    const c = await join(ws('/ws/acme/chat'), { headers: { authorization: 'Bearer s3cret' } })
    expect(c.id).toMatch(/^[0-9a-f]{8}\.[0-9a-f]{16}$/)
    c.ws.close()
  })

  it('accepts an HS256 JWT, makes sub the user, and refuses bad signatures, expiry and alg none', async () => {
    const secret = 'a-very-long-jwt-secret-0123456789'
    const created = await create('jwt', { path: '/jwt', auth: { mode: 'jwt', jwt_secret: secret } })
    expect(created.spec.auth.jwt_secret).toBe('********')
    const now = Math.floor(Date.now() / 1000)
    const good = signJwtHs256({ sub: 'user-42', exp: now + 600 }, secret)
    const c = await join(ws(`/ws/acme/jwt?token=${good}`))
    expect(c.welcome.user).toBe('user-42')
    const h = await join(ws('/ws/acme/jwt'), { headers: { authorization: `Bearer ${good}` } })
    const list = await op('jwt', 'connections')
    expect(list.body.connections.map((x: any) => x.user)).toEqual(['user-42', 'user-42'])
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"x"}').toString('base64url')}.`
    for (const bad of [
      signJwtHs256({ sub: 'x' }, 'another-secret-0123456789'),
      signJwtHs256({ sub: 'x', exp: now - 3600 }, secret),
      none,
      'not.a.jwt',
    ]) {
      const r = await refusal(ws(`/ws/acme/jwt?token=${encodeURIComponent(bad)}`))
      expect(r.status).toBe(401)
    }
    c.ws.close()
    h.ws.close()
  })

  it('closes a client over max_connections with 1013 WS_MAX_CONNECTIONS_REACHED and admits again after one leaves', async () => {
    await create('small', { path: '/small', max_connections: 2 })
    const a = await join(ws('/ws/acme/small'))
    const b = await join(ws('/ws/acme/small'))
    const c = await connect(ws('/ws/acme/small'))
    expect(await c.closed).toEqual({ code: 1013, reason: 'WS_MAX_CONNECTIONS_REACHED' })
    // Many at once: upgrades in flight count, so none gets past the limit.
    const burst = await Promise.all(Array.from({ length: 10 }, () => connect(ws('/ws/acme/small'))))
    for (const x of burst) expect((await x.closed).code).toBe(1013)
    a.ws.close()
    await a.closed
    await expect.poll(async () => (await op('small', 'connections')).body.count).toBe(1)
    const d = await join(ws('/ws/acme/small'))
    expect((await op('small', 'connections')).body.count).toBe(2)
    b.ws.close()
    d.ws.close()
  })

  it('closes a client that sends a message over max_message_bytes with 1009 WS_MESSAGE_TOO_LARGE', async () => {
    await create('tiny', { path: '/tiny', connection: { max_message_bytes: 1024 } })
    const c = await join(ws('/ws/acme/tiny'))
    c.ws.send(JSON.stringify({ blob: 'x'.repeat(2000) }))
    expect(await c.closed).toEqual({ code: 1009, reason: 'WS_MESSAGE_TOO_LARGE' })
    const r = await op('tiny', 'broadcast', { message: { blob: 'x'.repeat(2000) } })
    expect(r.status).toBe(413)
    expect(r.body.error.code).toBe('WS_MESSAGE_TOO_LARGE')
  })

  it('answers a frame that is not JSON with an INVALID_JSON error frame and keeps the connection', async () => {
    const c = await join(ws('/ws/acme/chat?token=s3cret'))
    for (const bad of ['{not json', '', Buffer.from([0xff, 0xfe, 0x00])]) {
      c.ws.send(bad)
      expect(await c.next()).toMatchObject({ type: 'error', error: { code: 'INVALID_JSON' } })
    }
    c.ws.send(JSON.stringify({ type: 'join', room: 'still-here' }))
    expect(await c.next()).toMatchObject({ type: 'joined', room: 'still-here' })
    c.ws.close()
  })

  it('treats a broadcast to nobody as a success with zero delivered and zero subscribers', async () => {
    await create('empty', { path: '/empty', rooms: { enabled: true } })
    const all = await op('empty', 'broadcast', { message: { n: 1 } })
    expect(all.status).toBe(200)
    expect(all.body).toEqual({ broadcast: true, delivered_to: 0, subscriber_count: 0 })
    const room = await op('empty', 'broadcast', { room: 'nobody-here', message: 'x' })
    expect(room.status).toBe(200)
    expect(room.body).toEqual({ broadcast: true, delivered_to: 0, subscriber_count: 0 })
  })

  it('answers send to a closed or unknown connection with 404 WS_CONNECTION_NOT_FOUND', async () => {
    const c = await join(ws('/ws/acme/chat?token=s3cret'))
    const sent = await op('chat', 'send', { connection_id: c.id, message: { direct: true } })
    expect(sent.body).toMatchObject({ sent: true, connection_id: c.id })
    expect(await c.next()).toEqual({ direct: true })
    const closed = await op('chat', 'close', { connection_id: c.id, code: 4001, reason: 'bye' })
    expect(closed.body).toMatchObject({ closed: true, connection_id: c.id })
    expect(await c.closed).toEqual({ code: 4001, reason: 'bye' })
    for (const id of [c.id, 'garbage', '00000000.0000000000000000']) {
      const r = await op('chat', 'send', { connection_id: id, message: 'x' })
      expect(r.status, id).toBe(404)
      expect(r.body.error.code).toBe('WS_CONNECTION_NOT_FOUND')
      expect((await op('chat', 'close', { connection_id: id })).body.error.code).toBe(
        'WS_CONNECTION_NOT_FOUND',
      )
    }
    expect((await op('chat', 'close', { connection_id: 'x', code: 1006 })).status).toBe(400)
    const noLink = await op('chat', 'send', { message: 'x' })
    expect(noLink.status).toBe(400)
    expect(noLink.body.error.code).toBe('WS_NOT_DRIVEN')
  })

  it('checks every operation’s auth level: read lists, execute sends, broadcasts and closes', async () => {
    const reader = await s.createKey('acme', ['read'])
    const runner = await s.createKey('acme', ['execute'])
    expect((await op('chat', 'connections', undefined, reader)).status).toBe(200)
    for (const [name, body] of [
      ['broadcast', { message: 1 }],
      ['send', { connection_id: 'x', message: 1 }],
      ['close', { connection_id: 'x' }],
      ['accept', {}],
      ['join', { connection_id: 'x', room: 'r' }],
      ['leave', { connection_id: 'x', room: 'r' }],
      ['test-connection', {}],
    ] as const) {
      const r = await op('chat', name, body, reader)
      expect(r.status, name).toBe(403)
      expect(r.body.error.details.required_scope).toBe('execute')
    }
    expect((await op('chat', 'broadcast', { message: 1 }, runner)).status).toBe(200)
    expect((await op('chat', 'connections', undefined, null as unknown as string)).status).toBe(401)
  })

  it('issues one-use accept tickets carrying the connection_id, user and rooms', async () => {
    const t = await op('chat', 'accept', { user: 'ann', rooms: ['lobby'] })
    expect(t.status).toBe(200)
    expect(t.body.url).toBe(`/ws/acme/chat?ticket=${t.body.ticket}`)
    const c = await join(ws(t.body.url))
    expect(c.welcome).toMatchObject({ connection_id: t.body.connection_id, user: 'ann', rooms: ['lobby'] })
    expect((await refusal(ws(t.body.url))).status).toBe(401)
    c.ws.close()
  })

  it('refuses unknown endpoints with 404 and leaves upgrades outside /ws/ to other listeners', async () => {
    const r = await refusal(ws('/ws/acme/nowhere'))
    expect(r.status).toBe(404)
    expect((await refusal(ws('/ws/no-such-circle/chat'))).status).toBe(404)
    s.platform.app.server.on('upgrade', (req, socket) => {
      if (req.url?.startsWith('/other/'))
        socket.end('HTTP/1.1 418 I am a teapot\r\nContent-Length: 0\r\n\r\n')
    })
    expect((await refusal(ws('/other/thing'))).status).toBe(418)
  })

  it('negotiates a subprotocol from spec.protocols and compresses only when per_message_deflate is on', async () => {
    await create('proto', { path: '/proto', protocols: ['chat.v2', 'chat.v1'] })
    const p = await join(ws('/ws/acme/proto'), { protocols: ['chat.v0', 'chat.v1'] })
    expect(p.ws.protocol).toBe('chat.v1')
    expect(p.ws.extensions).toBe('')
    p.ws.close()
    await create('zip', { path: '/zip', connection: { per_message_deflate: true } })
    const z = await join(ws('/ws/acme/zip'))
    expect(z.ws.extensions).toContain('permessage-deflate')
    const big = { text: 'compressible '.repeat(500) }
    expect((await op('zip', 'broadcast', { message: big })).body.delivered_to).toBe(1)
    expect(await z.next()).toEqual(big)
    z.ws.close()
  })

  it('answers hostile upgrades with 4xx and never leaks a connection slot', async () => {
    await create('guard', { path: '/guard', max_connections: 1, rooms: { enabled: true } })
    const { hostname: host, port } = new URL(s.url)
    const raw = (request: string) =>
      new Promise<string>((resolve, reject) => {
        const sock = createConnection({ host, port: Number(port) }, () => sock.write(request))
        let got = ''
        sock.on('data', (d) => {
          got += d.toString()
        })
        sock.on('end', () => resolve(got))
        sock.on('close', () => resolve(got))
        sock.on('error', reject)
      })
    const head = (path: string, extra = '') =>
      `GET ${path} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n${extra}\r\n`
    // No Sec-WebSocket-Key, a bad version, bad percent-encoding: refused, never hung.
    for (const req of [
      head('/ws/acme/guard'),
      head('/ws/acme/guard', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 99\r\n'),
      head('/ws/acme/%E0%A4%A'),
    ])
      expect(await raw(req)).toMatch(/^HTTP\/1\.1 4\d\d /)
    expect((await refusal(ws(`/ws/acme/chat?token=${'x'.repeat(10_000)}`))).status).toBe(401)
    const ctl = await refusal(ws('/ws/acme/guard?room=%01bad'))
    expect(ctl.status).toBe(400)
    expect(ctl.body.error.code).toBe('WS_ROOM_NOT_ALLOWED')
    const many = Array.from({ length: 25 }, (_, i) => `room=r${i}`).join('&')
    expect((await refusal(ws(`/ws/acme/guard?${many}`))).body.error.code).toBe('WS_ROOM_NOT_ALLOWED')
    // The only slot is still free after all of that.
    const c = await join(ws('/ws/acme/guard'))
    const long = await op('guard', 'join', { connection_id: c.id, room: 'x'.repeat(129) })
    expect(long.status).toBe(400)
    expect(long.body.error.code).toBe('VALIDATION_FAILED')
    c.ws.close()
  })

  it('validates the spec: paths, auth coherence, ranges', async () => {
    for (const [spec, field] of [
      [{ path: 'chat' }, 'path'],
      [{ path: '/a/../b' }, 'path'],
      [{ auth: { mode: 'bearer' } }, 'auth.tokens'],
      [{ auth: { mode: 'jwt' } }, 'auth.jwt_secret'],
      [{ auth: { mode: 'jwt', jwt_secret: 'short' } }, 'jwt_secret'],
      [{ max_connections: 0 }, 'max_connections'],
      [{ url: 'http://example.com' }, 'url'],
      [{ heartbeat: { interval_ms: 10 } }, 'interval_ms'],
      [{ handlers: { message: 'Not A Slug' } }, 'handlers.message'],
    ] as const) {
      const r = await s.api('POST', '/api/acme', { element_type: 'websocket', slug: 'bad', spec })
      expect(r.status, JSON.stringify(spec)).toBe(400)
      expect(JSON.stringify(r.body.error), JSON.stringify(spec)).toContain(field)
    }
    const big = await create('big', { path: '/big', max_connections: 20_000 })
    expect(big.warnings.map((w: any) => w.field)).toContain('spec.max_connections')
  })
})
