// Automations through HTTP on a server whose schedules run on a manual clock: an `every`
// schedule fires once per tick and stops while paused, an `on` schedule starts one run per
// event, sync reports what changed and starts nothing, a revoked (or execute-less) writer key
// keeps an automation from firing, and the API's scopes and not-found answers.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { PeriodicClient } from '@periodic/sdk'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormatsModule from 'ajv-formats'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../../../test/test-server.ts'
import { ManualClock } from '../../engine/engine-test-kit.ts'
import type { WorkflowRuntime } from './workflow-runtime.ts'

// The next whole minute: the clock starts close to real time (`after` counts from stored times).
const T0 = Math.ceil(Date.now() / 60_000) * 60_000
const MINUTE = 60_000

/** openapi.json's component `name`, every object closed: the answers the SDK's types describe. */
function shapeOf(name: string) {
  const closed = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(closed)
    if (!x || typeof x !== 'object') return x
    const out: Record<string, unknown> = Object.fromEntries(Object.entries(x).map(([k, v]) => [k, closed(v)]))
    if (out['properties'] && out['additionalProperties'] === undefined) out['additionalProperties'] = false
    return out
  }
  const file = join(import.meta.dirname, '../../../openapi.json')
  const schemas = JSON.parse(readFileSync(file, 'utf8')).components.schemas
  const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (
    a: Ajv2020,
  ) => Ajv2020
  const ajv = addFormats(new Ajv2020({ strict: false, allErrors: true }))
  ajv.addSchema({ $id: 'https://periodic.invalid/api', components: { schemas: closed(schemas) } })
  const validate = ajv.getSchema(`https://periodic.invalid/api#/components/schemas/${name}`)!
  return (body: unknown) => (validate(body) ? [] : validate.errors)
}

const doc = (name: string, extra: string, tasks = '  - mark: { set: { ok: true } }\n') =>
  `document: { dsl: '1.0.0', namespace: acme, name: ${name}, version: '1.0.0' }\n${extra}do:\n${tasks}`

