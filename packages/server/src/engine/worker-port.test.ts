// The worker port with the real iii-sdk client: authentication, register/invoke/unregister,
// errors, timeouts, void and enqueue actions, a worker dying mid-invocation, reattach, listings.
import { spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { TriggerAction } from 'iii-sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { type EngineKit, eventually, startEngineKit, waitForFunction } from './engine-test-kit.ts'

let kit: EngineKit

beforeAll(async () => {
  kit = await startEngineKit({ env: { PERIODIC_ENGINE_TIMEOUT_MS: '400' } })
})
afterAll(async () => kit?.close())

/** Opens a raw socket and resolves with the upgrade's HTTP status (101 when accepted). */
function upgradeStatus(headers: Record<string, string>, path = '/'): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(kit.url + path, { headers })
    ws.on('open', () => {
      ws.close()
      resolve(101)
    })
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))
    ws.on('error', () => {})
  })
}

describe('engine worker port', () => {
  it('refuses a connection without a key, with an unknown key, or with a read-only key', async () => {
    expect(await upgradeStatus({})).toBe(401)
    expect(await upgradeStatus({ authorization: 'Bearer pk_nope' })).toBe(401)
    const readOnly = await kit.server.createKey('acme', ['read'])
    expect(await upgradeStatus({ authorization: `Bearer ${readOnly}` })).toBe(403)
    expect(await upgradeStatus({ authorization: `Bearer ${kit.key}` })).toBe(101)
  })

  it('lets the platform admin key join a circle named with ?circle=', async () => {
    expect(await upgradeStatus({ authorization: `Bearer ${kit.server.adminKey}` })).toBe(404)
    expect(await upgradeStatus({ authorization: `Bearer ${kit.server.adminKey}` }, '/?circle=acme')).toBe(101)
  })

  it('drops malformed frames and keeps serving the connection', async () => {
    const ws = new WebSocket(kit.url, { headers: { authorization: `Bearer ${kit.key}` } })
    const messages: any[] = []
    ws.on('message', (d) => messages.push(JSON.parse(d.toString())))
    await new Promise((r) => ws.once('open', r))
    for (const bad of [
      'garbage',
      '[]',
      '{"type":"invokefunction","invocation_id":"x"}',
      '{"type":"registerfunction","id":""}',
      '{"type":"invokefunction","function_id":"state::get","invocation_id":"1","action":{"type":"teleport"}}',
      '{"type":"invocationresult","invocation_id":"not-ours","result":1}',
      '{"type":"nonsense"}',
    ])
      ws.send(bad)
    ws.send(
      JSON.stringify({
        type: 'invokefunction',
        invocation_id: 'ok-1',
        function_id: 'state::get',
        data: { scope: 's', key: 'k' },
      }),
    )
    const ok = await eventually(() => {
      const m = messages.find((x) => x.invocation_id === 'ok-1')
      expect(m).toMatchObject({ type: 'invocationresult' })
      return m
    })
    // A missing key is no value: iii leaves `result` out of the frame rather than sending null.
    expect(Object.keys(ok)).not.toContain('result')
    // A malformed invocation that names its id is answered, so its caller does not wait.
    expect(messages.filter((m) => m.error).map((m) => [m.invocation_id, m.error.code])).toEqual([
      ['x', 'invalid_message'],
      ['1', 'invalid_message'],
    ])
    ws.close()
  })

  it('closes a connection that sends a frame over 16 MiB', async () => {
    const ws = new WebSocket(kit.url, { headers: { authorization: `Bearer ${kit.key}` } })
    ws.on('error', () => {})
    await new Promise((r) => ws.once('open', r))
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)))
    ws.send('x'.repeat(16 * 1024 * 1024 + 1))
    expect(await closed).toBe(1009)
  })

  it('sends workerregistered with a worker id and reattach token on connect', async () => {
    const ws = new WebSocket(kit.url, { headers: { authorization: `Bearer ${kit.key}` } })
    const first = await new Promise<any>((r) => ws.once('message', (d) => r(JSON.parse(d.toString()))))
    ws.close()
    expect(first).toMatchObject({ type: 'workerregistered' })
    expect(first.worker_id).toMatch(/^[0-9a-f-]{36}$/)
    expect(first.reattach_token).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('routes a trigger from one worker to a function another worker registered', async () => {
    const a = kit.worker({ workerName: 'orders-worker' })
    const b = kit.worker()
    a.registerFunction('orders::create', async (req: { item: string }) => ({ id: 1, item: req.item }))
    await waitForFunction(b, 'orders::create')
    expect(await b.trigger({ function_id: 'orders::create', payload: { item: 'widget' } })).toEqual({
      id: 1,
      item: 'widget',
    })
  })

  it('passes invocation metadata to the function', async () => {
    const a = kit.worker()
    a.registerFunction('meta::echo', async (_payload: unknown, metadata?: unknown) => ({ metadata }))
    await waitForFunction(a, 'meta::echo')
    expect(await a.trigger({ function_id: 'meta::echo', payload: {}, metadata: { tenant: 't1' } })).toEqual({
      metadata: { tenant: 't1' },
    })
  })

  it('accepts the SDK’s telemetry socket at /otel with the worker key and keeps serving workers', async () => {
    // Authenticated like the worker port (worker-telemetry.test.ts covers refusal and what is kept).
    const ws = new WebSocket(`${kit.url}/otel`, { headers: { authorization: `Bearer ${kit.key}` } })
    await new Promise((r) => ws.once('open', r))
    ws.send(Buffer.concat([Buffer.from('OTLP'), Buffer.from('{"resourceSpans":[]}')]))
    ws.send('not even json')
    const b = kit.worker()
    expect(
      await b.trigger<unknown, { functions: unknown[] }>({
        function_id: 'engine::functions::list',
        payload: {},
      }),
    ).toHaveProperty('functions')
    expect(ws.readyState).toBe(WebSocket.OPEN)
    ws.close()
  })

  it('passes a thrown error back to the caller with its message', async () => {
    const a = kit.worker()
    a.registerFunction('orders::fail', async () => {
      throw new Error('out of widgets')
    })
    await waitForFunction(a, 'orders::fail')
    await expect(a.trigger({ function_id: 'orders::fail', payload: {} })).rejects.toMatchObject({
      code: 'invocation_failed',
      message: expect.stringContaining('out of widgets'),
    })
  })

  it('answers function_not_found for an unknown function', async () => {
    const a = kit.worker()
    await expect(a.trigger({ function_id: 'nobody::here', payload: {} })).rejects.toMatchObject({
      code: 'function_not_found',
    })
  })

  it('answers timeout when a function does not answer within the engine timeout', async () => {
    const a = kit.worker()
    a.registerFunction('slow::never', () => new Promise(() => {}))
    await waitForFunction(a, 'slow::never')
    const t0 = Date.now()
    await expect(a.trigger({ function_id: 'slow::never', payload: {} })).rejects.toMatchObject({
      code: 'timeout',
    })
    expect(Date.now() - t0).toBeLessThan(3000)
  })

  it('unregisters a function', async () => {
    const a = kit.worker()
    const ref = a.registerFunction('temp::fn', async () => 'ok')
    await waitForFunction(a, 'temp::fn')
    ref.unregister()
    await eventually(async () => {
      await expect(a.trigger({ function_id: 'temp::fn', payload: {} })).rejects.toMatchObject({
        code: 'function_not_found',
      })
    })
  })

  it('runs a void trigger without answering the caller', async () => {
    const a = kit.worker()
    let received: unknown
    const seen = new Promise<void>((r) => {
      a.registerFunction('notify::send', async (p: unknown) => {
        received = p
        r()
        return 'ignored'
      })
    })
    await waitForFunction(a, 'notify::send')
    expect(
      await a.trigger({ function_id: 'notify::send', payload: { to: 'ada' }, action: TriggerAction.Void() }),
    ).toBe(undefined)
    await seen
    expect(received).toEqual({ to: 'ada' })
  })

  it('enqueues a call and returns its messageReceiptId before the job runs', async () => {
    const a = kit.worker()
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    const ran = new Promise<unknown>((r) => {
      a.registerFunction('jobs::work', async (p: unknown) => {
        await gate
        r(p)
        return null
      })
    })
    await waitForFunction(a, 'jobs::work')
    const receipt = await a.trigger({
      function_id: 'jobs::work',
      payload: { n: 7 },
      action: TriggerAction.Enqueue({ queue: 'jobs' }),
    })
    expect(receipt).toEqual({ messageReceiptId: expect.stringMatching(/^[0-9a-f-]{36}$/) })
    release()
    expect(await ran).toEqual({ n: 7 })
  })

  it('fails the caller at once when the worker serving it dies mid-invocation', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'engine-worker-'))
    const sdk = resolve(import.meta.dirname, '../../../../node_modules/iii-sdk/dist/index.mjs')
    const script = join(dir, 'worker.mjs')
    writeFileSync(
      script,
      `import { registerWorker } from ${JSON.stringify(sdk)}
const iii = registerWorker(process.env.URL, { headers: { authorization: 'Bearer ' + process.env.KEY }, otel: { enabled: false }, enableMetricsReporting: false })
iii.registerFunction('crash::slow', async () => { process.stdout.write('started\\n'); await new Promise(() => {}) })
`,
    )
    const child = spawn(process.execPath, [script], { env: { ...process.env, URL: kit.url, KEY: kit.key } })
    const started = new Promise<void>((r) =>
      child.stdout.on('data', (d) => d.toString().includes('started') && r()),
    )
    const caller = kit.worker()
    await waitForFunction(caller, 'crash::slow')
    const call = caller.trigger({ function_id: 'crash::slow', payload: {}, timeoutMs: 20_000 })
    call.catch(() => {})
    await started
    const t0 = Date.now()
    child.kill('SIGKILL')
    await expect(call).rejects.toMatchObject({ code: 'worker_disconnected' })
    expect(Date.now() - t0).toBeLessThan(2000)
  })

  it('re-registers a worker’s functions when it reconnects, keeping its worker id', async () => {
    const a = kit.worker({ workerName: 'comeback' })
    a.registerFunction('again::ping', async () => 'pong')
    const b = kit.worker()
    await waitForFunction(b, 'again::ping')
    const list = async () =>
      (
        await b.trigger<unknown, { workers: Array<{ id: string; name: string | null }> }>({
          function_id: 'engine::workers::list',
          payload: {},
        })
      ).workers.filter((w) => w.name === 'comeback')
    const [before] = await eventually(async () => {
      const l = await list()
      if (l.length !== 1) throw new Error('not yet')
      return l
    })
    // Drop the worker's socket from the server side, as a network failure would.
    kit.server.platform.engine.engine.workers.get(before!.id)!.ws.terminate()
    await eventually(async () => {
      expect(await b.trigger({ function_id: 'again::ping', payload: {} })).toBe('pong')
      const after = await list()
      expect(after.map((w) => w.id)).toEqual([before!.id])
    })
  })

  it('lists functions, workers and triggers of the circle', async () => {
    const a = kit.worker({ workerName: 'lister' })
    a.registerFunction('list::me', async () => null, { description: 'a listed function' })
    await waitForFunction(a, 'list::me')
    const fns = await a.trigger<unknown, { functions: Array<{ function_id: string; description: string }> }>({
      function_id: 'engine::functions::list',
      payload: {},
    })
    expect(fns.functions).toContainEqual(
      expect.objectContaining({ function_id: 'list::me', description: 'a listed function' }),
    )
    expect(fns.functions.map((f) => f.function_id)).toEqual(
      expect.arrayContaining(['state::update', 'stream::set']),
    )
    expect(fns.functions.some((f) => f.function_id.startsWith('engine::'))).toBe(false)
    const workers = await eventually(async () => {
      const r = await a.trigger<
        unknown,
        { workers: Array<{ name: string; runtime: string; functions: string[] }> }
      >({
        function_id: 'engine::workers::list',
        payload: {},
      })
      const w = r.workers.find((x) => x.name === 'lister')
      if (!w) throw new Error('metadata not there yet')
      return w
    })
    expect(workers).toMatchObject({ runtime: 'node', functions: ['list::me'] })
    const triggers = await a.trigger<unknown, { triggers: Array<{ id: string }> }>({
      function_id: 'engine::triggers::list',
      payload: {},
    })
    expect(triggers.triggers.map((t) => t.id)).toEqual(expect.arrayContaining(['http', 'cron', 'state']))
  })

  it('forwards triggers of a worker-registered trigger type to that worker', async () => {
    const owner = kit.worker()
    const received: unknown[] = []
    owner.registerTriggerType(
      { id: 'github:push', description: 'pushes to a repository' },
      {
        registerTrigger: async (t) => {
          received.push({ function_id: t.function_id, config: t.config })
        },
        unregisterTrigger: async () => {},
      },
    )
    const user = kit.worker()
    await eventually(async () => {
      const r = await user.trigger<unknown, { triggers: Array<{ id: string }> }>({
        function_id: 'engine::triggers::list',
        payload: {},
      })
      if (!r.triggers.some((t) => t.id === 'github:push')) throw new Error('type not there yet')
    })
    user.registerTrigger({ type: 'github:push', function_id: 'ci::build', config: { repo: 'acme/site' } })
    await eventually(() =>
      expect(received).toEqual([{ function_id: 'ci::build', config: { repo: 'acme/site' } }]),
    )
  })

  it('describes one function and one worker, and takes log lines', async () => {
    const a = kit.worker({ workerName: 'describe-me' })
    a.registerFunction('info::fn', async () => null, { description: 'described' })
    await waitForFunction(a, 'info::fn')
    expect(
      await a.trigger({ function_id: 'engine::functions::info', payload: { function_id: 'info::fn' } }),
    ).toMatchObject({
      function_id: 'info::fn',
      description: 'described',
    })
    await expect(
      a.trigger({ function_id: 'engine::functions::info', payload: { function_id: 'info::none' } }),
    ).rejects.toMatchObject({ code: 'function_not_found' })
    const { workers } = await a.trigger<unknown, { workers: Array<{ id: string; functions: string[] }> }>({
      function_id: 'engine::workers::list',
      payload: {},
    })
    const mine = workers.find((w) => w.functions.includes('info::fn'))!
    expect(
      await a.trigger({ function_id: 'engine::workers::info', payload: { worker_id: mine.id } }),
    ).toMatchObject({
      id: mine.id,
      functions: ['info::fn'],
    })
    expect(
      await a.trigger({ function_id: 'engine::log::info', payload: { message: 'hello', data: { n: 1 } } }),
    ).toBe(null)
  })

  it('keeps circles apart: another circle’s worker cannot reach this circle’s functions', async () => {
    await kit.server.createCircle('other')
    const otherKey = await kit.server.createKey('other', ['read', 'write', 'execute'])
    const a = kit.worker()
    a.registerFunction('secret::fn', async () => 'acme only')
    await waitForFunction(a, 'secret::fn')
    const o = kit.worker({ key: otherKey })
    await expect(o.trigger({ function_id: 'secret::fn', payload: {} })).rejects.toMatchObject({
      code: 'function_not_found',
    })
  })

  it('does not let an execute-only key register functions or write state', async () => {
    const execOnly = await kit.server.createKey('acme', ['execute'])
    const a = kit.worker({ key: execOnly, workerName: 'sneaky' })
    a.registerFunction('sneaky::fn', async () => 'no')
    const b = kit.worker()
    // Once the worker's metadata (sent after its registrations) arrived, the refusal happened.
    await eventually(async () => {
      const r = await b.trigger<unknown, { workers: Array<{ name: string }> }>({
        function_id: 'engine::workers::list',
        payload: {},
      })
      if (!r.workers.some((w) => w.name === 'sneaky')) throw new Error('not yet')
    })
    await expect(b.trigger({ function_id: 'sneaky::fn', payload: {} })).rejects.toMatchObject({
      code: 'function_not_found',
    })
    await expect(
      a.trigger({ function_id: 'state::set', payload: { scope: 's', key: 'k', value: 1 } }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' })
  })
})
