// Deeply nested JSON is refused where it comes in (bodies of every route, engine worker frames,
// WebSocket element frames) with 400 JSON_TOO_DEEP, never a 500 from a stack overflow later.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { startTestServer, type TestServer } from '../../test/test-server.ts'
import { join, wsUrl } from '../../test/ws-test-client.ts'
import { jsonTextTooDeep, jsonValueTooDeep, MAX_JSON_DEPTH } from '../json-depth.ts'
import { seeded } from './openapi-fuzz-inputs.ts'
import { createPython } from './runs-api/runs-api-helpers.ts'

const deepText = (n: number) => `${'['.repeat(n)}1${']'.repeat(n)}`
const deepValue = (n: number): unknown => {
  let v: unknown = 1
  for (let i = 0; i < n; i++) v = { a: v }
  return v
}

describe('the JSON depth bound', () => {
  it('counts brackets outside strings only, and allows exactly the limit', () => {
    expect(jsonTextTooDeep(deepText(MAX_JSON_DEPTH))).toBe(false)
    expect(jsonTextTooDeep(deepText(MAX_JSON_DEPTH + 1))).toBe(true)
    expect(jsonTextTooDeep(JSON.stringify({ s: '['.repeat(1000) }))).toBe(false)
    expect(jsonTextTooDeep(JSON.stringify({ s: `\\"${'{'.repeat(1000)}` }))).toBe(false)
    expect(jsonTextTooDeep(JSON.stringify({ s: '\\', a: deepValue(70) }))).toBe(true)
    expect(jsonTextTooDeep(JSON.stringify({ [`k\\"${'['.repeat(70)}`]: 1 }))).toBe(false)
    expect(jsonTextTooDeep(`"unterminated ${'['.repeat(100)}`)).toBe(false)
    expect(jsonTextTooDeep(JSON.stringify([deepValue(70)]))).toBe(true)
    expect(jsonValueTooDeep(deepValue(MAX_JSON_DEPTH))).toBe(false)
    expect(jsonValueTooDeep(deepValue(MAX_JSON_DEPTH + 1))).toBe(true)
    expect(jsonValueTooDeep(JSON.parse(deepText(100_000)))).toBe(true)
  })
})

describe('the text scan agrees with the value scan', () => {
  it('on 2,000 seeded random documents with tricky strings', () => {
    const rand = seeded(7)
    const strings = ['\\', '\\"', '"', '[', '{]', '\\\\"[', 'ü💥', '']
    const gen = (depth: number): unknown => {
      const r = rand()
      if (depth > 90 || r < 0.02) return strings[Math.floor(rand() * strings.length)]!
      if (r < 0.6) return [gen(depth + 1), strings[Math.floor(rand() * strings.length)]!]
      return { [strings[Math.floor(rand() * strings.length)]!]: gen(depth + 1) }
    }
    const seen = new Set<boolean>()
    for (let i = 0; i < 2000; i++) {
      const v = gen(0)
      const deep = jsonValueTooDeep(v)
      seen.add(deep)
      expect(jsonTextTooDeep(JSON.stringify(v))).toBe(deep)
    }
    expect(seen.size).toBe(2) // both sides of the limit were tried
  })
})

describe('deep JSON through a real server', () => {
  let s: TestServer
  const deep = (key: string) => `{"${key}":${deepText(10_000)}}`
  const expectTooDeep = (r: { status: number; body: any }) => {
    expect(r.status).toBe(400)
    expect(r.body.error.code).toBe('JSON_TOO_DEEP')
  }

  beforeAll(async () => {
    s = await startTestServer()
    await s.createCircle('acme')
    await createPython(s, 'acme', 'echo')
    await s.api('POST', '/api/acme', { element_type: 'websocket', slug: 'chat', spec: { path: '/chat' } })
  }, 60_000)
  afterAll(async () => s?.close())

  it('refuses a 10,000-deep invoke payload, run input and expected document with 400', async () => {
    expectTooDeep(await s.api('POST', '/api/acme/echo/ops/invoke', undefined, { raw: deep('payload') }))
    const runBody = `{"target":"acme/echo","input":${deepText(10_000)}}`
    expectTooDeep(await s.api('POST', '/api/v1/runs', undefined, { raw: runBody }))
    expectTooDeep(
      await s.api('POST', '/api/v1/runs', undefined, {
        raw: runBody,
        headers: { 'idempotency-key': 'deep-1' },
      }),
    )
    const run = await s.api('POST', '/api/v1/runs', { target: 'acme/echo', input: { x: 1 } })
    expect(run.status).toBe(201)
    expectTooDeep(
      await s.api('PUT', `/api/v1/runs/${run.body.id}/expected/output`, undefined, { raw: deepText(10_000) }),
    )
    // Just under the limit (the body adds one level) is an ordinary payload.
    const ok = await s.api('POST', '/api/acme/echo/ops/invoke?wait_for_completion=60', {
      payload: deepValue(MAX_JSON_DEPTH - 2),
    })
    expect(ok.status).toBe(200)
    expect((await s.api('GET', '/healthz')).status).toBe(200)
  })

  it('answers a deep engine invocation frame with json_too_deep instead of dropping it', async () => {
    const key = await s.createKey('acme', ['read', 'write', 'execute'])
    const ws = new WebSocket(s.platform.engineUrl, { headers: { authorization: `Bearer ${key}` } })
    await new Promise((res, rej) => ws.once('open', res).once('error', rej))
    const answer = new Promise<any>((res) =>
      ws.on('message', (d) => {
        const m = JSON.parse(String(d))
        if (m.type === 'invocationresult') res(m)
      }),
    )
    ws.send(
      `{"type":"invokefunction","invocation_id":"i-1","function_id":"state::get","data":${deepText(10_000)}}`,
    )
    expect(await answer).toMatchObject({ invocation_id: 'i-1', error: { code: 'json_too_deep' } })
    ws.close()
  })

  it('answers a deep WebSocket element frame with an error frame and keeps the connection', async () => {
    const c = await join(wsUrl(s.url, '/ws/acme/chat'))
    c.ws.send(deepText(10_000))
    expect(await c.next()).toMatchObject({ type: 'error', error: { code: 'JSON_TOO_DEEP' } })
    expect(c.ws.readyState).toBe(c.ws.OPEN)
    c.ws.close()
  })
})
