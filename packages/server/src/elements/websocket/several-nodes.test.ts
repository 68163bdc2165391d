// Several nodes: two `periodic serve` processes on one PostgreSQL schema and one Redis (a
// prefix of this test's own), clients on both. One broadcast reaches all of them, presence
// lists all of them, send/close/join reach a connection held by the other node,
// max_connections counts both nodes, and exactly one node holds a driven link.
import { randomBytes } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocketServer } from 'ws'
import {
  callNode,
  type ServeProcess,
  startServeProcess,
  stopServeProcess,
} from '../../../test/serve-process.ts'
import { redisAnswers, TEST_REDIS_URL } from '../../../test/test-redis.ts'
import { testDatabaseUrl } from '../../../test/test-server.ts'
import { connect, join, wsUrl } from '../../../test/ws-test-client.ts'

const DB = testDatabaseUrl()
const REDIS = TEST_REDIS_URL
const ADMIN = `admin-${randomBytes(12).toString('hex')}`

const HAVE_REDIS = await redisAnswers('several-nodes WebSocket')

type Node = ServeProcess

const startNode = (env: Record<string, string>) =>
  startServeProcess({ PERIODIC_ADMIN_KEY: ADMIN, PERIODIC_SANDBOX: 'process', ...env })
const stopNode = (n: Node) => stopServeProcess(n)
const api = (n: Node, method: string, path: string, body?: unknown) => callNode(n, ADMIN, method, path, body)

