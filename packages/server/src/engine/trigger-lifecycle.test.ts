// Trigger listings in iii's shapes and trigger types' lifecycle with real iii-sdk workers: a
// trigger registered before its type's provider is parked and activates when the provider comes;
// when the provider goes (disconnects or unregisters the type) the other workers' triggers wait
// and are handed to the next provider.
import type { IIIClient } from 'iii-sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type EngineKit, eventually, startEngineKit, waitForFunction } from './engine-test-kit.ts'

let kit: EngineKit
let user: IIIClient
beforeAll(async () => {
  kit = await startEngineKit()
  user = kit.worker({ workerName: 'orders-worker' })
})
afterAll(async () => kit?.close())

interface Row {
  id: string
  trigger_type: string
  function_id: string
  worker_name: string
  status: string
  config: unknown
  config_summary: string
}
const registered = async (payload: object = {}) =>
  (
    await user.trigger<unknown, { registered_triggers: Row[] }>({
      function_id: 'engine::registered-triggers::list',
      payload,
    })
  ).registered_triggers

/** A provider of `type` that records the triggers the engine hands it. */
function provider(type: string, name: string) {
  const w = kit.worker({ workerName: name })
  const got: Array<{ function_id: string; config: unknown }> = []
  const handle = w.registerTriggerType(
    { id: type, description: `${type} events` },
    {
      registerTrigger: async (t) => {
        got.push({ function_id: t.function_id, config: t.config })
      },
      unregisterTrigger: async () => {},
    },
  )
  return { w, got, handle }
}

describe('trigger listings', () => {
  it('lists registered triggers with function_id, trigger_type, worker_name and config_summary', async () => {
    user.registerFunction('orders::create', async () => ({ status_code: 201, body: 'ok' }))
    const long = `/orders/${'x'.repeat(100)}`
    user.registerTrigger({ type: 'http', function_id: 'orders::create', config: { api_path: long } })
    await waitForFunction(user, 'orders::create')
    const row = await eventually(async () => {
      const r = (await registered()).find((t) => t.function_id === 'orders::create')
      // The SDK's metadata handshake (the worker's name) and the trigger race; wait for both.
      if (r?.worker_name !== 'orders-worker') throw new Error('not registered yet')
      return r
    })
    expect(row).toMatchObject({
      trigger_type: 'http',
      function_id: 'orders::create',
      worker_name: 'orders-worker',
      status: 'active',
      config: { api_path: long },
    })
    // iii's config_summary: the config's JSON, cut at 80 characters with an ellipsis.
    expect(row.config_summary).toBe(`${JSON.stringify({ api_path: long }).slice(0, 80)}…`)
    const fns = await user.trigger<unknown, { functions: Array<Record<string, unknown>> }>({
      function_id: 'engine::functions::list',
      payload: {},
    })
    expect(fns.functions.find((f) => f.function_id === 'orders::create')).toMatchObject({
      namespace: 'default',
      worker_name: 'orders-worker',
    })
    expect(fns.functions.find((f) => f.function_id === 'state::get')).toMatchObject({
      worker_name: 'iii-state',
    })
    expect(await registered({ trigger_type: 'cron' })).not.toContainEqual(
      expect.objectContaining({ function_id: 'orders::create' }),
    )
  })

  it('lists trigger types with their descriptions and providers in iii’s shape', async () => {
    const p = provider('github:push', 'github-bridge')
    const types = await eventually(async () => {
      const r = await user.trigger<unknown, { triggers: Array<Record<string, string>> }>({
        function_id: 'engine::triggers::list',
        payload: {},
      })
      if (!r.triggers.some((t) => t.id === 'github:push' && t.worker_name === 'github-bridge'))
        throw new Error('type not there yet')
      return r.triggers
    })
    expect(types.find((t) => t.id === 'github:push')).toEqual({
      id: 'github:push',
      namespace: 'default',
      worker_name: 'github-bridge',
      description: 'github:push events',
    })
    expect(types.find((t) => t.id === 'http')).toMatchObject({
      worker_name: 'iii-http',
      description: expect.any(String),
    })
    await p.w.shutdown()
  })
})

describe('deferred trigger registration', () => {
  it('parks a trigger of a type nobody provides yet and hands it over when the provider registers', async () => {
    user.registerFunction('ci::build', async () => null)
    user.registerTrigger({ type: 'deploy:done', function_id: 'ci::build', config: { env: 'prod' } })
    const pending = await eventually(async () => {
      const r = (await registered({ include_pending: true })).find((t) => t.function_id === 'ci::build')
      if (!r) throw new Error('not parked yet')
      return r
    })
    expect(pending.status).toBe('pending')
    // A bare list is the live bindings only, as on iii.
    expect((await registered()).some((t) => t.function_id === 'ci::build')).toBe(false)

    const first = provider('deploy:done', 'deployer')
    await eventually(() => expect(first.got).toEqual([{ function_id: 'ci::build', config: { env: 'prod' } }]))
    const row = (await registered()).find((t) => t.function_id === 'ci::build')!
    expect(row.status).toBe('active')
    // iii's detail built-ins: the registered trigger with its type and function, the type with its count.
    // (eventually: the SDK sends the provider's name after its registrations)
    await eventually(async () =>
      expect(
        await user.trigger({ function_id: 'engine::registered-triggers::info', payload: { id: row.id } }),
      ).toMatchObject({
        id: row.id,
        trigger_type: 'deploy:done',
        function_id: 'ci::build',
        status: 'active',
        config: { env: 'prod' },
        trigger: { id: 'deploy:done', worker_name: 'deployer', instance_count: 1 },
        function: {
          function_id: 'ci::build',
          registered_triggers: [{ id: row.id, trigger_type: 'deploy:done' }],
        },
      }),
    )
    await expect(
      user.trigger({ function_id: 'engine::triggers::info', payload: { id: 'no:such' } }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' })

    // The provider disconnects: the trigger waits again, and the next provider gets it.
    await first.w.shutdown()
    await eventually(async () =>
      expect(
        (await registered({ include_pending: true })).find((t) => t.function_id === 'ci::build')?.status,
      ).toBe('pending'),
    )
    const second = provider('deploy:done', 'deployer-2')
    await eventually(() =>
      expect(second.got).toEqual([{ function_id: 'ci::build', config: { env: 'prod' } }]),
    )

    // Unregistering the type parks it too; registering the type again hands it over once more.
    second.handle.unregister()
    await eventually(async () =>
      expect(
        (await registered({ include_pending: true })).find((t) => t.function_id === 'ci::build')?.status,
      ).toBe('pending'),
    )
    second.w.registerTriggerType(
      { id: 'deploy:done', description: 'again' },
      {
        registerTrigger: async (t) => {
          second.got.push({ function_id: t.function_id, config: t.config })
        },
        unregisterTrigger: async () => {},
      },
    )
    await eventually(() => expect(second.got).toHaveLength(2))
    expect((await registered()).find((t) => t.function_id === 'ci::build')?.status).toBe('active')
  })
})
