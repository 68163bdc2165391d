// RBAC on an extra worker port with real iii-sdk workers: the auth function, allow/forbid and
// expose_functions, the registration prefix, the three registration hooks and the middleware.
import { type IIIClient, type InitOptions, registerWorker } from 'iii-sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { type EngineKit, eventually, startEngineKit, waitForFunction } from './engine-test-kit.ts'
import type { RbacConfig } from './worker-rbac.ts'

let kit: EngineKit
let trusted: IIIClient
const extra: IIIClient[] = []
const seen = { hookContexts: [] as unknown[], middleware: [] as any[] }

function join(url: string, headers: Record<string, string>, o: InitOptions = {}): IIIClient {
  const w = registerWorker(url, {
    headers,
    otel: { enabled: false },
    enableMetricsReporting: false,
    reconnectionConfig: { initialDelayMs: 50, maxDelayMs: 200 },
    ...o,
  })
  extra.push(w)
  return w
}

async function openPort(
  rbac: RbacConfig | null,
  middlewareFunctionId: string | null = null,
): Promise<string> {
  const circle = (await kit.server.platform.storage.findCircle('acme'))!
  const p = await kit.server.platform.engine.openWorkerPort({
    circleId: circle.id,
    circleSlug: 'acme',
    host: '127.0.0.1',
    port: 0,
    rbac,
    middlewareFunctionId,
  })
  return `ws://127.0.0.1:${p.port}`
}

function upgradeStatus(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers })
    ws.on('open', () => {
      ws.close()
      resolve(101)
    })
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))
    ws.on('error', () => {})
  })
}

const ids = async (w: IIIClient) =>
  (
    await w.trigger<unknown, { functions: Array<{ function_id: string }> }>({
      function_id: 'engine::functions::list',
      payload: {},
    })
  ).functions.map((f) => f.function_id)

const errorCode = (p: Promise<unknown>) =>
  p.then(
    () => 'resolved',
    (e: { code?: string }) => e.code,
  )

const rbac = (o: Partial<RbacConfig>): RbacConfig => ({
  auth_function_id: 'auth::check',
  on_function_registration_function_id: null,
  on_trigger_registration_function_id: null,
  on_trigger_type_registration_function_id: null,
  expose_functions: [{ match: 'api::*' }, { metadata: { public: true } }],
  ...o,
})

beforeAll(async () => {
  kit = await startEngineKit()
  trusted = kit.worker()
  trusted.registerFunction('auth::check', async (input: any) => {
    const role = input.headers['x-role']
    if (role === 'guest')
      return {
        allowed_functions: ['private::one', 'engine::functions::list'],
        forbidden_functions: ['api::secret'],
        allow_function_registration: false,
        context: { role, ip: input.ip_address, q: input.query_params },
      }
    if (role === 'tenant')
      return {
        function_registration_prefix: 'tenant-a',
        allowed_trigger_types: ['http'],
        allow_trigger_type_registration: true,
        context: { tenant: 'a' },
      }
    if (role === 'viewer')
      return {
        allowed_functions: [
          'engine::functions::list',
          'engine::functions::info',
          'engine::workers::list',
          'engine::registered-triggers::list',
        ],
      }
    throw new Error('who are you?')
  })
  trusted.registerFunction('api::echo', async (x: unknown) => ({ echo: x }))
  trusted.registerFunction('api::secret', async () => 'secret')
  trusted.registerFunction('private::one', async () => 'one')
  trusted.registerFunction('private::two', async () => 'two')
  trusted.registerFunction('misc::pub', async () => 'pub', { metadata: { public: true, team: 'x' } })
  trusted.registerFunction('hooks::fn', async (input: any) => {
    seen.hookContexts.push(input.context)
    if (input.function_id.includes('blocked')) throw new Error('not this one')
    if (input.function_id.endsWith('rename-me')) return { function_id: 'renamed::fn' }
    return {}
  })
  trusted.registerFunction('hooks::trigger', async (input: any) => {
    if (input.trigger_type !== 'http') return {}
    return { config: { ...input.config, api_path: `/${input.context.tenant}${input.config.api_path}` } }
  })
  trusted.registerFunction('hooks::type', async (input: any) => {
    if (input.trigger_type_id === 'evil') throw new Error('no')
    return { trigger_type_id: `tenant-a.${input.trigger_type_id}` }
  })
  trusted.registerFunction('mw::pass', async (input: any) =>
    trusted.trigger({ function_id: input.function_id, payload: input.payload }),
  )
  trusted.registerFunction('mw::audit', async (input: any) => {
    seen.middleware.push(input)
    return { wrapped: await trusted.trigger({ function_id: input.function_id, payload: input.payload }) }
  })
  await waitForFunction(trusted, 'mw::audit')
})
afterAll(async () => {
  await Promise.all(extra.map((w) => w.shutdown().catch(() => {})))
  await kit?.close()
})