describe.skipIf(!DB || !HAVE_REDIS)('websocket on several nodes (PostgreSQL + Redis)', () => {
  const schema = `t_ws_${randomBytes(5).toString('hex')}`
  let a: Node
  let b: Node

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: DB })
    await admin.connect()
    await admin.query(`CREATE SCHEMA ${schema}`)
    await admin.end()
    const env = {
      DATABASE_URL: `${DB}${DB!.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`,
      REDIS_URL: REDIS,
      PERIODIC_REDIS_PREFIX: `test:${schema}:`,
    }
    // One after the other: the first start runs the migrations on the fresh schema.
    a = await startNode(env)
    b = await startNode(env)
    expect((await api(a, 'POST', '/api', { element_type: 'circle', slug: 'acme' })).status).toBe(201)
    const chat = await api(a, 'POST', '/api/acme', {
      element_type: 'websocket',
      slug: 'chat',
      spec: { path: '/chat', rooms: { enabled: true } },
    })
    expect(chat.status).toBe(201)
  }, 90_000)

  afterAll(async () => {
    await Promise.all([a && stopNode(a), b && stopNode(b)])
    const admin = new pg.Client({ connectionString: DB })
    await admin.connect()
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
    await admin.end()
  }, 30_000)

  it('delivers one broadcast to clients on both nodes and lists all of them in presence', async () => {
    const onA = [
      await join(wsUrl(a.url, '/ws/acme/chat?room=lobby')),
      await join(wsUrl(a.url, '/ws/acme/chat')),
    ]
    const onB = [
      await join(wsUrl(b.url, '/ws/acme/chat?room=lobby')),
      await join(wsUrl(b.url, '/ws/acme/chat')),
    ]
    const all = [...onA, ...onB]
    const nodeOf = (c: { id: string }) => c.id.split('.')[0]
    expect(new Set(all.map(nodeOf)).size).toBe(2)

    const r = await api(a, 'POST', '/api/acme/chat/ops/broadcast', { message: { text: 'everyone' } })
    // Exactly the three fields: no node was unreachable, no client was slow.
    expect(r.body).toEqual({ broadcast: true, delivered_to: 4, subscriber_count: 4 })
    for (const c of all) expect(await c.next()).toEqual({ text: 'everyone' })

    const room = await api(b, 'POST', '/api/acme/chat/ops/broadcast', {
      room: 'lobby',
      message: { text: 'lobby' },
    })
    expect(room.body).toMatchObject({ delivered_to: 2, subscriber_count: 2 })
    expect(await onA[0]!.next()).toEqual({ text: 'lobby' })
    expect(await onB[0]!.next()).toEqual({ text: 'lobby' })

    for (const n of [a, b]) {
      const list = await api(n, 'GET', '/api/acme/chat/ops/connections')
      expect(list.body.count).toBe(4)
      expect(list.body.connections.map((c: any) => c.connection_id).sort()).toEqual(
        all.map((c) => c.id).sort(),
      )
      expect(new Set(list.body.connections.map((c: any) => c.node))).toEqual(new Set(all.map(nodeOf)))
    }
    const lobby = await api(a, 'GET', '/api/acme/chat/ops/connections?room=lobby')
    expect(lobby.body.connections.map((c: any) => c.connection_id).sort()).toEqual(
      [onA[0]!.id, onB[0]!.id].sort(),
    )

    // send, join and close reach a connection held by the other node.
    const target = onB[1]!
    expect(
      (await api(a, 'POST', '/api/acme/chat/ops/send', { connection_id: target.id, message: 'direct' })).body,
    ).toMatchObject({ sent: true })
    expect(await target.next()).toBe('direct')
    const joined = await api(a, 'POST', '/api/acme/chat/ops/join', { connection_id: target.id, room: 'vip' })
    expect(joined.body.rooms).toEqual(['vip'])
    const vip = await api(a, 'POST', '/api/acme/chat/ops/broadcast', { room: 'vip', message: 'vip' })
    expect(vip.body).toMatchObject({ delivered_to: 1, subscriber_count: 1 })
    expect(await target.next()).toBe('vip')
    const closed = await api(b, 'POST', '/api/acme/chat/ops/close', {
      connection_id: onA[1]!.id,
      code: 4000,
      reason: 'evicted',
    })
    expect(closed.body).toMatchObject({ closed: true })
    expect(await onA[1]!.closed).toEqual({ code: 4000, reason: 'evicted' })
    const gone = await api(b, 'POST', '/api/acme/chat/ops/send', { connection_id: onA[1]!.id, message: 'x' })
    expect(gone.status).toBe(404)
    expect(gone.body.error.code).toBe('WS_CONNECTION_NOT_FOUND')
    for (const c of all) c.ws.close()
    await Promise.all(all.map((c) => c.closed))
  })

  it('hands out accept tickets on one node that are redeemed on the other', async () => {
    const t = await api(a, 'POST', '/api/acme/chat/ops/accept', { user: 'bea', rooms: ['lobby'] })
    const c = await join(wsUrl(b.url, t.body.url))
    expect(c.welcome).toMatchObject({ connection_id: t.body.connection_id, user: 'bea' })
    const sent = await api(a, 'POST', '/api/acme/chat/ops/send', {
      connection_id: t.body.connection_id,
      message: 'hi bea',
    })
    expect(sent.body.sent).toBe(true)
    expect(await c.next()).toBe('hi bea')
    c.ws.close()
    await c.closed
  })

  it('enforces max_connections over both nodes', async () => {
    await api(a, 'POST', '/api/acme', {
      element_type: 'websocket',
      slug: 'few',
      spec: { path: '/few', max_connections: 3 },
    })
    const held = [
      await join(wsUrl(a.url, '/ws/acme/few')),
      await join(wsUrl(b.url, '/ws/acme/few')),
      await join(wsUrl(a.url, '/ws/acme/few')),
    ]
    const over = await connect(wsUrl(b.url, '/ws/acme/few'))
    expect(await over.closed).toEqual({ code: 1013, reason: 'WS_MAX_CONNECTIONS_REACHED' })
    for (const c of held) c.ws.close()
  })

  it('holds each driven link on exactly one node and moves it when that node stops', async () => {
    const http = createServer()
    const wss = new WebSocketServer({ server: http })
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
    const port = (http.address() as AddressInfo).port
    try {
      const r = await api(b, 'POST', '/api/acme', {
        element_type: 'websocket',
        slug: 'feed',
        spec: { url: `ws://127.0.0.1:${port}/`, reconnect: { initial_delay_ms: 100 } },
      })
      expect(r.status).toBe(201)
      const linkVia = async (n: Node) => (await api(n, 'GET', '/api/acme/feed/ops/connections')).body.link
      await expect.poll(async () => (await linkVia(a)).state, { timeout: 15_000 }).toBe('open')
      const holder = (await linkVia(a)).node
      expect((await linkVia(b)).node).toBe(holder)
      // Several renewals later there is still one link, not one per node.
      await new Promise((res) => setTimeout(res, 3500))
      expect(wss.clients.size).toBe(1)
      const got: string[] = []
      wss.on('connection', (sock) => sock.on('message', (d) => got.push(d.toString())))
      for (const sock of wss.clients) sock.on('message', (d) => got.push(d.toString()))
      const idA = await nodeIdOf(a)
      const viaOther = holder === idA ? b : a
      expect(
        (await api(viaOther, 'POST', '/api/acme/feed/ops/send', { message: { via: 'other' } })).body.sent,
      ).toBe(true)
      await expect.poll(() => got).toContain('{"via":"other"}')

      // The holder stops: the survivor takes the link over.
      const [stopping, survivor] = holder === idA ? [a, b] : [b, a]
      await stopNode(stopping)
      await expect
        .poll(async () => (await linkVia(survivor)).node, { timeout: 20_000 })
        .toBe(await nodeIdOf(survivor))
      await expect.poll(async () => (await linkVia(survivor)).state, { timeout: 10_000 }).toBe('open')
      expect(wss.clients.size).toBe(1)
    } finally {
      for (const c of wss.clients) c.terminate()
      wss.close()
      await new Promise<void>((resolve) => http.close(() => resolve()))
    }
  }, 60_000)

  /** A node's id, learned from the connection id it gives a client. */
  async function nodeIdOf(n: Node): Promise<string> {
    const c = await join(wsUrl(n.url, '/ws/acme/chat'))
    c.ws.close()
    return c.id.split('.')[0]!
  }
})
