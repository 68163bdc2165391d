// The `/otel` socket of the worker ports: refused without a key (the worker port's 401), keyless
// on an iii-worker-manager port, ended when its key is revoked; malformed frames counted and
// dropped without closing it (and shown in /metrics); what one record may hold is bounded.
import type { IncomingMessage } from 'node:http'
import type { IIIClient } from 'iii-sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { connect, refusal } from '../../test/ws-test-client.ts'
import { type EngineKit, eventually, startEngineKit } from './engine-test-kit.ts'
import { RECORD_BUDGET } from './otlp-ingest.ts'

interface Span {
  name: string
}

let kit: EngineKit
let caller: IIIClient

beforeAll(async () => {
  kit = await startEngineKit()
  caller = kit.worker()
})
afterAll(async () => kit?.close())

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
  })
const spans = (q: object) =>
  caller.trigger<unknown, { spans: Span[] }>({ function_id: 'engine::traces::list', payload: q })

describe('the /otel socket', () => {
  it('refuses /otel without a key (or with a wrong one) with the worker port’s 401 answer', async () => {
    const attempt = (headers: Record<string, string>) =>
      new Promise<{ status: number; body: string } | 'open'>((resolve) => {
        const ws = new WebSocket(`${kit.url}/otel`, { headers })
        ws.on('open', () => {
          ws.close()
          resolve('open')
        })
        ws.on('unexpected-response', async (_req, res) => {
          resolve({ status: res.statusCode ?? 0, body: await readBody(res) })
        })
        ws.on('error', () => {})
      })
    const none = await attempt({})
    expect(none).toMatchObject({ status: 401 })
    expect(JSON.parse((none as { body: string }).body)).toMatchObject({ error: { code: 'AUTH_REQUIRED' } })
    expect(await attempt({ authorization: 'Bearer not-a-key' })).toMatchObject({ status: 401 })
    expect(await attempt({ authorization: `Bearer ${kit.key}` })).toBe('open')
  })

  it('takes /otel without a key on an iii-worker-manager port, into that port’s circle', async () => {
    await kit.server.createCircle('shop')
    const circle = (await kit.server.platform.storage.findCircle('shop'))!
    const p = await kit.server.platform.engine.openWorkerPort({
      circleId: circle.id,
      circleSlug: 'shop',
      host: '127.0.0.1',
      port: 0,
      rbac: null,
      middlewareFunctionId: null,
    })
    const otel = await connect(`ws://127.0.0.1:${p.port}/otel`)
    const trace = 'ab'.repeat(16)
    const frame = {
      resourceSpans: [
        { scopeSpans: [{ spans: [{ traceId: trace, spanId: 'cd'.repeat(8), name: 'shop span' }] }] },
      ],
    }
    otel.ws.send(Buffer.concat([Buffer.from('OTLP'), Buffer.from(JSON.stringify(frame))]))
    const shopKey = await kit.server.createKey('shop', ['read', 'execute'])
    const shop = kit.worker({ key: shopKey })
    await eventually(async () => {
      const r = await shop.trigger<unknown, { spans: Span[] }>({
        function_id: 'engine::traces::list',
        payload: { trace_id: trace },
      })
      expect(r.spans.map((s) => s.name)).toEqual(['shop span'])
    })
    expect((await spans({ trace_id: trace })).spans).toEqual([])
    otel.ws.close()
  })

  it('ends a telemetry socket when its key is revoked', async () => {
    const r = await kit.server.api('POST', '/api/acme/ops/api_keys', { scopes: ['read', 'execute'] })
    const otel = await connect(`${kit.url}/otel`, { headers: { authorization: `Bearer ${r.body.key}` } })
    const del = await kit.server.api('DELETE', `/api/acme/ops/api_keys/${r.body.id}`)
    expect(del.status).toBeLessThan(300)
    expect(await otel.closed).toEqual({ code: 4401, reason: 'api key revoked' })
    expect(
      (await refusal(`${kit.url}/otel`, { headers: { authorization: `Bearer ${r.body.key}` } })).status,
    ).toBe(401)
  })

  it('ignores and counts malformed frames, keeps the socket, and still keeps a good frame after them', async () => {
    const telemetry = kit.server.platform.engine.observability.workers
    const before = { ...telemetry.counters }
    const ws = new WebSocket(`${kit.url}/otel`, { headers: { authorization: `Bearer ${kit.key}` } })
    await new Promise((r) => ws.once('open', r))
    const trace = 'aa'.repeat(16)
    const good = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'hand-made' } }] },
          scopeSpans: [
            {
              spans: [
                { traceId: 'zz', spanId: 'bb'.repeat(8), name: 'bad ids' },
                {
                  traceId: trace,
                  spanId: 'cc'.repeat(8),
                  name: 'good',
                  startTimeUnixNano: '1',
                  endTimeUnixNano: '2',
                },
              ],
            },
          ],
        },
      ],
    }
    ws.send('a text frame')
    ws.send(Buffer.from('XXXX{}'))
    ws.send(Buffer.from('OTLP{not json'))
    ws.send(Buffer.from('OTLP{"resourceSpans":5}'))
    ws.send(Buffer.from('LOG'))
    ws.send(Buffer.concat([Buffer.from('OTLP'), Buffer.from(JSON.stringify(good))]))
    await eventually(async () => {
      const r = await spans({ trace_id: trace })
      expect(r.spans.map((s) => s.name)).toEqual(['good'])
    })
    expect(telemetry.counters.malformed - before.malformed).toBe(5)
    expect(telemetry.counters.skipped - before.skipped).toBe(1)
    const prom = await fetch(`${kit.server.url}/metrics`, {
      headers: { authorization: `Bearer ${kit.server.adminKey}` },
    }).then((r) => r.text())
    expect(prom).toContain(
      `periodic_engine_telemetry_frames_total{result="malformed"} ${telemetry.counters.malformed}`,
    )
    expect(ws.readyState).toBe(WebSocket.OPEN)
    ws.close()
  })

  it('survives a frame nested too deep to serialize (the span is kept, the value named)', async () => {
    const ws = new WebSocket(`${kit.url}/otel`, { headers: { authorization: `Bearer ${kit.key}` } })
    await new Promise((r) => ws.once('open', r))
    const depth = 100_000
    const deep = `${'{"arrayValue":{"values":['.repeat(depth)}{"stringValue":"x"}${']}}'.repeat(depth)}`
    const trace = 'ef'.repeat(16)
    const span = `{"traceId":"${trace}","spanId":"${'12'.repeat(8)}","name":"deep","attributes":[{"key":"d","value":${deep}}]}`
    ws.send(Buffer.from(`OTLP{"resourceSpans":[{"scopeSpans":[{"spans":[${span}]}]}]}`))
    const kept = await eventually(async () => {
      const r = await caller.trigger<unknown, { spans: Array<{ attributes: Array<[string, string]> }> }>({
        function_id: 'engine::traces::list',
        payload: { trace_id: trace },
      })
      if (r.spans.length === 0) throw new Error('not yet')
      return r.spans[0]!
    })
    expect(kept.attributes).toEqual([['d', '[value too deep]']])
    expect(ws.readyState).toBe(WebSocket.OPEN)
    ws.close()
  })

  it('bounds what one span may hold: attributes are cut to the record budget', async () => {
    const ws = new WebSocket(`${kit.url}/otel`, { headers: { authorization: `Bearer ${kit.key}` } })
    await new Promise((r) => ws.once('open', r))
    const trace = 'dd'.repeat(16)
    const attributes = Array.from({ length: 300 }, (_, i) => ({
      key: `k${i}`,
      value: { stringValue: 'v'.repeat(10_000) },
    }))
    const frame = {
      resourceSpans: [
        { scopeSpans: [{ spans: [{ traceId: trace, spanId: 'ee'.repeat(8), name: 'fat', attributes }] }] },
      ],
    }
    ws.send(Buffer.concat([Buffer.from('OTLP'), Buffer.from(JSON.stringify(frame))]))
    const span = await eventually(async () => {
      const r = await caller.trigger<unknown, { spans: Array<{ attributes: Array<[string, string]> }> }>({
        function_id: 'engine::traces::list',
        payload: { trace_id: trace },
      })
      if (r.spans.length === 0) throw new Error('not yet')
      return r.spans[0]!
    })
    const chars = span.attributes.reduce((n, [k, v]) => n + k.length + v.length, 0)
    expect(chars).toBeLessThanOrEqual(RECORD_BUDGET)
    expect(span.attributes.length).toBeGreaterThan(0)
    ws.close()
  })
})
