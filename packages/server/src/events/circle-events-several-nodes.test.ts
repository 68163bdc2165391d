// The events stream across nodes: two platforms on one database (a PostgreSQL schema of this
// test's own, or one SQLite data directory without PERIODIC_TEST_DATABASE_URL) and one Redis (a
// prefix of this test's own). Writes through node A reach a stream on node B and one on node A
// with the same ids in the same order; a stream resumed on B after an id A sent gets exactly
// what followed.
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { redisAnswers, TEST_REDIS_URL } from '../../test/test-redis.ts'
import { testDatabaseUrl } from '../../test/test-server.ts'
import { parseConfig } from '../config.ts'
import { type Platform, startPlatform } from '../main.ts'
import { createPostgresStorage, dropPostgresSchema } from '../storage/postgres.ts'
import { type OpenStream, openEvents, waitForEvents } from './events-test-helpers.ts'

const HAVE_REDIS = await redisAnswers('events stream on several nodes')
const ADMIN = `admin-${randomBytes(12).toString('hex')}`

describe.skipIf(!HAVE_REDIS)('circle events stream on several nodes (Redis)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'periodic-events-nodes-'))
  const dbUrl = testDatabaseUrl()
  const schema = `t_ev_${randomBytes(5).toString('hex')}`
  const env = {
    PERIODIC_ADMIN_KEY: ADMIN,
    PERIODIC_RATE_LIMIT: '0',
    PERIODIC_PYTHON_WARM_SANDBOXES: '0',
    REDIS_URL: TEST_REDIS_URL,
    PERIODIC_REDIS_PREFIX: `t${randomBytes(6).toString('hex')}:`,
  }
  const nodes: Platform[] = []
  const streams: OpenStream[] = []
  let a: Platform
  let b: Platform
  const api = async (node: Platform, method: string, path: string, body?: unknown) => {
    const r = await fetch(node.url + path, {
      method,
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    expect(r.status, `${method} ${path}`).toBeLessThan(300)
    return r.json()
  }
  const follow = async (node: Platform, lastEventId?: string) => {
    const st = await openEvents(node.url, 'acme', ADMIN, lastEventId ? { lastEventId } : {})
    streams.push(st)
    expect(st.status).toBe(200)
    return st
  }

  beforeAll(async () => {
    // One after the other: the first start runs the migrations.
    for (let i = 0; i < 2; i++) {
      const storage = dbUrl
        ? await createPostgresStorage({ url: dbUrl, schema, maxConnections: 4 })
        : undefined
      nodes.push(
        await startPlatform(parseConfig(['--port', '0', '--data-dir', dir], env), {
          logger: pino({ level: 'silent' }),
          ...(storage ? { storage } : {}),
        }),
      )
    }
    ;[a, b] = nodes as [Platform, Platform]
    await api(a, 'POST', '/api', { element_type: 'circle', slug: 'acme' })
  })
  afterAll(async () => {
    for (const st of streams) st.close()
    for (const n of nodes) {
      // Aborted fetches can leave their sockets open on the server for a while (undici); a browser
      // or curl closes them, and the circle drain ends the streams themselves at shutdown.
      n.app.server.closeAllConnections()
      await n.close()
    }
    if (dbUrl) await dropPostgresSchema(dbUrl, schema)
    rmSync(dir, { recursive: true, force: true })
  })

  it('delivers events written on either node to both, with the same ids in the same order', async () => {
    const onA = await follow(a)
    const onB = await follow(b)
    await api(a, 'POST', '/api/acme', { element_type: 'variable', slug: 'v' })
    await api(b, 'PATCH', '/api/acme/v/ops/update', { spec: { value: 1 } })
    await api(a, 'PATCH', '/api/acme/v/ops/update_meta', { meta: { x: 1 } })
    await api(b, 'DELETE', '/api/acme/v/ops/delete', { confirm: true })
    const fromB = await waitForEvents(onB, 4)
    const fromA = await waitForEvents(onA, 4)
    expect(fromB.map((f) => f.event)).toEqual([
      'element.created',
      'element.updated',
      'element.meta_updated',
      'element.deleted',
    ])
    expect(fromB.map((f) => f.id)).toEqual(fromA.map((f) => f.id))
    expect(fromB[1]!.data).toMatchObject({ circle: 'acme', element_path: 'acme/v', version: 2 })
  })

  it('resumes on node B after an id node A sent', async () => {
    const onA = await follow(a)
    await api(a, 'POST', '/api/acme', { element_type: 'variable', slug: 'r' })
    const [created] = await waitForEvents(onA, 1)
    await api(a, 'PATCH', '/api/acme/r/ops/update', { spec: { value: 1 } })
    await api(b, 'PATCH', '/api/acme/r/ops/update', { spec: { value: 2 } })
    await waitForEvents(onA, 3)
    const resumed = await follow(b, created!.id)
    const got = await waitForEvents(resumed, 2)
    expect(got.map((f) => f.id)).toEqual(
      onA
        .events()
        .slice(1, 3)
        .map((f) => f.id),
    )
    expect(got.map((f) => f.data.version)).toEqual([2, 3])
    expect(resumed.frames.some((f) => f.event === 'reset')).toBe(false)
  })
})
