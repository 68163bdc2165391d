// The runs API after a run is created, over real HTTP on SQLite: cancel, rerun of the latest
// or the original element version, and the SSE events stream with Last-Event-ID resume.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../../../test/test-server.ts'
import { createPython, pollRun, startRun } from './runs-api-helpers.ts'

interface SseEvent {
  id: string
  event: string
  data: any
}

function parseSse(text: string): SseEvent[] {
  return text
    .split('\n\n')
    .filter((f) => f.includes('event:'))
    .map((f) => {
      const field = (name: string) =>
        f
          .split('\n')
          .find((l) => l.startsWith(`${name}: `))
          ?.slice(name.length + 2) ?? ''
      return { id: field('id'), event: field('event'), data: JSON.parse(field('data')) }
    })
}

describe('runs API lifecycle', () => {
  let s: TestServer

  async function events(id: string, lastEventId?: string) {
    const headers: Record<string, string> = { authorization: `Bearer ${s.adminKey}` }
    if (lastEventId) headers['last-event-id'] = lastEventId
    const res = await fetch(`${s.url}/api/v1/runs/${id}/events`, { headers })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/)
    return parseSse(await res.text())
  }

  beforeAll(async () => {
    s = await startTestServer()
    await s.createCircle('acme')
    await s.createCircle('other')
    await createPython(s, 'acme', 'hello')
    await createPython(s, 'acme', 'versioned', 'def handler(input):\n    return "v1"\n')
  })
  afterAll(async () => s?.close())

  describe('cancel', () => {
    it('cancels a running run, and refuses a finished one with 409 RUN_NOT_CANCELLABLE', async () => {
      const id = await startRun(s, 'acme/hello', { sleep: 30 })
      await pollRun(s, id, (r) => r.status === 'running')
      const readOnly = await s.createKey('acme', ['read'])
      const refused = await s.api('POST', `/api/v1/runs/${id}/cancel`, undefined, { key: readOnly })
      expect(refused.status).toBe(403)
      const r = await s.api('POST', `/api/v1/runs/${id}/cancel`)
      expect(r.status).toBe(200)
      expect(r.body).toMatchObject({ status: 'cancelled', error: { code: 'RUN_CANCELLED' } })
      const again = await s.api('POST', `/api/v1/runs/${id}/cancel`)
      expect(again.status).toBe(409)
      expect(again.body.error).toMatchObject({
        code: 'RUN_NOT_CANCELLABLE',
        details: { status: 'cancelled' },
      })
    })

    it('answers 404 for a run of another circle', async () => {
      const otherKey = await s.createKey('other', ['execute', 'read'])
      const id = await startRun(s, 'acme/hello')
      const r = await s.api('POST', `/api/v1/runs/${id}/cancel`, undefined, { key: otherKey })
      expect(r.status).toBe(404)
      expect(r.body.error.code).toBe('RUN_NOT_FOUND')
      await pollRun(s, id)
    })
  })

  describe('rerun', () => {
    it('runs the same input on the latest version by default, or on the original one', async () => {
      const source = await pollRun(s, await startRun(s, 'acme/versioned', { q: 1 }))
      expect(source).toMatchObject({ output: 'v1', element_version: 1 })
      const upd = await s.api('PATCH', '/api/acme/versioned', {
        spec: { source: { code: 'def handler(input):\n    return "v2"\n' } },
      })
      expect(upd.status).toBe(200)

      const latest = await s.api('POST', `/api/v1/runs/${source.id}/rerun`, {})
      expect(latest.status).toBe(201)
      expect(latest.headers.get('location')).toBe(`/api/v1/runs/${latest.body.id}`)
      const l = await pollRun(s, latest.body.id)
      expect(l).toMatchObject({ output: 'v2', element_version: 2, trigger: 'rerun' })

      const original = await s.api('POST', `/api/v1/runs/${source.id}/rerun`, { version: 'original' })
      expect(original.status).toBe(201)
      await pollRun(s, original.body.id)
      const o = await s.api('GET', `/api/v1/runs/${original.body.id}?expand=input,debug`)
      expect(o.body).toMatchObject({ output: 'v1', element_version: 1, trigger: 'rerun', input: { q: 1 } })
      expect(o.body.debug.trigger_info).toMatchObject({ rerun_of: source.id, version: 'original' })
    })

    it('refuses an unknown version choice and a read-only key', async () => {
      const id = await startRun(s, 'acme/hello')
      expect((await s.api('POST', `/api/v1/runs/${id}/rerun`, { version: 'v1' })).status).toBe(400)
      const readOnly = await s.createKey('acme', ['read'])
      expect((await s.api('POST', `/api/v1/runs/${id}/rerun`, {}, { key: readOnly })).status).toBe(403)
      await pollRun(s, id)
    })
  })

  describe('events', () => {
    it('streams status and log lines with ids, ending with the final status', async () => {
      const id = await startRun(s, 'acme/hello', { lines: 4 })
      const all = await events(id)
      expect(all[0]!.event).toBe('status')
      expect(all.at(-1)).toMatchObject({ event: 'status', data: { status: 'succeeded' } })
      const logs = all.filter((e) => e.event === 'log')
      expect(logs.map((e) => e.data.line)).toEqual(['line 0', 'line 1', 'line 2', 'line 3'])
      expect(logs.map((e) => e.id)).toEqual(['1', '2', '3', '4'])
    })

    it('resumes after Last-Event-ID, live or finished, without repeating lines', async () => {
      const id = await startRun(s, 'acme/hello', { lines: 5, sleep: 1 })
      const live = await events(id, '2')
      expect(live.filter((e) => e.event === 'log').map((e) => e.data.line)).toEqual([
        'line 2',
        'line 3',
        'line 4',
      ])
      expect(live.at(-1)!.data.status).toBe('succeeded')
      const stored = await events(id, '4')
      expect(stored.filter((e) => e.event === 'log').map((e) => [e.id, e.data.line])).toEqual([
        ['5', 'line 4'],
      ])
      expect(stored.at(-1)).toMatchObject({ event: 'status', id: '5', data: { status: 'succeeded' } })
    })

    it('refuses a malformed Last-Event-ID and hides other circles’ runs', async () => {
      const id = await startRun(s, 'acme/hello')
      const bad = await s.api('GET', `/api/v1/runs/${id}/events`, undefined, {
        headers: { 'last-event-id': 'x' },
      })
      expect(bad.status).toBe(400)
      const otherKey = await s.createKey('other', ['read'])
      expect((await s.api('GET', `/api/v1/runs/${id}/events`, undefined, { key: otherKey })).status).toBe(404)
      expect((await s.api('GET', `/api/v1/runs/${id}/events`, undefined, { key: null })).status).toBe(401)
      await pollRun(s, id)
    })
  })
})