describe('workflow automations', () => {
  let s: TestServer
  const clock = new ManualClock(T0)
  const runtime = () => s.platform.elements.registry.runtimeOf('workflow') as WorkflowRuntime
  /** Moves the clock and waits for every firing it caused to be done. */
  const advance = async (ms: number) => {
    clock.advance(ms)
    await runtime().automations.scheduler.idle()
  }
  const runsOf = async (slug: string) => {
    const r = await s.api('GET', `/api/v1/runs?target=acme/${slug}&trigger=automation&limit=200`)
    expect(r.status, JSON.stringify(r.body)).toBe(200)
    return r.body.runs as Array<{ id: string; status: string; trigger: string }>
  }
  const create = async (slug: string, definition: string, key?: string) => {
    const r = await s.api(
      'POST',
      '/api/acme',
      { element_type: 'workflow', slug, spec: { definition } },
      key ? { key } : {},
    )
    expect(r.status, JSON.stringify(r.body)).toBe(201)
    return r.body.id as string
  }
  const sync = (ref: string) => s.api('POST', `/api/v1/automations/${encodeURIComponent(ref)}/sync`)

  beforeAll(async () => {
    s = await startTestServer({ start: { engineClock: clock } })
    await s.createCircle('acme')
  }, 60_000)

  afterAll(async () => {
    await s?.close()
  })

  it('an `after` schedule starts a run that long after the previous one ended', async () => {
    await create('again', doc('again', 'schedule:\n  after: PT10M\n'))
    await sync('acme/again')
    // The first run: ten minutes after the automation began (it began within a minute of T0).
    await advance(8 * MINUTE)
    expect(await runsOf('again')).toHaveLength(0)
    await advance(3 * MINUTE)
    const [first] = await runsOf('again')
    expect(first).toBeDefined()
    expect((await s.api('GET', `/api/v1/runs/${first!.id}?wait=30`)).body.status).toBe('succeeded')
    await runtime().automations.scheduler.idle()
    // The next: ten minutes after that run ended, not before.
    await advance(8 * MINUTE)
    expect(await runsOf('again')).toHaveLength(1)
    await advance(3 * MINUTE)
    const runs = await runsOf('again')
    expect(runs).toHaveLength(2)
    const second = await s.api('GET', `/api/v1/runs/${runs[0]!.id}?expand=debug&wait=30`)
    expect(second.body.debug.trigger_info).toMatchObject({ after_run_id: first!.id })
    await s.api('POST', '/api/v1/automations/acme%2Fagain/pause')
  })

  it('an `every` schedule starts one run per tick, none while paused, and again once resumed', async () => {
    const id = await create('tick', doc('tick', 'schedule:\n  every: { minutes: 1 }\n'))
    // The create reconciled it already; a sync waits for that and says nothing changed.
    const synced = await sync('acme/tick')
    expect(synced.status, JSON.stringify(synced.body)).toBe(200)
    expect(synced.body).toMatchObject({ action: 'unchanged', runs_started: 0 })
    expect(synced.body.automation).toMatchObject({
      id,
      path: 'acme/tick',
      kind: 'every',
      state: 'active',
      source_ref: 'draft',
      next_fire_at: new Date(T0 + 23 * MINUTE).toISOString(),
    })
    expect(await runsOf('tick')).toHaveLength(0)

    for (let i = 0; i < 3; i++) await advance(MINUTE)
    const runs = await runsOf('tick')
    expect(runs).toHaveLength(3)
    const one = await s.api('GET', `/api/v1/runs/${runs[0]!.id}?expand=debug&wait=30`)
    expect(one.body).toMatchObject({ status: 'succeeded', trigger: 'automation', output: { ok: true } })
    expect(one.body.debug.trigger_info).toMatchObject({ automation: id, key_id: 'platform-admin' })
    expect(one.body.debug.trigger_info.tick).toMatch(/^\d{4}-.*Z$/)

    const paused = await s.api('POST', `/api/v1/automations/${id}/pause`)
    expect(paused.status).toBe(200)
    expect(paused.body).toMatchObject({ state: 'paused', paused: true, next_fire_at: null })
    for (let i = 0; i < 3; i++) await advance(MINUTE)
    expect(await runsOf('tick')).toHaveLength(3)

    const resumed = await s.api('POST', `/api/v1/automations/${id}/resume`)
    expect(resumed.body).toMatchObject({ state: 'active', paused: false })
    await advance(MINUTE)
    expect(await runsOf('tick')).toHaveLength(4)
    const listed = await s.api('GET', '/api/v1/automations')
    const row = listed.body.automations.find((a: { id: string }) => a.id === id)
    expect(row).toMatchObject({ last_run_id: expect.any(String), last_error: null })

    // A disabled workflow's automation stays listed and does not fire; enabled, it does again.
    expect((await s.api('POST', '/api/acme/tick/ops/disable', {})).status).toBe(200)
    expect((await s.api('GET', `/api/v1/automations/${id}`)).body.state).toBe('disabled')
    await advance(2 * MINUTE)
    expect(await runsOf('tick')).toHaveLength(4)
    expect((await s.api('POST', '/api/acme/tick/ops/enable', {})).status).toBe(200)
    await advance(MINUTE)
    expect(await runsOf('tick')).toHaveLength(5)
    await s.api('POST', `/api/v1/automations/${id}/pause`)
  })

  it('an `on` schedule starts one run per matching event (an event id counts once)', async () => {
    await create(
      'on-ping',
      doc(
        'on-ping',
        'schedule:\n  on: { one: { with: { type: com.acme.ping } } }\n',
        `  - echo: { set: { got: '\${ .data.n }', type: '\${ .type }' } }\n`,
      ),
    )
    await create(
      'pinger',
      doc(
        'pinger',
        '',
        `  - ping: { emit: { event: { with: { type: com.acme.ping, source: 'https://acme.test/pinger', id: '\${ .id }', data: { n: '\${ .n }' } } } } }\n`,
      ),
    )
    await sync('acme/on-ping')
    for (const [n, eventId] of [
      [1, 'e1'],
      [2, 'e2'],
      [3, 'e1'], // the same event again: no second run
    ] as const) {
      const r = await s.api('POST', '/api/acme/pinger/ops/invoke?wait_for_completion=30', { n, id: eventId })
      expect(r.body.status, JSON.stringify(r.body)).toBe('succeeded')
    }
    await runtime().automations.scheduler.idle()
    const runs = await runsOf('on-ping')
    expect(runs).toHaveLength(2)
    const outputs = []
    for (const run of runs) outputs.push((await s.api('GET', `/api/v1/runs/${run.id}?wait=30`)).body.output)
    expect(outputs.sort((a, b) => a.got - b.got)).toEqual([
      { got: 1, type: 'com.acme.ping' },
      { got: 2, type: 'com.acme.ping' },
    ])
    // Timed ticks do not start an `on` automation.
    await advance(10 * MINUTE)
    expect(await runsOf('on-ping')).toHaveLength(2)
  })

  it('an `on: all` schedule starts one run once each filter has matched, with the events', async () => {
    await create(
      'on-both',
      doc(
        'on-both',
        'schedule:\n  on: { all: [ { with: { type: com.acme.a } }, { with: { type: com.acme.b } } ] }\n',
        `  - count: { set: { types: '\${ map(.type) }' } }\n`,
      ),
    )
    await create(
      'emitter',
      doc(
        'emitter',
        '',
        `  - send: { emit: { event: { with: { type: '\${ .type }', source: 'https://acme.test/emitter' } } } }\n`,
      ),
    )
    await sync('acme/on-both')
    const send = async (type: string) => {
      const r = await s.api('POST', '/api/acme/emitter/ops/invoke?wait_for_completion=30', { type })
      expect(r.body.status, JSON.stringify(r.body)).toBe('succeeded')
      await runtime().automations.scheduler.idle()
    }
    await send('com.acme.a')
    await send('com.acme.a')
    expect(await runsOf('on-both')).toHaveLength(0)
    await send('com.acme.b')
    const runs = await runsOf('on-both')
    expect(runs).toHaveLength(1)
    const run = await s.api('GET', `/api/v1/runs/${runs[0]!.id}?wait=30`)
    expect(run.body.output).toEqual({ types: ['com.acme.a', 'com.acme.b'] })
    // A new set starts after the run: a `b` alone completes nothing.
    await send('com.acme.b')
    expect(await runsOf('on-both')).toHaveLength(1)
  })

  it('sync reconciles from the definition, reports what changed, and starts no run', async () => {
    const id = await create('later', doc('later', ''))
    const none = await sync('acme/later')
    expect(none.body).toMatchObject({ action: 'none', automation: null, changes: [], runs_started: 0 })

    const store = runtime().store()
    const cron = `document: { dsl: '1.0.0', namespace: acme, name: later, version: '1.0.0' }\nschedule:\n  cron: '*/5 * * * *'\ndo:\n  - mark: { set: { ok: true } }\n`
    expect((await s.api('PATCH', '/api/acme/later', { spec: { definition: cron } })).status).toBe(200)
    await sync(id) // settles the reconcile the update started
    // Metadata lost (a server from before automations): sync recreates it.
    await store.deleteAutomation(id)
    const created = await sync(id)
    expect(created.body).toMatchObject({ action: 'created', runs_started: 0 })
    expect(created.body.changes).toContainEqual({
      field: 'schedule',
      before: null,
      after: { cron: '*/5 * * * *' },
    })
    expect(created.body.automation).toMatchObject({ kind: 'cron', version: 2 })
    // Metadata out of date: sync brings it to the definition.
    await store.syncAutomation({
      element_id: id,
      circle_id: (await store.getAutomation(id))!.circle_id,
      schedule: { every: 'PT1H' },
      version: 1,
      updated_at: new Date().toISOString(),
      source_ref: 'draft',
      source_commit: null,
      last_error: null,
    })
    const updated = await sync(id)
    expect(updated.body.action).toBe('updated')
    expect(updated.body.changes.map((c: { field: string }) => c.field).sort()).toEqual([
      'schedule',
      'source_commit',
      'version',
    ])
    expect((await sync(id)).body).toMatchObject({ action: 'unchanged', changes: [] })
    expect(await runsOf('later')).toHaveLength(0)

    // The schedule leaves the definition: the automation goes with it.
    expect((await s.api('PATCH', '/api/acme/later', { spec: { definition: doc('later', '') } })).status).toBe(
      200,
    )
    expect((await sync(id)).body).toMatchObject({ action: 'none' })
    expect((await s.api('GET', `/api/v1/automations/${id}`)).status).toBe(404)
  })

  it('follows the released definition: live once promoted, draft edits wait for the next promotion', async () => {
    await create('released', doc('released', 'schedule:\n  every: PT1H\n'))
    expect((await sync('acme/released')).body.automation).toMatchObject({ source_ref: 'draft' })
    const promote = async () => {
      for (const to of ['demo', 'live']) {
        const r = await s.api('POST', '/api/acme/released/ops/source/promote', { to })
        expect(r.status, JSON.stringify(r.body)).toBe(200)
      }
    }
    await promote()
    const live = await sync('acme/released')
    expect(live.body.automation).toMatchObject({ source_ref: 'live', schedule: { every: 'PT1H' } })
    const edited = doc('released', 'schedule:\n  every: PT2H\n')
    expect((await s.api('PATCH', '/api/acme/released', { spec: { definition: edited } })).status).toBe(200)
    expect((await sync('acme/released')).body).toMatchObject({
      action: 'unchanged',
      automation: { source_ref: 'live', schedule: { every: 'PT1H' } },
    })
    await promote()
    // The promotion reconciled it already.
    expect((await sync('acme/released')).body).toMatchObject({
      action: 'unchanged',
      automation: { source_ref: 'live', schedule: { every: 'PT2H' } },
    })
    await s.api('POST', '/api/v1/automations/acme%2Freleased/pause')
  })

  it('a schedule whose writer key was revoked, or lacks execute, does not fire and says why', async () => {
    const writer = await s.createKey('acme', ['read', 'write', 'execute'])
    const id = await create('revoked', doc('revoked', 'schedule:\n  every: PT1M\n'), writer)
    const noExec = await s.createKey('acme', ['read', 'write'])
    const id2 = await create('no-exec', doc('no-exec', 'schedule:\n  every: PT1M\n'), noExec)
    await sync(id)
    await sync(id2)
    const keys = await s.api('GET', '/api/acme/ops/api_keys')
    const keyId = keys.body.api_keys.find((k: { name: string }) => k.name === 'test read,write,execute').id
    expect((await s.api('DELETE', `/api/acme/ops/api_keys/${keyId}`)).status).toBe(200)
    await advance(2 * MINUTE)
    expect(await runsOf('revoked')).toHaveLength(0)
    expect(await runsOf('no-exec')).toHaveLength(0)
    const a = await s.api('GET', `/api/v1/automations/${id}`)
    expect(a.body.last_error).toMatch(/revoked/)
    const b = await s.api('GET', `/api/v1/automations/${id2}`)
    expect(b.body.last_error).toMatch(/"execute"/)
  })

  it('lists with a cursor, and answers scopes and unknown automations', async () => {
    const first = await s.api('GET', '/api/v1/automations?limit=1')
    expect(first.status).toBe(200)
    expect(first.body.automations).toHaveLength(1)
    expect(first.body.has_more).toBe(true)
    const all = []
    for (let cursor: string | null = null; ; ) {
      const page: { body: { automations: Array<{ id: string }>; next_cursor: string | null } } = await s.api(
        'GET',
        `/api/v1/automations?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      )
      all.push(...page.body.automations.map((a) => a.id))
      cursor = page.body.next_cursor
      if (!cursor) break
    }
    expect(new Set(all).size).toBe(all.length)
    expect(all.length).toBeGreaterThanOrEqual(4)
    // The answers are what openapi.json (and so the SDK's types) says.
    expect(shapeOf('AutomationsPage')(first.body)).toEqual([])
    expect(shapeOf('Automation')((await s.api('GET', '/api/v1/automations/acme%2Ftick')).body)).toEqual([])
    expect(shapeOf('AutomationSyncResponse')((await sync('acme/later')).body)).toEqual([])
    expect(shapeOf('AutomationSyncResponse')((await sync('acme/tick')).body)).toEqual([])

    const missing = await s.api('POST', '/api/v1/automations/00000000-0000-4000-8000-000000000000/pause')
    expect(missing.status).toBe(404)
    expect(missing.body.error.code).toBe('AUTOMATION_NOT_FOUND')
    expect((await s.api('GET', '/api/v1/automations/acme%2Fnope')).body.error.code).toBe(
      'AUTOMATION_NOT_FOUND',
    )
    expect((await s.api('GET', '/api/v1/automations?limit=0')).status).toBe(400)

    const reader = await s.createKey('acme', ['read'])
    expect((await s.api('GET', '/api/v1/automations', undefined, { key: reader })).status).toBe(200)
    const refused = await s.api('POST', '/api/v1/automations/acme%2Ftick/pause', undefined, { key: reader })
    expect(refused.status).toBe(403)

    await s.createCircle('other')
    const outsider = await s.createKey('other', ['read', 'write'])
    const mine = await s.api('GET', '/api/v1/automations', undefined, { key: outsider })
    expect(mine.body.automations).toEqual([])
    const theirs = await s.api('POST', '/api/v1/automations/acme%2Ftick/sync', undefined, { key: outsider })
    expect(theirs.status).toBe(404)
    const named = await s.api('GET', '/api/v1/automations?circle=acme', undefined, { key: outsider })
    expect(named.status).toBe(404)
  })

  it('the SDK lists, pauses, resumes and syncs automations', async () => {
    const client = new PeriodicClient({ baseUrl: s.url, apiKey: s.adminKey })
    const all = await client.automations.list({ circle: 'acme', limit: 2 }).toArray()
    expect(all.map((a) => a.path)).toContain('acme/tick')
    expect((await client.automations.resume('acme/tick')).state).toBe('active')
    expect((await client.automations.pause('acme/tick')).state).toBe('paused')
    expect((await client.automations.get('acme/tick')).paused).toBe(true)
    const synced = await client.automations.sync('acme/tick')
    expect(synced).toMatchObject({ action: 'unchanged', runs_started: 0, automation: { paused: true } })
    await expect(client.automations.pause('acme/nope')).rejects.toMatchObject({
      code: 'AUTOMATION_NOT_FOUND',
    })
  })
})
