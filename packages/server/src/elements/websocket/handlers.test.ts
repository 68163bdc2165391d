// Wiring through real sockets and real Python runs: the message handler echoes, each call is a
// run of the Python element, a failing handler is a failed run and the connection stays; the
// connection handler sees connect and disconnect; receive and test_connection.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../../../test/test-server.ts'
import { join, wsUrl } from '../../../test/ws-test-client.ts'
import { createPython } from '../../http/runs-api/runs-api-helpers.ts'

const ECHO = [
  'def handler(input):',
  '    d = input["data"]',
  '    if isinstance(d, dict) and d.get("fail"):',
  '        raise RuntimeError("asked to fail")',
  '    if isinstance(d, dict) and d.get("silent"):',
  '        return None',
  '    return {"echo": d, "event": input["event"], "from": input["connection_id"], "user": input["user"], "rooms": input["rooms"]}',
  '',
].join('\n')

const GREET = [
  'def handler(input):',
  '    if input["event"] == "connect":',
  '        return {"hello": input["connection_id"]}',
  '    print("bye", input["connection_id"], input.get("code"))',
  '    return None',
  '',
].join('\n')

describe('websocket handlers', () => {
  let s: TestServer
  let ws: (path: string) => string

  async function create(slug: string, spec: object) {
    const r = await s.api('POST', '/api/acme', { element_type: 'websocket', slug, spec })
    if (r.status !== 201) throw new Error(`create ${slug}: ${r.status} ${JSON.stringify(r.body)}`)
    return r.body
  }
  const runsOf = async (slug: string) =>
    (await s.api('GET', `/api/acme/${slug}/ops/runs?limit=50`)).body.runs as any[]

  beforeAll(async () => {
    s = await startTestServer()
    ws = (path) => wsUrl(s.url, path)
    await s.createCircle('acme')
    await createPython(s, 'acme', 'echo', ECHO)
    await createPython(s, 'acme', 'greet', GREET)
    await create('chat', {
      path: '/chat',
      rooms: { enabled: true },
      handlers: { message: 'echo', connection: 'greet' },
    })
  }, 60_000)
  afterAll(async () => s?.close())

  it('sends each inbound message to the Python handler as a run and its return value back', async () => {
    const c = await join(ws('/ws/acme/chat?room=lobby'))
    expect(await c.next(30_000)).toEqual({ hello: c.id })
    c.ws.send(JSON.stringify({ text: 'hi' }))
    expect(await c.next(30_000)).toEqual({
      echo: { text: 'hi' },
      event: 'message',
      from: c.id,
      user: null,
      rooms: ['lobby'],
    })
    const runs = await runsOf('echo')
    expect(runs[0]).toMatchObject({ status: 'succeeded', trigger: 'websocket' })
    c.ws.close()
    await c.closed
  })

  it('answers in the order messages arrived', async () => {
    const c = await join(ws('/ws/acme/chat'))
    await c.next(30_000)
    for (let i = 0; i < 5; i++) c.ws.send(JSON.stringify({ n: i }))
    const got = []
    for (let i = 0; i < 5; i++) got.push((await c.next(30_000)).echo.n)
    expect(got).toEqual([0, 1, 2, 3, 4])
    c.ws.close()
  })

  it('records a failing handler as a failed run, tells the client, and keeps the connection', async () => {
    const c = await join(ws('/ws/acme/chat'))
    await c.next(30_000)
    c.ws.send(JSON.stringify({ fail: true }))
    const err = await c.next(30_000)
    expect(err).toMatchObject({
      type: 'error',
      error: { code: 'PYTHON_RUNTIME_ERROR', message: 'the message handler failed' },
    })
    const run = (await s.api('GET', `/api/v1/runs/${err.error.run_id}`)).body
    expect(run).toMatchObject({ status: 'failed', trigger: 'websocket' })
    // A handler returning None sends nothing; the next message is still answered.
    c.ws.send(JSON.stringify({ silent: true }))
    c.ws.send(JSON.stringify({ after: 'failure' }))
    expect((await c.next(30_000)).echo).toEqual({ after: 'failure' })
    expect(c.ws.readyState).toBe(c.ws.OPEN)
    c.ws.close()
  })

  it('invokes the connection handler on disconnect', async () => {
    const c = await join(ws('/ws/acme/chat'))
    await c.next(30_000)
    c.ws.close(4002, 'done')
    await c.closed
    await expect
      .poll(
        async () =>
          (await runsOf('greet')).filter((r) => r.status === 'succeeded').length >= 1 &&
          (await s.api('GET', `/api/acme/greet/ops/logs?limit=20`)).body.runs.some((r: any) =>
            r.logs.some((l: any) => l.data.includes(`bye ${c.id} 4002`)),
          ),
        { timeout: 30_000 },
      )
      .toBe(true)
  })

  it('hands a message to the handler through receive, with execute and the element’s own auth', async () => {
    await create('guarded', {
      path: '/guarded',
      auth: { mode: 'bearer', tokens: ['tok-1'] },
      handlers: { message: 'echo' },
    })
    const reader = await s.createKey('acme', ['read'])
    const runner = await s.createKey('acme', ['execute'])
    const body = { message: { a: 1 }, token: 'tok-1' }
    const noScope = await s.api('POST', '/api/acme/guarded/ops/receive', body, { key: reader })
    expect(noScope.status).toBe(403)
    const no = await s.api('POST', '/api/acme/guarded/ops/receive', { message: { a: 1 } }, { key: runner })
    expect(no.status).toBe(401)
    expect(no.body.error.code).toBe('WS_UNAUTHORIZED')
    const yes = await s.api('POST', '/api/acme/guarded/ops/receive', body, { key: runner })
    expect(yes.status).toBe(200)
    expect(yes.body).toMatchObject({
      handled: true,
      succeeded: true,
      output: { echo: { a: 1 }, event: 'message' },
    })
    expect(yes.body.run_id).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('reports handler problems in test_connection and as error frames', async () => {
    await s.api('POST', '/api/acme', { element_type: 'variable', slug: 'just-data', spec: { value: 1 } })
    await create('broken', { path: '/broken', handlers: { message: 'just-data', connection: 'missing' } })
    const t = await s.api('POST', '/api/acme/broken/ops/test-connection', {})
    expect(t.status).toBe(200)
    expect(t.body.success).toBe(false)
    const byName = Object.fromEntries(t.body.checks.map((c: any) => [c.check, c]))
    expect(byName['handlers.message']).toMatchObject({ ok: false })
    expect(byName['handlers.message'].detail).toContain('cannot be invoked')
    expect(byName['handlers.connection'].detail).toContain('no element "missing"')
    expect(byName['endpoint']).toMatchObject({ ok: true, detail: 'clients connect to /ws/acme/broken' })
    const c = await join(ws('/ws/acme/broken'))
    expect(await c.next()).toMatchObject({ type: 'error', error: { code: 'WS_HANDLER_UNAVAILABLE' } })
    c.ws.send(JSON.stringify({ x: 1 }))
    expect(await c.next()).toMatchObject({ type: 'error', error: { code: 'WS_HANDLER_UNAVAILABLE' } })
    c.ws.close()
    const ok = await s.api('POST', '/api/acme/chat/ops/test-connection', {})
    expect(ok.body).toMatchObject({ success: true, mode: 'exposed' })
  })
})
