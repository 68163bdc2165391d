// An http trigger's `middleware_function_ids` with the real iii-sdk over real HTTP, against iii's
// contract: in order before the handler, each gets {phase, request, context} (and the trigger's
// metadata), continues (adding context) or answers for itself; a broken one fails the request.
import type { IIIClient } from 'iii-sdk'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { type EngineKit, eventually, startEngineKit } from './engine-test-kit.ts'

let kit: EngineKit
let iii: IIIClient
const calls: Array<{ id: string; input: any; metadata: any }> = []

beforeAll(async () => {
  kit = await startEngineKit()
  iii = kit.worker()
  const record = (id: string, answer: (input: any) => unknown) =>
    iii.registerFunction(id, async (input: any, metadata: any) => {
      calls.push({ id, input, metadata })
      return answer(input)
    })
  record('mw::auth', (input) =>
    input.request.headers.authorization === 'Bearer good'
      ? { action: 'continue', context: { user: 'ada' } }
      : {
          action: 'respond',
          response: {
            status_code: 401,
            headers: { 'WWW-Authenticate': 'Bearer' },
            body: { error: 'missing_or_invalid_bearer' },
          },
        },
  )
  record('mw::tenant', (input) => ({
    action: 'continue',
    context: { tenant: input.request.path_params.tenant },
  }))
  record('mw::broken', () => ({ ok: true }))
  record('mw::throws', () => {
    throw new Error('middleware down')
  })
  record('api::report', (req) => ({ status_code: 200, body: { context: req.context, body: req.body } }))
})
afterAll(async () => kit?.close())

const url = (path: string) => `${kit.server.url}/http/acme${path}`

async function trigger(
  functionId: string,
  config: Record<string, unknown>,
  metadata?: Record<string, unknown>,
) {
  iii.registerTrigger({ type: 'http', function_id: functionId, config, ...(metadata ? { metadata } : {}) })
  await eventually(async () => {
    const r = await fetch(url(String(config['api_path']).replace(/:tenant/, 't0')), {
      method: String(config['http_method'] ?? 'GET'),
    })
    if (r.status === 404 && (await r.text()).includes('ENGINE_ROUTE_NOT_FOUND'))
      throw new Error('no route yet')
  })
  calls.length = 0
}

describe('http middleware', () => {
  it('runs the middleware in order before the handler, each seeing the request and the context so far', async () => {
    await trigger(
      'api::report',
      {
        api_path: '/t/:tenant/report',
        http_method: 'POST',
        middleware_function_ids: ['mw::auth', 'mw::tenant'],
      },
      { team: 'billing' },
    )
    const r = await fetch(url('/t/acme-eu/report?full=1'), {
      method: 'POST',
      headers: { authorization: 'Bearer good', 'content-type': 'application/json' },
      body: '{"n":1}',
    })
    expect(r.status).toBe(200)
    expect(await r.json()).toEqual({ context: { user: 'ada', tenant: 'acme-eu' }, body: { n: 1 } })
    expect(calls.map((c) => c.id)).toEqual(['mw::auth', 'mw::tenant', 'api::report'])
    const [auth, tenant] = calls
    expect(auth!.input).toEqual({
      phase: 'preHandler',
      request: {
        method: 'POST',
        path: '/t/acme-eu/report',
        path_params: { tenant: 'acme-eu' },
        query_params: { full: '1' },
        headers: expect.objectContaining({
          authorization: 'Bearer good',
          'content-type': 'application/json',
        }),
      },
      context: {},
    })
    expect(auth!.input.request.body).toBeUndefined()
    expect(tenant!.input.context).toEqual({ user: 'ada' })
    // The trigger's metadata reaches the middleware as it reaches the handler.
    expect(calls.map((c) => c.metadata)).toEqual([
      { team: 'billing' },
      { team: 'billing' },
      { team: 'billing' },
    ])
  })

  it('answers with a middleware’s own response and runs nothing after it', async () => {
    calls.length = 0
    const r = await fetch(url('/t/acme-eu/report'), { method: 'POST', body: '{}' })
    expect(r.status).toBe(401)
    expect(r.headers.get('www-authenticate')).toBe('Bearer')
    expect(await r.json()).toEqual({ error: 'missing_or_invalid_bearer' })
    expect(calls.map((c) => c.id)).toEqual(['mw::auth'])
  })

  it('fails the request when a middleware throws or answers neither action; the handler never runs', async () => {
    await trigger('api::report', { api_path: '/broken', middleware_function_ids: ['mw::broken'] })
    const broken = await fetch(url('/broken'))
    expect(broken.status).toBe(502)
    expect((await broken.json()).error.details.function_error).toBe('invalid_middleware_result')
    expect(calls.map((c) => c.id)).toEqual(['mw::broken'])
    await trigger('api::report', { api_path: '/throws', middleware_function_ids: ['mw::throws'] })
    const failed = await fetch(url('/throws'))
    expect(failed.status).toBe(502)
    expect((await failed.json()).error.message).toContain('middleware down')
    expect(calls.map((c) => c.id)).toEqual(['mw::throws'])
  })

  it('refuses a trigger whose middleware_function_ids is not a list of function ids', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {})
    try {
      iii.registerTrigger({
        type: 'http',
        function_id: 'api::report',
        config: { api_path: '/bad-mw', middleware_function_ids: 'mw::auth' },
      })
      await eventually(() =>
        expect(errors).toHaveBeenCalledWith(
          expect.stringContaining('middleware_function_ids must be a list'),
        ),
      )
    } finally {
      errors.mockRestore()
    }
  })
})