describe('RBAC worker port', () => {
  it('refuses the upgrade when the auth function throws, and joins the circle without an API key', async () => {
    const url = await openPort(rbac({}))
    expect(await upgradeStatus(url, { 'x-role': 'nobody' })).toBe(401)
    expect(await upgradeStatus(url, {})).toBe(401)
    expect(await upgradeStatus(url, { 'x-role': 'guest' })).toBe(101)
    // An auth function nobody serves: the port is unavailable rather than open.
    expect(await upgradeStatus(await openPort(rbac({ auth_function_id: 'auth::missing' })), {})).toBe(503)
    // A port without rbac is trusted: any worker joins the configured circle.
    const open = await openPort(null)
    const w = join(open, {})
    expect(await w.trigger({ function_id: 'private::two', payload: {} })).toBe('two')
  })

  it('allows exposed and allowed functions, forbids the rest; forbidden wins over expose', async () => {
    const guest = join(`${await openPort(rbac({}))}/?team=blue`, { 'x-role': 'guest' })
    expect(await guest.trigger({ function_id: 'api::echo', payload: { a: 1 } })).toEqual({ echo: { a: 1 } })
    expect(await guest.trigger({ function_id: 'private::one', payload: {} })).toBe('one')
    expect(await guest.trigger({ function_id: 'misc::pub', payload: {} })).toBe('pub')
    expect(await errorCode(guest.trigger({ function_id: 'api::secret', payload: {} }))).toBe('FORBIDDEN')
    expect(await errorCode(guest.trigger({ function_id: 'private::two', payload: {} }))).toBe('FORBIDDEN')
    expect(
      await errorCode(guest.trigger({ function_id: 'state::get', payload: { scope: 's', key: 'k' } })),
    ).toBe('FORBIDDEN')
    // Discovery is filtered to what the session may call.
    const listed = await ids(guest)
    expect(listed).toEqual(expect.arrayContaining(['api::echo', 'private::one', 'misc::pub']))
    expect(listed.filter((id) => ['api::secret', 'private::two', 'auth::check'].includes(id))).toEqual([])
    // The carve-out: logging stays callable so the SDK keeps working.
    expect(await guest.trigger({ function_id: 'engine::log::info', payload: { message: 'hi' } })).toBeNull()
  })

  it('shows a session only what it may call, in every listing and through a middleware', async () => {
    trusted.registerTrigger({ type: 'state', function_id: 'private::two', config: { scope: 'hidden' } })
    trusted.registerTrigger({ type: 'state', function_id: 'api::echo', config: { scope: 'shown' } })
    await eventually(async () => {
      const r = await trusted.trigger<unknown, { registered_triggers: Array<{ function_id: string }> }>({
        function_id: 'engine::registered-triggers::list',
        payload: {},
      })
      expect(r.registered_triggers.map((t) => t.function_id)).toEqual(
        expect.arrayContaining(['private::two', 'api::echo']),
      )
    })
    const allowed = (id: string) => id.startsWith('api::') || id.startsWith('engine::') || id === 'misc::pub'
    for (const mw of [null, 'mw::pass']) {
      const viewer = join(await openPort(rbac({}), mw), { 'x-role': 'viewer' })
      const listed = await ids(viewer)
      expect(listed).toEqual(expect.arrayContaining(['api::echo', 'misc::pub']))
      expect(listed.filter((id) => !allowed(id))).toEqual([])
      const workers = await viewer.trigger<unknown, { workers: Array<{ functions: string[] }> }>({
        function_id: 'engine::workers::list',
        payload: {},
      })
      expect(workers.workers.flatMap((w) => w.functions).filter((id) => !allowed(id))).toEqual([])
      const triggers = await viewer.trigger<unknown, { registered_triggers: Array<{ function_id: string }> }>(
        {
          function_id: 'engine::registered-triggers::list',
          payload: {},
        },
      )
      expect(triggers.registered_triggers.map((t) => t.function_id)).not.toContain('private::two')
    }
    const direct = join(await openPort(rbac({})), { 'x-role': 'viewer' })
    expect(
      await errorCode(
        direct.trigger({ function_id: 'engine::functions::info', payload: { function_id: 'private::two' } }),
      ),
    ).toBe('FORBIDDEN')
  })

  it('refuses registration when the session may not register functions', async () => {
    const guest = join(await openPort(rbac({})), { 'x-role': 'guest' })
    guest.registerFunction('guest::fn', async () => 1)
    // Frames are handled in order: once this answers, the registration was decided.
    await guest.trigger({ function_id: 'api::echo', payload: {} })
    expect(await ids(trusted)).not.toContain('guest::fn')
  })

  it('prefixes registered functions and strips the prefix when dispatching to the worker', async () => {
    const tenant = join(await openPort(rbac({})), { 'x-role': 'tenant' })
    tenant.registerFunction('echo', async (x: any) => ({ tenant: 'a', got: x }))
    await waitForFunction(trusted, 'tenant-a::echo')
    expect(await ids(trusted)).not.toContain('echo')
    expect(await trusted.trigger({ function_id: 'tenant-a::echo', payload: 7 })).toEqual({
      tenant: 'a',
      got: 7,
    })
    // Triggers name the worker's own id; the engine binds them to the prefixed function.
    tenant.registerTrigger({ type: 'state', function_id: 'echo', config: { scope: 'x' } })
    tenant.registerTrigger({
      type: 'http',
      function_id: 'echo',
      config: { api_path: '/t', http_method: 'POST' },
    })
    const r = await eventually(async () => {
      const res = await fetch(`${kit.server.url}/http/acme/t`, { method: 'POST', body: '{"n":1}' })
      expect(res.status).toBe(200)
      return res.json()
    })
    expect(r).toEqual({ tenant: 'a', got: expect.objectContaining({ body: { n: 1 } }) })
    const listed = await trusted.trigger<
      unknown,
      { registered_triggers: Array<{ trigger_type: string; function_id: string }> }
    >({
      function_id: 'engine::registered-triggers::list',
      payload: {},
    })
    // allowed_trigger_types is ['http']: the state trigger was refused.
    expect(
      listed.registered_triggers.filter((t) => t.function_id === 'tenant-a::echo').map((t) => t.trigger_type),
    ).toEqual(['http'])
  })

  it('lets the registration hooks rename or deny, with the session context', async () => {
    const url = await openPort(
      rbac({
        on_function_registration_function_id: 'hooks::fn',
        on_trigger_registration_function_id: 'hooks::trigger',
        on_trigger_type_registration_function_id: 'hooks::type',
      }),
    )
    const tenant = join(url, { 'x-role': 'tenant' })
    tenant.registerFunction('blocked::x', async () => 'no')
    tenant.registerFunction('rename-me', async () => 'renamed ok')
    tenant.registerFunction('hello', async () => ({ status_code: 201, body: 'hi' }))
    tenant.registerTrigger({
      type: 'http',
      function_id: 'hello',
      config: { api_path: '/hello', http_method: 'GET' },
    })
    tenant.registerTriggerType(
      { id: 'evil', description: 'refused' },
      {
        registerTrigger: async () => {},
        unregisterTrigger: async () => {},
      },
    )
    let forwarded: (c: unknown) => void = () => {}
    const forwardedConfig = new Promise((r) => {
      forwarded = r
    })
    tenant.registerTriggerType(
      { id: 'mytype', description: 'mine' },
      {
        registerTrigger: async (t: any) => forwarded(t.config),
        unregisterTrigger: async () => {},
      },
    )
    await waitForFunction(trusted, 'tenant-a::hello')
    const all = await ids(trusted)
    expect(all).toContain('renamed::fn')
    expect(all.filter((id) => id.includes('blocked') || id.includes('rename-me'))).toEqual([])
    expect(await trusted.trigger({ function_id: 'renamed::fn', payload: {} })).toBe('renamed ok')
    expect(seen.hookContexts).toContainEqual({ tenant: 'a' })
    // The trigger hook moved the route under the tenant's path.
    const res = await eventually(async () => {
      const r = await fetch(`${kit.server.url}/http/acme/a/hello`)
      expect(r.status).toBe(201)
      return r
    })
    expect(await res.text()).toBe('hi')
    const types = await eventually(async () => {
      const l = await trusted.trigger<unknown, { triggers: Array<{ id: string }> }>({
        function_id: 'engine::triggers::list',
        payload: {},
      })
      const t = l.triggers.map((x) => x.id)
      expect(t).toContain('tenant-a.mytype')
      return t
    })
    expect(types).not.toContain('evil')
    expect(types).not.toContain('mytype')
    // A trigger of the renamed type reaches the tenant's handler under the name it registered.
    trusted.registerTrigger({ type: 'tenant-a.mytype', function_id: 'api::echo', config: { every: 'day' } })
    expect(await forwardedConfig).toEqual({ every: 'day' })
  })

  it('routes every invocation through the middleware with the session context', async () => {
    const guest = join(await openPort(rbac({}), 'mw::audit'), { 'x-role': 'guest' })
    expect(await guest.trigger({ function_id: 'api::echo', payload: { n: 2 } })).toEqual({
      wrapped: { echo: { n: 2 } },
    })
    const call = seen.middleware.find((m) => m.function_id === 'api::echo')
    expect(call).toMatchObject({ payload: { n: 2 }, context: { role: 'guest' } })
    expect(call.context.ip).toMatch(/127\.0\.0\.1/)
    // RBAC is checked before the middleware: a forbidden call never reaches it.
    expect(await errorCode(guest.trigger({ function_id: 'api::secret', payload: {} }))).toBe('FORBIDDEN')
    expect(seen.middleware.some((m) => m.function_id === 'api::secret')).toBe(false)
  })

  it('lets a middleware served on its own port call targets directly, without looping', async () => {
    const url = await openPort(null, 'mw::local')
    const mwWorker = join(url, {})
    mwWorker.registerFunction('mw::local', async (input: any) => ({
      via: 'local',
      result: await mwWorker.trigger({ function_id: input.function_id, payload: input.payload }),
    }))
    const caller = join(url, {})
    await waitForFunction(trusted, 'mw::local')
    expect(await caller.trigger({ function_id: 'api::echo', payload: 3 })).toEqual({
      via: 'local',
      result: { echo: 3 },
    })
  })
})
