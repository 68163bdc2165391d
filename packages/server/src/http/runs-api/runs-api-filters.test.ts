// The run list's filters over real HTTP on each storage: how a run was started (`source`), by
// which key (`triggered_by`), the batch and example ids its starter gave, `type`, `source_ref`,
// `from`/`to` and `offset`; and 400 with a catalogue code for values that cannot be used.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, storageKinds, type TestServer } from '../../../test/test-server.ts'
import { createPython } from './runs-api-helpers.ts'

describe.each(storageKinds())('run list filters on %s', (storage) => {
  let s: TestServer
  let executor: string
  const batch = `batch-${randomUUID()}`
  const runs: Record<string, any> = {}

  /** Starts a run of acme/hello and waits for its end (200). */
  async function run(name: string, body: object, headers: Record<string, string> = {}, key?: string) {
    const r = await s.api(
      'POST',
      '/api/v1/runs?wait_for_completion=60',
      { target: 'acme/hello', input: { name }, ...body },
      { headers, ...(key ? { key } : {}) },
    )
    if (r.status !== 200) throw new Error(`run ${name}: ${r.status} ${JSON.stringify(r.body)}`)
    runs[name] = r.body
    return r.body
  }

  const names = async (query: string) => {
    const r = await s.api('GET', `/api/v1/runs?target=acme/hello&${query}`)
    if (r.status !== 200) throw new Error(`${query}: ${r.status} ${JSON.stringify(r.body)}`)
    return r.body.runs.map(
      (x: { input?: unknown; id: string }) => Object.entries(runs).find(([, v]) => v.id === x.id)?.[0],
    )
  }

  beforeAll(async () => {
    s = await startTestServer({ storage })
    await s.createCircle('acme')
    await createPython(s, 'acme', 'hello')
    executor = await s.createKey('acme', ['read', 'execute'])
    await run('a', { batch_id: batch, example_id: 'invoice-001' }, { 'x-periodic-client': 'cli' })
    await run('b', { batch_id: batch, example_id: 'Invoice-002' }, { 'x-periodic-client': 'sdk/0.1.0' })
    await run('c', { batch_id: batch, example_id: 'receipt-7' }, {}, executor)
    await run('d', { batch_id: `${batch}-other` })
  })
  afterAll(async () => s?.close())

  it('shows how, by whom and for which batch and example each run was started', () => {
    expect(runs['a']).toMatchObject({
      source: 'cli',
      triggered_by: 'platform-admin',
      batch_id: batch,
      example_id: 'invoice-001',
      source_ref: 'draft',
      finished: true,
      execution: { status: 'succeeded', finished: true },
    })
    expect(runs['b'].source).toBe('sdk')
    expect(runs['c'].source).toBe('api')
    expect(runs['c'].triggered_by).not.toBe('platform-admin')
    expect(runs['d']).toMatchObject({ example_id: null, batch_id: `${batch}-other` })
  })

  it('filters by batch, example, source, starter and source ref', async () => {
    expect(await names(`batch_id=${batch}`)).toEqual(['c', 'b', 'a'])
    expect(await names(`batch_id=${batch}&example_id=receipt-7`)).toEqual(['c'])
    expect(await names(`batch_id=${batch}&example_id_contains=nvoice-00`)).toEqual(['b', 'a'])
    expect(await names(`batch_id=${batch}&example_id_contains=invoice`)).toEqual(['a'])
    expect(await names(`batch_id=${batch}&source=sdk`)).toEqual(['b'])
    expect(await names(`batch_id=${batch}&source=api`)).toEqual(['c'])
    expect(await names(`triggered_by=${runs['c'].triggered_by}`)).toEqual(['c'])
    expect(await names(`batch_id=${batch}&source_ref=draft`)).toEqual(['c', 'b', 'a'])
    expect(await names(`batch_id=${batch}&source_ref=live`)).toEqual([])
  })

  it('takes type as element_type, from/to as created_after/before, and skips an offset', async () => {
    expect(await names(`batch_id=${batch}&type=python`)).toEqual(['c', 'b', 'a'])
    expect(await names(`batch_id=${batch}&type=python&element_type=variable`)).toEqual([])
    const from = encodeURIComponent(runs['b'].created_at)
    const to = encodeURIComponent(runs['c'].created_at)
    expect(await names(`batch_id=${batch}&from=${from}`)).toEqual(['c', 'b'])
    expect(await names(`batch_id=${batch}&from=${from}&to=${to}`)).toEqual(['b'])
    expect(await names(`batch_id=${batch}&offset=1&limit=1`)).toEqual(['b'])
    expect(await names(`batch_id=${batch}&offset=3`)).toEqual([])
    const page = await s.api('GET', `/api/v1/runs?batch_id=${batch}&offset=1&limit=1`)
    expect(page.body.has_more).toBe(true)
    const next = await s.api(
      'GET',
      `/api/v1/runs?batch_id=${batch}&limit=1&cursor=${encodeURIComponent(page.body.next_cursor)}`,
    )
    expect(next.body.runs.map((r: { id: string }) => r.id)).toEqual([runs['a'].id])
  })

  it.each([
    ['an unparseable from', 'from=last-tuesday', 'VALIDATION_FAILED'],
    ['an unparseable completed_before', 'completed_before=2026-13-45T99:00:00Z', 'VALIDATION_FAILED'],
    ['a negative offset', 'offset=-1', 'VALIDATION_FAILED'],
    ['an offset that is not a number', 'offset=ten', 'VALIDATION_FAILED'],
    ['a limit too high', 'limit=201', 'VALIDATION_FAILED'],
    ['an unknown type', 'type=spaceship', 'UNKNOWN_ELEMENT_TYPE'],
    ['an over-long batch id', `batch_id=${'x'.repeat(201)}`, 'VALIDATION_FAILED'],
    ['an empty example substring', 'example_id_contains=', 'VALIDATION_FAILED'],
  ])('refuses %s with 400', async (_what, query, code) => {
    const r = await s.api('GET', `/api/v1/runs?${query}`)
    expect(r.status).toBe(400)
    expect(r.body.error.code).toBe(code)
  })

  it('refuses a batch or example id with control characters when a run is started', async () => {
    for (const body of [{ batch_id: 'a\u0001b' }, { example_id: '' }, { example_id: 'x'.repeat(201) }]) {
      const r = await s.api('POST', '/api/v1/runs', { target: 'acme/hello', ...body })
      expect(r.status).toBe(400)
      expect(r.body.error.code).toBe('VALIDATION_FAILED')
    }
  })
})
