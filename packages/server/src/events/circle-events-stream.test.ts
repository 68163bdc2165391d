// GET /api/{circle}/ops/events over real HTTP: element and run events in order with their
// frame fields, the types filter, resume with Last-Event-ID (exactly the missed events), reset
// for an unknown id, 401/404, api_key.* kept from non-admin keys, revocation ending the stream,
// and the per-key cap. Prints (never asserts) the update throughput with 0 and 1 subscriber.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, storageKinds, type TestServer } from '../../test/test-server.ts'
import { type OpenStream, openEvents, waitForEvents } from './events-test-helpers.ts'

const CODE = 'def handler(input):\n    return {"hello": input.get("name")}\n'

describe.each(storageKinds())('circle events stream (%s)', (storage) => {
  let s: TestServer
  let reader = ''
  const open: OpenStream[] = []
  const events = async (circle: string, key: string | null, o: Parameters<typeof openEvents>[3] = {}) => {
    const st = await openEvents(s.url, circle, key, o)
    open.push(st)
    return st
  }
  beforeAll(async () => {
    s = await startTestServer({ storage })
    await s.createCircle('ev')
    await s.createCircle('other')
    reader = await s.createKey('ev', ['read'])
  })
  afterAll(async () => {
    for (const st of open) st.close()
    // Aborted fetches can leave their sockets open on the server for a while (undici); a browser
    // or curl closes them, and the circle drain ends the streams themselves at shutdown.
    s?.platform.app.server.closeAllConnections()
    await s?.close()
  })

  it('sends element and run events in order, with ids, paths and versions', async () => {
    const st = await events('ev', reader)
    expect(st.status).toBe(200)
    await s.api('POST', '/api/ev', { element_type: 'variable', slug: 'v' })
    await s.api('PATCH', '/api/ev/v/ops/update', { spec: { value: 1 } })
    await s.api('PATCH', '/api/ev/v/ops/update_meta', { meta: { x: 1 } })
    await s.api('DELETE', '/api/ev/v/ops/delete', { confirm: true })
    const got = await waitForEvents(st, 4)
    expect(got.map((f) => f.event)).toEqual([
      'element.created',
      'element.updated',
      'element.meta_updated',
      'element.deleted',
    ])
    expect(got[1]!.data).toMatchObject({
      id: got[1]!.id,
      type: 'element.updated',
      circle: 'ev',
      element_path: 'ev/v',
      element_type: 'variable',
      version: 2,
      actor: 'platform-admin',
    })
    expect(typeof got[1]!.data.at).toBe('string')
    const ids = got.map((f) => f.id!)
    expect(new Set(ids).size).toBe(4)

    const py = await s.api('POST', '/api/ev', {
      element_type: 'python',
      slug: 'hello',
      spec: { source: { type: 'inline', code: CODE } },
    })
    expect(py.status).toBe(201)
    const run = await s.api('POST', '/api/ev/hello/ops/invoke?wait_for_completion=60', {
      input: { name: 'x' },
    })
    expect(run.body.status).toBe('succeeded')
    await expect
      .poll(() => st.events().some((f) => f.event === 'run.succeeded'), { timeout: 10_000 })
      .toBe(true)
    const runTypes = st
      .events()
      .filter((f) => f.event.startsWith('run.') && f.data.data?.run_id === run.body.id)
      .map((f) => f.event)
    expect(runTypes).toEqual(['run.queued', 'run.started', 'run.succeeded'])
  })

  it('announces cookie jar changes with the count and freshness', async () => {
    const st = await events('ev', reader, { query: 'types=cookie_jar.' })
    await s.api('POST', '/api/ev', { element_type: 'cookie-jar', slug: 'jar' })
    const cookie = { name: 'sid', value: 'v', domain: '.example.com', path: '/', secure: true }
    const set = await s.api('POST', '/api/ev/jar/ops/set', cookie)
    expect(set.status, JSON.stringify(set.body)).toBe(200)
    expect((await s.api('POST', '/api/ev/jar/ops/clear', {})).status).toBe(200)
    const got = await waitForEvents(st, 2)
    expect(got.map((f) => f.data.data.count)).toEqual([1, 0])
    expect(got[0]!.data).toMatchObject({ element_path: 'ev/jar', element_type: 'cookie-jar' })
    expect(got[0]!.data.data.cookies_updated_at).toMatch(/^\d{4}-/)
  })

  it('keeps only the asked type prefixes', async () => {
    const st = await events('ev', reader, { query: 'types=element.meta' })
    await s.api('POST', '/api/ev', { element_type: 'variable', slug: 'f' })
    await s.api('PATCH', '/api/ev/f/ops/update_meta', { meta: { y: 2 } })
    const got = await waitForEvents(st, 1)
    await s.api('PATCH', '/api/ev/f/ops/update_meta', { meta: { y: 3 } })
    await waitForEvents(st, 2)
    expect(st.events().map((f) => f.event)).toEqual(['element.meta_updated', 'element.meta_updated'])
    expect(got[0]!.data.element_path).toBe('ev/f')
  })

  it('resumes with Last-Event-ID: exactly the missed events, then live', async () => {
    const first = await events('ev', reader)
    await s.api('POST', '/api/ev', { element_type: 'variable', slug: 'r' })
    const [created] = await waitForEvents(first, 1)
    first.close()
    await s.api('PATCH', '/api/ev/r/ops/update', { spec: { value: 1 } })
    await s.api('PATCH', '/api/ev/r/ops/update', { spec: { value: 2 } })
    const again = await events('ev', reader, { lastEventId: created!.id! })
    const missed = await waitForEvents(again, 2)
    expect(missed.map((f) => [f.event, f.data.version])).toEqual([
      ['element.updated', 2],
      ['element.updated', 3],
    ])
    await s.api('PATCH', '/api/ev/r/ops/update_meta', { meta: { z: 1 } })
    await waitForEvents(again, 3)
    expect(again.events().map((f) => f.event)).toEqual([
      'element.updated',
      'element.updated',
      'element.meta_updated',
    ])
    expect(again.frames.some((f) => f.event === 'reset')).toBe(false)
    // The query parameter resumes the same way.
    const byQuery = await events('ev', reader, { query: `last_event_id=${encodeURIComponent(created!.id!)}` })
    await waitForEvents(byQuery, 3)
    expect(
      byQuery
        .events()
        .slice(0, 3)
        .map((f) => f.id),
    ).toEqual(again.events().map((f) => f.id))
  })

  it('sends reset for an id it no longer knows, then live events', async () => {
    const st = await events('ev', reader, { lastEventId: '1-1' })
    await expect.poll(() => st.frames[0]?.event, { timeout: 5000 }).toBe('reset')
    expect(st.frames[0]!.data.reason).toMatch(/history|unknown/)
    const junk = await events('ev', reader, { lastEventId: 'not-an-id' })
    await expect.poll(() => junk.frames[0]?.event, { timeout: 5000 }).toBe('reset')
    await s.api('POST', '/api/ev', { element_type: 'variable', slug: 'after-reset' })
    await waitForEvents(st, 1)
    expect(st.events()[0]!.data.element_path).toBe('ev/after-reset')
  })

  it('answers 401 without a key and 404 with another circle’s key', async () => {
    expect((await events('ev', null)).status).toBe(401)
    const otherKey = await s.createKey('other', ['read'])
    const st = await events('ev', otherKey)
    expect(st.status).toBe(404)
  })

  it('keeps api_key events from keys without admin scope', async () => {
    const adminKey = await s.createKey('ev', ['admin'])
    const plain = await events('ev', reader, { query: 'types=api_key.,element.' })
    const admin = await events('ev', adminKey, { query: 'types=api_key.,element.' })
    await s.createKey('ev', ['read'])
    await s.api('POST', '/api/ev', { element_type: 'variable', slug: 'k' })
    await waitForEvents(admin, 2)
    await waitForEvents(plain, 1)
    expect(admin.events().map((f) => f.event)).toEqual(['api_key.created', 'element.created'])
    expect(plain.events().map((f) => f.event)).toEqual(['element.created'])
  })

  it('ends the stream when its key is revoked', async () => {
    const made = await s.api('POST', '/api/ev/ops/api_keys', { scopes: ['read'] })
    const st = await events('ev', made.body.key)
    expect(st.status).toBe(200)
    expect((await s.api('DELETE', `/api/ev/ops/api_keys/${made.body.id}`)).status).toBe(200)
    await expect.poll(() => st.ended(), { timeout: 5000 }).toBe(true)
    expect(st.frames.at(-1)).toMatchObject({ event: 'revoked', data: { reason: 'api key revoked' } })
    expect((await events('ev', made.body.key)).status).toBe(401)
  })

  it('caps the open streams of one key', async () => {
    const key = await s.createKey('ev', ['read'])
    const streams = await Promise.all(Array.from({ length: 20 }, () => events('ev', key)))
    expect(streams.every((st) => st.status === 200)).toBe(true)
    const over = await events('ev', key)
    expect(over.status).toBe(429)
    expect(over.frames[0]!.data.error?.code ?? over.frames[0]!.data.code).toBe('EVENT_STREAMS_LIMIT')
    streams[0]!.close()
    await expect
      .poll(async () => {
        const st = await events('ev', key)
        st.close()
        return st.status
      })
      .toBe(200)
    for (const st of streams) st.close()
  })

  // Opt-in (PERIODIC_EVENTS_BENCH=1): 4,000 writes take longer than a test file should.
  it.runIf(process.env['PERIODIC_EVENTS_BENCH'])(
    'measures update_meta throughput with 0 and 1 subscriber (printed)',
    async () => {
      await s.api('POST', '/api/ev', { element_type: 'variable', slug: 'perf' })
      const loop = async (n = 2000) => {
        const t0 = performance.now()
        for (let i = 0; i < n; i++) await s.api('PATCH', '/api/ev/perf/ops/update_meta', { meta: { i } })
        return (n / ((performance.now() - t0) / 1000)).toFixed(0)
      }
      await loop(200) // warm-up
      const none = await loop()
      const st = await events('ev', reader, { query: 'types=element.meta_updated' })
      const one = await loop()
      await waitForEvents(st, 2000, 60_000)
      st.close()
      const noneAgain = await loop()
      console.log(
        `[events] ${storage}: update_meta/s: 0 subscribers ${none}, 1 subscriber ${one}, 0 again ${noneAgain}`,
      )
    },
    600_000,
  )
})
