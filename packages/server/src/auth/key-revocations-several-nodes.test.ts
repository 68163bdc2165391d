// Revocations across nodes: two platforms on one database and one Redis (a prefix of this test's
// own). A key revoked, or a circle deleted, through node A ends the connections node B holds
// with it — workers (and the functions they served to every node), stream clients and ticket
// WebSocket clients.
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join as joinPath } from 'node:path'
import { type IIIClient, registerWorker } from 'iii-sdk'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { redisAnswers, TEST_REDIS_URL } from '../../test/test-redis.ts'
import { connect, join, wsUrl } from '../../test/ws-test-client.ts'
import { parseConfig } from '../config.ts'
import { eventually, waitForFunction } from '../engine/engine-test-kit.ts'
import { type Platform, startPlatform } from '../main.ts'

const HAVE_REDIS = await redisAnswers('key revocations on several nodes')
const ADMIN = `admin-${randomBytes(12).toString('hex')}`

describe.skipIf(!HAVE_REDIS)('key revocations on several nodes (Redis)', () => {
  const dir = mkdtempSync(joinPath(tmpdir(), 'periodic-revoke-nodes-'))
  const env = {
    PERIODIC_ADMIN_KEY: ADMIN,
    PERIODIC_RATE_LIMIT: '0',
    REDIS_URL: TEST_REDIS_URL,
    PERIODIC_REDIS_PREFIX: `t${randomBytes(6).toString('hex')}:`,
  }
  const nodes: Platform[] = []
  const workers: IIIClient[] = []
  let a: Platform
  let b: Platform
  /** A key nothing here revokes, for a worker on node A that looks at what is left. */
  let stayKey = ''

  const api = async (node: Platform, method: string, path: string, body?: unknown, key = ADMIN) => {
    const r = await fetch(node.url + path, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    const out = { status: r.status, body: (await r.json()) as Record<string, any> }
    if (out.status >= 300) throw new Error(`${method} ${path}: ${out.status} ${JSON.stringify(out.body)}`)
    return out.body
  }
  const newKey = (circle: string, scopes: string[]) =>
    api(a, 'POST', `/api/${circle}/ops/api_keys`, { name: 'doomed', scopes }) as Promise<{
      id: string
      key: string
    }>
  const worker = (node: Platform, key: string) => {
    const w = registerWorker(node.engineUrl, {
      headers: { authorization: `Bearer ${key}` },
      otel: { enabled: false },
      enableMetricsReporting: false,
      reconnectionConfig: { maxRetries: 0 },
    })
    workers.push(w)
    return w
  }
  const bearer = (key: string) => ({ headers: { authorization: `Bearer ${key}` } })

  beforeAll(async () => {
    // One SQLite file for both nodes: the same data directory.
    for (let i = 0; i < 2; i++)
      nodes.push(
        await startPlatform(parseConfig(['--port', '0', '--data-dir', dir], env), {
          logger: pino({ level: 'silent' }),
        }),
      )
    ;[a, b] = nodes as [Platform, Platform]
    await api(a, 'POST', '/api', { element_type: 'circle', slug: 'acme' })
    stayKey = (await newKey('acme', ['read', 'write', 'execute'])).key
  })
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.shutdown().catch(() => {})))
    for (const n of nodes) await n.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('closes node B’s worker, stream and ticket clients when node A revokes their key', async () => {
    await api(a, 'POST', '/api/acme', {
      element_type: 'websocket',
      slug: 'lobby',
      spec: { path: '/lobby', auth: { mode: 'bearer', tokens: ['lobby-token-1'] } },
    })
    const { id, key } = await newKey('acme', ['read', 'write', 'execute'])
    const onB = worker(b, key)
    onB.registerFunction('far::hello', async () => ({ from: 'b' }))
    const onA = worker(a, stayKey)
    await waitForFunction(onA, 'far::hello')
    expect(await onA.trigger({ function_id: 'far::hello', payload: {} })).toEqual({ from: 'b' })
    const rawWorker = await connect(b.engineUrl, bearer(key))
    const stream = await connect(wsUrl(b.url, `/streams/acme?token=${key}`))
    const ticket = await api(a, 'POST', '/api/acme/lobby/ops/accept', { user: 'ann' }, key)
    const byTicket = await join(wsUrl(b.url, ticket['url']))

    await api(a, 'DELETE', `/api/acme/ops/api_keys/${id}`)
    for (const c of [rawWorker, stream, byTicket])
      expect(await c.closed).toEqual({ code: 4401, reason: 'api key revoked' })
    // The function node B's worker served is gone for every node.
    await eventually(async () => {
      await expect(onA.trigger({ function_id: 'far::hello', payload: {} })).rejects.toMatchObject({
        code: 'function_not_found',
      })
    }, 10_000)
  })

  it('closes node B’s workers of a circle node A deletes', async () => {
    await api(a, 'POST', '/api', { element_type: 'circle', slug: 'doomed' })
    const { key } = await newKey('doomed', ['read', 'write', 'execute'])
    const rawWorker = await connect(b.engineUrl, bearer(key))
    const stream = await connect(wsUrl(b.url, `/streams/doomed?token=${key}`))
    await api(a, 'DELETE', '/api/doomed', { confirm: true })
    for (const c of [rawWorker, stream])
      expect(await c.closed).toEqual({ code: 4401, reason: 'circle deleted' })
  })
})
