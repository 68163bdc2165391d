// iii's `kv` adapter on iii-state / iii-stream / iii-cron, end to end with a real iii-sdk worker:
// accepted without a warning; `in_memory` state really is in memory (nothing in the database,
// change triggers still fire, gone after a restart) while `file_based` streams are kept in
// Periodic's database and survive it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type IIIClient, registerWorker } from 'iii-sdk'
import type { Kysely } from 'kysely'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from './config.ts'
import { eventually, waitForTrigger } from './engine/engine-test-kit.ts'
import { parseIiiConfig } from './engine/iii-config.ts'
import { type Platform, startPlatform } from './main.ts'

const CONFIG = `
circle: kvshop
workers:
  - name: iii-worker-manager
    config: { port: 0 }
  - name: iii-state
    config:
      adapter:
        name: kv
        config: { store_method: in_memory }
  - name: iii-stream
    config:
      port: 0
      adapter:
        name: kv
        config: { store_method: file_based, file_path: ./data/stream_store, save_interval_ms: 5000 }
  - name: iii-cron
    config:
      adapter: { name: kv, config: { lock_ttl_ms: 30000, lock_index: cron_locks } }
`

const dataDir = mkdtempSync(join(tmpdir(), 'periodic-iii-kv-'))
const logLines: any[] = []
let platform: Platform | null = null
const workers: IIIClient[] = []

async function start(): Promise<Platform> {
  const file = join(dataDir, 'config.yaml')
  writeFileSync(file, CONFIG)
  const config = parseConfig(['--port', '0', '--data-dir', dataDir], { PERIODIC_III_CONFIG: file })
  const logger = pino({ level: 'info' }, { write: (s: string) => void logLines.push(JSON.parse(s)) })
  return startPlatform(config, { logger })
}

function worker(p: Platform): IIIClient {
  const w = registerWorker(`ws://127.0.0.1:${p.iii!.workerPorts[0]}`, {
    otel: { enabled: false },
    enableMetricsReporting: false,
    reconnectionConfig: { initialDelayMs: 50, maxDelayMs: 200 },
  })
  workers.push(w)
  return w
}

async function stop(): Promise<void> {
  await Promise.all(workers.splice(0).map((w) => w.shutdown().catch(() => {})))
  await platform?.close()
  platform = null
}

/** The database rows of the circle's items of one kind. */
async function rows(p: Platform, kind: 'state' | 'stream'): Promise<unknown[]> {
  const circle = await p.storage.findCircle('kvshop')
  const db = p.storage.kysely as unknown as Kysely<{
    engine_items: { circle_id: string; kind: string; item_key: string }
  }>
  return db
    .selectFrom('engine_items')
    .select('item_key')
    .where('circle_id', '=', circle!.id)
    .where('kind', '=', kind)
    .execute()
}

beforeAll(async () => {
  platform = await start()
})
afterAll(async () => {
  await stop()
  rmSync(dataDir, { recursive: true, force: true })
})

describe('iii kv adapters', () => {
  it('accepts kv on iii-state, iii-stream and iii-cron without a "not supported" warning', () => {
    expect(logLines.filter((l) => String(l.msg).includes('not supported'))).toEqual([])
    expect(parseIiiConfig(CONFIG)).toMatchObject({ inMemory: ['state'], unsupported: [] })
  })

  it('keeps in_memory state in memory (change triggers fire) and file_based streams in the database; a restart keeps only the streams', async () => {
    const p = platform!
    const w = worker(p)
    const events: any[] = []
    w.registerFunction('carts::changed', async (e: any) => {
      events.push(e)
      return null
    })
    w.registerTrigger({ type: 'state', function_id: 'carts::changed', config: { scope: 'carts' } })
    await waitForTrigger(w, 'carts::changed')
    const call = (function_id: string, payload: unknown) => w.trigger({ function_id, payload })
    await call('state::set', { scope: 'carts', key: 'c1', value: { items: 2 } })
    await call('state::update', {
      scope: 'carts',
      key: 'c1',
      ops: [{ type: 'increment', path: 'items', by: 1 }],
    })
    await call('stream::set', { stream_name: 'chat', group_id: 'room', item_id: 'm1', data: { text: 'hi' } })
    expect(await call('state::get', { scope: 'carts', key: 'c1' })).toEqual({ items: 3 })
    expect(await call('state::list_groups', {})).toEqual({ groups: ['carts'] })
    expect(await rows(p, 'state')).toEqual([])
    expect(await rows(p, 'stream')).toEqual([{ item_key: 'm1' }])
    expect(p.engine.store.memory.usedBytes).toBeGreaterThan(0)
    await eventually(() =>
      expect(events.map((e) => e.event_type)).toEqual(['state:created', 'state:updated']),
    )

    await stop()
    platform = await start()
    const again = worker(platform)
    const get = (function_id: string, payload: unknown) => again.trigger({ function_id, payload })
    await eventually(async () => expect(await get('state::list_groups', {})).toEqual({ groups: [] }))
    expect((await get('state::get', { scope: 'carts', key: 'c1' })) ?? null).toBeNull()
    expect(await get('stream::get', { stream_name: 'chat', group_id: 'room', item_id: 'm1' })).toEqual({
      text: 'hi',
    })
  })

  it('names another adapter or an unknown kv key as unsupported, and refuses an unknown store_method', () => {
    const c = parseIiiConfig(
      'workers:\n  - name: iii-state\n    config:\n      adapter: { name: kv, config: { store_method: file_based, shards: 4 } }\n  - name: iii-stream\n    config: { adapter: { name: redis } }\n',
    )
    expect(c.inMemory).toEqual([])
    expect(c.unsupported).toEqual(['iii-state adapter kv.shards', 'iii-stream adapter redis'])
    // iii's default store_method is in_memory.
    expect(
      parseIiiConfig('workers:\n  - name: iii-state\n    config: { adapter: { name: kv } }\n').inMemory,
    ).toEqual(['state'])
    expect(() =>
      parseIiiConfig(
        'workers:\n  - name: iii-state\n    config: { adapter: { name: kv, config: { store_method: disk } } }\n',
      ),
    ).toThrow(/store_method must be in_memory or file_based/)
  })
})
