// The engine view in a real Chromium against a real server with a real iii-sdk worker: the
// empty states first, then the worker's function, the worker itself, its http trigger, and a
// queue whose failing job lands in the dead letters and is redriven (after a confirmation).
import { TriggerAction } from 'iii-sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type EngineKit, eventually, startEngineKit } from '../../server/src/engine/engine-test-kit.ts'
import { type PortalKit, screenshot, seriousA11yViolations, startPortal } from './portal-kit.ts'

describe('engine view', () => {
  let engine: EngineKit
  let kit: PortalKit
  beforeAll(async () => {
    engine = await startEngineKit({ circle: 'acme' })
    kit = await startPortal({ server: engine.server })
  }, 60_000)
  afterAll(async () => {
    await kit?.close()
    await engine?.close()
  })

  it('shows empty states that say what to do', async () => {
    const page = await kit.open('#/engine/acme')
    await page.getByText('No worker is connected to this circle.').waitFor()
    await page.getByText('No triggers.').waitFor()
    await page.getByText('No named queue is configured.').waitFor()
    expect(await seriousA11yViolations(page)).toEqual([])
  })

  it('lists a worker, its function and trigger, and redrives a dead letter', async () => {
    const w = engine.worker({ workerName: 'orders-worker' } as never)
    w.registerFunction('orders::create', async () => ({ status_code: 201, body: { ok: true } }), {
      description: 'Creates an order',
    } as never)
    let failing = true
    w.registerFunction('orders::flaky', async () => {
      if (failing) throw new Error('downstream unavailable')
      return { ok: true }
    })
    w.registerTrigger({
      type: 'http',
      function_id: 'orders::create',
      config: { api_path: '/orders', http_method: 'POST' },
    })
    w.registerTrigger({
      type: 'queue',
      function_id: 'orders::flaky',
      config: { queue: 'orders', max_retries: 0, backoff_ms: 10, concurrency: 1 },
    })
    await eventually(async () => {
      const fns = (await w.trigger({ function_id: 'engine::functions::list', payload: {} })) as {
        functions: Array<{ function_id: string }>
      }
      if (!fns.functions.some((f) => f.function_id === 'orders::flaky')) throw new Error('not yet')
    })
    await w.trigger({
      function_id: 'orders::flaky',
      payload: { n: 1 },
      action: TriggerAction.Enqueue({ queue: 'orders' }),
    })
    await eventually(async () => {
      const d = (await w.trigger({
        function_id: 'engine::queues::dead_letters',
        payload: { queue: 'orders' },
      })) as {
        jobs: unknown[]
      }
      if (d.jobs.length !== 1) throw new Error('not dead yet')
    }, 15_000)

    const page = await kit.open('#/engine/acme')
    await page.getByRole('heading', { name: /Functions/ }).waitFor()
    await page.getByRole('button', { name: 'Refresh' }).click() // the page may still show the first test's answer
    const fns = page.getByRole('table', { name: /Functions/ })
    await fns.getByText('orders::create').waitFor()
    await page
      .getByRole('table', { name: /Workers/ })
      .getByText('orders-worker')
      .waitFor()
    const triggers = page.getByRole('table', { name: /Triggers/ })
    await triggers.getByText('http', { exact: true }).waitFor()
    const dead = page.getByRole('table', { name: 'Dead letters of orders' })
    await dead.getByText('orders::flaky').waitFor()
    const shot = await screenshot(page, 'engine-view')
    expect(shot.colours).toBeGreaterThan(3)
    expect(await seriousA11yViolations(page)).toEqual([])

    failing = false
    await page.getByRole('button', { name: 'Redrive…' }).click()
    await page
      .getByRole('dialog', { name: 'Redrive dead letters?' })
      .getByRole('button', { name: 'Redrive' })
      .click()
    await expect
      .poll(() => page.getByRole('status').filter({ hasText: 'Redrove' }).textContent())
      .toContain('Redrove 1 job')
    await eventually(async () => {
      const d = (await w.trigger({
        function_id: 'engine::queues::dead_letters',
        payload: { queue: 'orders' },
      })) as {
        jobs: unknown[]
      }
      if (d.jobs.length !== 0) throw new Error('still dead')
    }, 15_000)
    await page.getByRole('button', { name: 'Refresh' }).click()
    await dead.waitFor({ state: 'detached' })
    expect(kit.problems).toEqual([])
  })

  it('refuses a circle the key cannot see with the API code', async () => {
    const res = await fetch(`${engine.server.url}/api/v1/engine/nope`, {
      headers: { authorization: `Bearer ${engine.key}` },
    })
    expect(res.status).toBe(404)
    expect((await res.json()).error.code).toBe('CIRCLE_NOT_FOUND')
    const read = await engine.server.createKey('acme', ['read'])
    const redrive = await fetch(`${engine.server.url}/api/v1/engine/acme/queues/orders/redrive`, {
      method: 'POST',
      headers: { authorization: `Bearer ${read}` },
    })
    expect(redrive.status).toBe(403)
    expect((await redrive.json()).error.code).toBe('FORBIDDEN')
  })
})
