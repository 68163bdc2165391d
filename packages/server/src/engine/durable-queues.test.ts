// Queue jobs live in the database: a job enqueued while its function is away survives a server
// restart and runs once a worker registers the function again (SQLite and PostgreSQL).
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { registerWorker, TriggerAction } from 'iii-sdk'
import { pino } from 'pino'
import { afterAll, describe, expect, it } from 'vitest'
import { storageKinds, testDatabaseUrl } from '../../test/test-server.ts'
import { parseConfig } from '../config.ts'
import { startPlatform } from '../main.ts'
import { createPostgresStorage, dropPostgresSchema } from '../storage/postgres.ts'
import { eventually } from './engine-test-kit.ts'

describe.each(storageKinds())('durable queue jobs on %s', (kind) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'periodic-queue-'))
  const schema = `queue_${randomBytes(6).toString('hex')}`
  afterAll(async () => {
    if (kind === 'postgres') await dropPostgresSchema(testDatabaseUrl()!, schema)
    rmSync(dataDir, { recursive: true, force: true })
  })
  const start = async () =>
    startPlatform(parseConfig(['--port', '0', '--data-dir', dataDir], { PERIODIC_RATE_LIMIT: '0' }), {
      logger: pino({ level: 'silent' }),
      ...(kind === 'postgres'
        ? { storage: await createPostgresStorage({ url: testDatabaseUrl()!, schema, maxConnections: 4 }) }
        : {}),
    })
  const worker = (url: string, key: string) =>
    registerWorker(url, {
      headers: { authorization: `Bearer ${key}` },
      otel: { enabled: false },
      enableMetricsReporting: false,
      reconnectionConfig: { maxRetries: 0 },
    })

  it('runs a job enqueued before a restart once its function is back', async () => {
    const first = await start()
    const h = { authorization: `Bearer ${first.adminKey}`, 'content-type': 'application/json' }
    await fetch(`${first.url}/api`, {
      method: 'POST',
      headers: h,
      body: JSON.stringify({ element_type: 'circle', slug: 'acme' }),
    })
    const r = await fetch(`${first.url}/api/acme/ops/api_keys`, {
      method: 'POST',
      headers: h,
      body: JSON.stringify({ name: 'w', scopes: ['read', 'write', 'execute'] }),
    })
    const key = ((await r.json()) as { key: string }).key
    const a = worker(first.engineUrl, key)
    // Nobody serves jobs::later yet: the first attempt fails and the job waits for a retry.
    await a.trigger({
      function_id: 'engine::queues::configure',
      payload: { queue: 'later', max_retries: 8, backoff_ms: 1000 },
    })
    const { messageReceiptId } = await a.trigger<unknown, { messageReceiptId: string }>({
      function_id: 'jobs::later',
      payload: { order: 42 },
      action: TriggerAction.Enqueue({ queue: 'later' }),
    })
    await eventually(async () => {
      const s = await a.trigger<unknown, { retrying: number }>({
        function_id: 'engine::queues::stats',
        payload: { queue: 'later' },
      })
      expect(s.retrying).toBe(1)
    })
    await a.shutdown()
    await first.close()

    const second = await start()
    const b = worker(second.engineUrl, key)
    const ran = new Promise<unknown>((resolve) =>
      b.registerFunction('jobs::later', async (p: unknown, metadata?: unknown) => {
        resolve({ p, metadata })
        return null
      }),
    )
    // The new node finds the stored job on its sweep and runs it when its retry is due.
    expect(await ran).toEqual({ p: { order: 42 }, metadata: undefined })
    await eventually(async () => {
      const s = await b.trigger<unknown, { ready: number; retrying: number; dead: number }>({
        function_id: 'engine::queues::stats',
        payload: { queue: 'later' },
      })
      expect(s).toMatchObject({ ready: 0, retrying: 0, dead: 0 })
    })
    expect(messageReceiptId).toMatch(/^[0-9a-f-]{36}$/)
    await b.shutdown()
    await second.close()
  })
})
