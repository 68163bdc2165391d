// Handlers run code, so wiring them needs `execute` when the spec is written and again when they
// fire, as the key that wired them; `receive` needs `execute` too. Real server, sockets, Python.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../../../test/test-server.ts'
import { join, wsUrl } from '../../../test/ws-test-client.ts'
import { createPython } from '../../http/runs-api/runs-api-helpers.ts'

const ECHO = 'def handler(input):\n    return {"echo": input["data"]}\n'
const READER = [
  'from periodic import state, EngineError',
  'def handler(input):',
  '    try:',
  '        return {"read": state.get("notes", "last")}',
  '    except EngineError as e:',
  '        return {"read": e.code}',
  '',
].join('\n')

describe('websocket handler scope', () => {
  let s: TestServer
  let writer: string
  let executor: string

  const keyId = async (secret: string) => {
    const keys = (await s.api('GET', '/api/acme/ops/api_keys')).body.api_keys as any[]
    return keys.find((k) => secret.startsWith(k.prefix))!.id as string
  }

  beforeAll(async () => {
    s = await startTestServer()
    await s.createCircle('acme')
    await createPython(s, 'acme', 'echo', ECHO)
    writer = await s.createKey('acme', ['read', 'write'])
    executor = await s.createKey('acme', ['read', 'write', 'execute'])
  }, 60_000)
  afterAll(async () => s?.close())

  // (restore needs the admin scope, which includes execute, so it cannot be tried with this key.)
  it('refuses a read+write key that wires a handler on create or update', async () => {
    const spec = { path: '/open', handlers: { message: 'echo' } }
    const create = await s.api(
      'POST',
      '/api/acme',
      { element_type: 'websocket', slug: 'open', spec },
      { key: writer },
    )
    expect(create.status).toBe(403)
    expect(create.body.error).toMatchObject({ code: 'FORBIDDEN', details: { required_scope: 'execute' } })
    // Without handlers the same key may create it, but not wire one afterwards.
    const plain = await s.api(
      'POST',
      '/api/acme',
      { element_type: 'websocket', slug: 'open', spec: { path: '/open' } },
      { key: writer },
    )
    expect(plain.status).toBe(201)
    const wire = await s.api(
      'PATCH',
      '/api/acme/open',
      { spec: { handlers: { message: 'echo' } } },
      { key: writer },
    )
    expect(wire.status).toBe(403)
    // An execute key wires it; the writer then cannot even rename it (its version would be unvouched).
    expect(
      (await s.api('PATCH', '/api/acme/open', { spec: { handlers: { message: 'echo' } } }, { key: executor }))
        .status,
    ).toBe(200)
    const rename = await s.api('PATCH', '/api/acme/open', { name: 'Renamed' }, { key: writer })
    expect(rename.status).toBe(403)
    expect(rename.body.error.details.wired).toEqual(['echo'])
  })

  it('refuses receive to a key without execute', async () => {
    await s.api('POST', '/api/acme', {
      element_type: 'websocket',
      slug: 'inbox',
      spec: { path: '/inbox', handlers: { message: 'echo' } },
    })
    const reader = await s.createKey('acme', ['read', 'write'])
    const no = await s.api('POST', '/api/acme/inbox/ops/receive', { message: 1 }, { key: reader })
    expect(no.status).toBe(403)
    expect(no.body.error).toMatchObject({ code: 'FORBIDDEN', details: { required_scope: 'execute' } })
    const yes = await s.api('POST', '/api/acme/inbox/ops/receive', { message: 1 }, { key: executor })
    expect(yes.status).toBe(200)
    expect(yes.body).toMatchObject({ handled: true, succeeded: true, output: { echo: 1 } })
  })

  it('gives a handler’s own engine calls no more scopes than the key that wired it', async () => {
    await createPython(s, 'acme', 'reader', READER)
    const noRead = await s.createKey('acme', ['write', 'execute'])
    const spec = (path: string) => ({ path, handlers: { message: 'reader' } })
    for (const [slug, key] of [
      ['narrow', noRead],
      ['wide', executor],
    ] as const) {
      const r = await s.api(
        'POST',
        '/api/acme',
        { element_type: 'websocket', slug, spec: spec(`/${slug}`) },
        { key },
      )
      expect(r.status).toBe(201)
    }
    const narrow = await s.api('POST', '/api/acme/narrow/ops/receive', { message: 1 }, { key: executor })
    expect(narrow.body.output).toEqual({ read: 'FORBIDDEN' })
    const wide = await s.api('POST', '/api/acme/wide/ops/receive', { message: 2 }, { key: executor })
    expect(wide.body.output).toEqual({ read: null })
  })

  it('stops running handlers once the key that wired them is revoked', async () => {
    const wirer = await s.createKey('acme', ['read', 'write', 'execute'])
    const r = await s.api(
      'POST',
      '/api/acme',
      { element_type: 'websocket', slug: 'chat', spec: { path: '/chat', handlers: { message: 'echo' } } },
      { key: wirer },
    )
    expect(r.status).toBe(201)
    // An anonymous client (auth.mode none) runs the handler only on the wirer's authority.
    const c = await join(wsUrl(s.url, '/ws/acme/chat'))
    c.ws.send(JSON.stringify({ n: 1 }))
    expect(await c.next(30_000)).toEqual({ echo: { n: 1 } })
    const id = await keyId(wirer)
    expect((await s.api('DELETE', `/api/acme/ops/api_keys/${id}`)).status).toBe(200)
    const before = (await s.api('GET', '/api/acme/echo/ops/runs?limit=100')).body.runs.length
    // Within the authority cache's second a frame may still run; poll until refusals arrive.
    await expect
      .poll(
        async () => {
          c.ws.send(JSON.stringify({ n: 2 }))
          return (await c.next(30_000)).error?.code
        },
        { timeout: 20_000, interval: 200 },
      )
      .toBe('WS_HANDLER_FORBIDDEN')
    const after = (await s.api('GET', '/api/acme/echo/ops/runs?limit=100')).body.runs.length
    c.ws.send(JSON.stringify({ n: 3 }))
    expect((await c.next(30_000)).error.code).toBe('WS_HANDLER_FORBIDDEN')
    expect((await s.api('GET', '/api/acme/echo/ops/runs?limit=100')).body.runs.length).toBe(after)
    expect(after).toBeGreaterThanOrEqual(before)
    const check = await s.api('POST', '/api/acme/chat/ops/test-connection', {})
    expect(check.body.checks).toContainEqual(
      expect.objectContaining({ check: 'handlers.authority', ok: false }),
    )
    const rec = await s.api('POST', '/api/acme/chat/ops/receive', { message: 1 }, { key: executor })
    expect(rec.status).toBe(403)
    expect(rec.body.error.code).toBe('WS_HANDLER_FORBIDDEN')
    c.ws.close()
  })
})
