// Rooms by all three ways (at connect, by the server, by client frames) and left on disconnect;
// heartbeat eviction of a client that stops answering pings; slow clients skipped by broadcasts
// and dropped; closing on disable; events, metrics and tokens kept out of logs.
import { Writable } from 'node:stream'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../../../test/test-server.ts'
import { connect, join, wsUrl } from '../../../test/ws-test-client.ts'
import type { PlatformEvent } from '../../events/event-bus.ts'

describe('websocket rooms, presence and connection health', () => {
  let s: TestServer
  let ws: (path: string) => string
  const events: PlatformEvent[] = []

  async function create(slug: string, spec: object) {
    const r = await s.api('POST', '/api/acme', { element_type: 'websocket', slug, spec })
    if (r.status !== 201) throw new Error(`create ${slug}: ${r.status} ${JSON.stringify(r.body)}`)
    return r.body
  }
  const op = (slug: string, name: string, body?: object) =>
    s.api(body === undefined ? 'GET' : 'POST', `/api/acme/${slug}/ops/${name}`, body)
  const members = async (slug: string, room: string) =>
    (
      await s.api('GET', `/api/acme/${slug}/ops/connections?room=${encodeURIComponent(room)}`)
    ).body.connections.map((c: any) => c.connection_id)

  beforeAll(async () => {
    s = await startTestServer()
    ws = (path) => wsUrl(s.url, path)
    s.platform.bus.subscribe('*', (e) => {
      if (e.type.startsWith('ws.')) events.push(e)
    })
    await s.createCircle('acme')
    await create('rooms', { path: '/rooms', rooms: { enabled: true } })
  })
  afterAll(async () => s?.close())

  it('joins rooms at connect with repeated ?room=, and broadcasts reach only the room', async () => {
    const a = await join(ws('/ws/acme/rooms?room=red&room=blue'))
    const b = await join(ws('/ws/acme/rooms?room=blue'))
    const c = await join(ws('/ws/acme/rooms'))
    expect(a.welcome.rooms).toEqual(['blue', 'red'])
    const red = await op('rooms', 'broadcast', { room: 'red', message: { to: 'red' } })
    expect(red.body).toMatchObject({ delivered_to: 1, subscriber_count: 1 })
    const blue = await op('rooms', 'broadcast', { room: 'blue', message: { to: 'blue' } })
    expect(blue.body).toMatchObject({ delivered_to: 2, subscriber_count: 2 })
    const everyone = await op('rooms', 'broadcast', { message: { to: 'all' } })
    expect(everyone.body).toEqual({ broadcast: true, delivered_to: 3, subscriber_count: 3 })
    expect([await a.next(), await a.next(), await a.next()]).toEqual([
      { to: 'red' },
      { to: 'blue' },
      { to: 'all' },
    ])
    expect([await b.next(), await b.next()]).toEqual([{ to: 'blue' }, { to: 'all' }])
    expect(await c.next()).toEqual({ to: 'all' })
    expect(c.pending()).toEqual([])
    expect((await members('rooms', 'blue')).sort()).toEqual([a.id, b.id].sort())
    for (const x of [a, b, c]) x.ws.close()
    await Promise.all([a.closed, b.closed, c.closed])
  })

  it('joins and leaves rooms by the join and leave operations, and by client frames', async () => {
    const a = await join(ws('/ws/acme/rooms'))
    const joined = await op('rooms', 'join', { connection_id: a.id, room: 'ops' })
    expect(joined.body).toMatchObject({ connection_id: a.id, room: 'ops', rooms: ['ops'], changed: true })
    a.ws.send(JSON.stringify({ type: 'join', room: 'frames' }))
    expect(await a.next()).toEqual({ type: 'joined', room: 'frames', rooms: ['frames', 'ops'] })
    expect(await members('rooms', 'frames')).toEqual([a.id])
    const left = await op('rooms', 'leave', { connection_id: a.id, room: 'ops' })
    expect(left.body.rooms).toEqual(['frames'])
    a.ws.send(JSON.stringify({ type: 'leave', room: 'frames' }))
    expect(await a.next()).toEqual({ type: 'left', room: 'frames', rooms: [] })
    expect(await members('rooms', 'frames')).toEqual([])
    const gone = await op('rooms', 'join', { connection_id: '00000000.0000000000000000', room: 'ops' })
    expect(gone.status).toBe(404)
    expect(gone.body.error.code).toBe('WS_CONNECTION_NOT_FOUND')
    a.ws.close()
  })

  it('leaves every room on disconnect', async () => {
    const a = await join(ws('/ws/acme/rooms?room=temp&room=other'))
    expect(await members('rooms', 'temp')).toEqual([a.id])
    a.ws.close()
    await a.closed
    await expect.poll(() => members('rooms', 'temp')).toEqual([])
    expect(await members('rooms', 'other')).toEqual([])
  })

  it('refuses rooms outside rooms.allowed, client frames when client_join is off, and rooms when disabled', async () => {
    await create('strict', { path: '/strict', rooms: { enabled: true, client_join: false, allowed: ['a'] } })
    const bad = await connect(ws('/ws/acme/strict?room=b')).catch((e) => e)
    expect(bad.status).toBe(400)
    expect(JSON.parse(bad.body).error.code).toBe('WS_ROOM_NOT_ALLOWED')
    const a = await join(ws('/ws/acme/strict?room=a'))
    a.ws.send(JSON.stringify({ type: 'join', room: 'a' }))
    expect(await a.next()).toMatchObject({ type: 'error', error: { code: 'WS_ROOM_NOT_ALLOWED' } })
    expect((await op('strict', 'join', { connection_id: a.id, room: 'b' })).body.error.code).toBe(
      'WS_ROOM_NOT_ALLOWED',
    )
    expect((await op('strict', 'broadcast', { room: 'b', message: 1 })).body.error.code).toBe(
      'WS_ROOM_NOT_ALLOWED',
    )
    await create('noroom', { path: '/noroom' })
    const r = await op('noroom', 'broadcast', { room: 'x', message: 1 })
    expect(r.status).toBe(400)
    expect(r.body.error.code).toBe('WS_ROOM_NOT_ALLOWED')
    a.ws.close()
  })

  it('terminates a client that stops answering pings and keeps one that answers', async () => {
    await create('beat', { path: '/beat', heartbeat: { interval_ms: 1000 } })
    const silent = await join(ws('/ws/acme/beat'), { autoPong: false })
    const healthy = await join(ws('/ws/acme/beat'))
    let pings = 0
    silent.ws.on('ping', () => pings++)
    const closed = await silent.closed
    expect(closed.code).toBe(1006)
    expect(pings).toBeGreaterThanOrEqual(1)
    expect(healthy.ws.readyState).toBe(healthy.ws.OPEN)
    const list = await op('beat', 'connections')
    expect(list.body.connections.map((c: any) => c.connection_id)).toEqual([healthy.id])
    healthy.ws.close()
  })

  it('skips a client whose unsent bytes pass max_buffered_bytes and then disconnects it', async () => {
    await create('slow', {
      path: '/slow',
      connection: { max_buffered_bytes: 1024, slow_timeout_ms: 200, max_message_bytes: 1_000_000 },
    })
    const slow = await join(ws('/ws/acme/slow'))
    const fast = await join(ws('/ws/acme/slow'))
    slow.ws.pause()
    const big = 'x'.repeat(500_000)
    let result: any
    // Kernel buffers absorb the first megabytes; keep going until the server sees the backlog.
    for (let i = 0; i < 400; i++) {
      result = (await op('slow', 'broadcast', { message: big })).body
      await fast.next()
      if (result.skipped_slow) break
    }
    expect(result).toMatchObject({ broadcast: true, delivered_to: 1, subscriber_count: 2, skipped_slow: 1 })
    // Stays slow past slow_timeout_ms: the shared timer drops it.
    await expect.poll(async () => (await op('slow', 'connections')).body.count, { timeout: 5000 }).toBe(1)
    fast.ws.close()
    slow.ws.terminate()
  })

  it('closes clients of an element that is disabled, and refuses new ones', async () => {
    await create('off', { path: '/off' })
    const a = await join(ws('/ws/acme/off'))
    expect((await s.api('POST', '/api/acme/off/ops/disable', { reason: 'maintenance' })).status).toBe(200)
    expect((await a.closed).code).toBe(1001)
    const r = await connect(ws('/ws/acme/off')).catch((e) => e)
    expect(r.status).toBe(404)
  })

  it('publishes ws.* events and counts connections and messages in /metrics', async () => {
    const before = events.length
    const a = await join(ws('/ws/acme/rooms'))
    await op('rooms', 'send', { connection_id: a.id, message: 'one' })
    await a.next()
    a.ws.send(JSON.stringify({ hello: true }))
    await op('rooms', 'broadcast', { message: 'two' })
    await a.next()
    a.ws.close()
    await a.closed
    await connect(ws('/ws/acme/strict?room=zzz')).catch(() => {})
    await expect
      .poll(() => events.slice(before).map((e) => e.type))
      .toEqual(
        expect.arrayContaining([
          'ws.connection.opened',
          'ws.message.sent',
          'ws.message.received',
          'ws.broadcast.completed',
          'ws.connection.closed',
          'ws.connection.rejected',
        ]),
      )
    const metrics = await (
      await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${s.adminKey}` } })
    ).text()
    // Every connection of this suite has closed by now: the gauge is there, at 0.
    expect(metrics).toMatch(/^ws_active_connections\{[^}]*\} 0/m)
    for (const name of [
      'ws_connection_count',
      'ws_message_sent_count',
      'ws_message_received_count',
      'ws_broadcast_count',
      'ws_broadcast_recipients',
      'ws_disconnect_count',
    ])
      expect(metrics, name).toMatch(new RegExp(`^${name}\\{[^}]*\\} [1-9]`, 'm'))
  })
})

describe('websocket logs', () => {
  it('redacts tokens in query strings from what it logs', async () => {
    const lines: string[] = []
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(chunk.toString())
        done()
      },
    })
    const { startPlatform } = await import('../../main.ts')
    const { parseConfig } = await import('../../config.ts')
    const { mkdtempSync, rmSync } = await import('node:fs')
    const { join: pathJoin } = await import('node:path')
    const { tmpdir } = await import('node:os')
    const dir = mkdtempSync(pathJoin(tmpdir(), 'ws-log-'))
    const p = await startPlatform(parseConfig(['--port', '0', '--data-dir', dir], {}), {
      logger: pino({ level: 'debug' }, sink),
    })
    try {
      const h = { authorization: `Bearer ${p.adminKey}`, 'content-type': 'application/json' }
      await fetch(`${p.url}/api`, {
        method: 'POST',
        headers: h,
        body: JSON.stringify({ element_type: 'circle', slug: 'acme' }),
      })
      const spec = { path: '/chat', auth: { mode: 'bearer', tokens: ['right-token'] } }
      await fetch(`${p.url}/api/acme`, {
        method: 'POST',
        headers: h,
        body: JSON.stringify({ element_type: 'websocket', slug: 'chat', spec }),
      })
      await connect(wsUrl(p.url, '/ws/acme/chat?token=wrong-token-value-123')).catch(() => {})
      const ok = await join(wsUrl(p.url, '/ws/acme/chat?token=right-token'))
      ok.ws.close()
      await ok.closed
      const all = lines.join('')
      expect(all).toContain('websocket upgrade refused')
      expect(all).toContain('token=REDACTED')
      expect(all).not.toContain('wrong-token-value-123')
      expect(all).not.toContain('right-token')
    } finally {
      await p.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
