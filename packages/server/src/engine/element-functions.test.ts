// Python elements as engine functions `{circle}::{slug}`, called through iii-sdk: the output
// comes back, the call is a run with trigger `engine` in the runs API, and failures carry codes.
import type { IIIClient } from 'iii-sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type EngineKit, startEngineKit } from './engine-test-kit.ts'

let kit: EngineKit
let iii: IIIClient

beforeAll(async () => {
  kit = await startEngineKit()
  const code =
    'def handler(input):\n    if input.get("fail"):\n        raise RuntimeError("asked to fail")\n    return {"message": "Hello, " + input.get("name", "World")}\n'
  const r = await kit.server.api('POST', '/api/acme', {
    element_type: 'python',
    slug: 'hello',
    spec: { source: { type: 'inline', code } },
  })
  expect(r.status).toBe(201)
  iii = kit.worker()
})
afterAll(async () => kit?.close())

describe('python elements as functions', () => {
  it('returns the handler’s output to a trigger', async () => {
    expect(await iii.trigger({ function_id: 'acme::hello', payload: { name: 'Ada' } })).toEqual({
      message: 'Hello, Ada',
    })
  })

  it('records the invocation as a run with trigger engine, visible in /api/v1/runs', async () => {
    await iii.trigger({ function_id: 'acme::hello', payload: { name: 'Grace' } })
    const r = await kit.server.api('GET', '/api/v1/runs?target=acme/hello&trigger=engine&limit=50')
    expect(r.status).toBe(200)
    const run = r.body.runs.find((x: any) => x.output?.message === 'Hello, Grace')
    expect(run).toMatchObject({ status: 'succeeded', trigger: 'engine' })
  })

  it('runs live once the element has been promoted, recording the commit', async () => {
    const api = kit.server.api
    const code = 'def handler(input):\n    return {"message": "v2"}\n'
    await api('POST', '/api/acme', {
      element_type: 'python',
      slug: 'promo',
      spec: { source: { type: 'inline', code } },
    })
    await api('POST', '/api/acme/promo/ops/source/promote', { to: 'demo' })
    await api('POST', '/api/acme/promo/ops/source/promote', { to: 'live' })
    await api('PATCH', '/api/acme/promo', { spec: { source: { code: code.replace('v2', 'draft') } } })
    expect(await iii.trigger({ function_id: 'acme::promo', payload: {} })).toEqual({ message: 'v2' })
    const r = await api('GET', '/api/v1/runs?target=acme/promo&trigger=engine')
    expect(r.body.runs[0]).toMatchObject({
      source_ref: 'live',
      source_commit: expect.stringMatching(/^[0-9a-f]{40}$/),
    })
  })

  it('passes a failed run’s error code and run id to the caller', async () => {
    await expect(iii.trigger({ function_id: 'acme::hello', payload: { fail: true } })).rejects.toMatchObject({
      message: expect.stringMatching(/asked to fail.*run [0-9a-f-]{36}/s),
    })
  })

  it('lists the element among the circle’s functions', async () => {
    const r = await iii.trigger<unknown, { functions: Array<{ function_id: string }> }>({
      function_id: 'engine::functions::list',
      payload: {},
    })
    expect(r.functions.map((f) => f.function_id)).toContain('acme::hello')
  })

  it('does not reach elements of another circle', async () => {
    await kit.server.createCircle('beta')
    const key = await kit.server.createKey('beta', ['read', 'write', 'execute'])
    const other = kit.worker({ key })
    await expect(other.trigger({ function_id: 'acme::hello', payload: {} })).rejects.toMatchObject({
      code: 'function_not_found',
    })
  })
})
