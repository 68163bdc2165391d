// The sweep behind announced revocations: a key revoked, or a circle deleted, without the
// announcement reaching this node (written to the database directly here, as a lost Redis
// message or an operator's hand would leave it) still ends the connections within a sweep.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, wsUrl } from '../../test/ws-test-client.ts'
import { type EngineKit, startEngineKit } from '../engine/engine-test-kit.ts'

let kit: EngineKit

beforeAll(async () => {
  kit = await startEngineKit({ env: { PERIODIC_REVOCATION_SWEEP_MS: '100' } })
})
afterAll(async () => kit?.close())

const bearer = (key: string) => ({ headers: { authorization: `Bearer ${key}` } })

describe('the revocation sweep', () => {
  it('ends a worker and a stream client whose key was revoked behind the platform’s back', async () => {
    const r = await kit.server.api('POST', '/api/acme/ops/api_keys', { scopes: ['read', 'execute'] })
    const worker = await connect(kit.url, bearer(r.body.key))
    const stream = await connect(wsUrl(kit.server.url, `/streams/acme?token=${r.body.key}`))
    const { storage } = kit.server.platform
    const circle = await storage.findCircle('acme')
    expect(await storage.revokeApiKey(circle!.id, r.body.id, new Date().toISOString())).toBe(true)
    for (const c of [worker, stream])
      expect(await c.closed).toEqual({ code: 4401, reason: 'api key revoked' })
  })

  it('ends a worker whose circle was deleted behind the platform’s back', async () => {
    await kit.server.createCircle('ghost')
    const r = await kit.server.api('POST', '/api/ghost/ops/api_keys', { scopes: ['execute'] })
    const worker = await connect(kit.url, bearer(r.body.key))
    const { storage } = kit.server.platform
    const circle = await storage.findCircle('ghost')
    const at = new Date().toISOString()
    await storage.updateElement(circle!.id, {
      state: 'deleted',
      deleted_at: at,
      enabled: false,
      updated_at: at,
    })
    expect(await worker.closed).toEqual({ code: 4401, reason: 'circle deleted' })
  })

  it('leaves a worker whose key is live alone', async () => {
    const worker = await connect(kit.url, bearer(kit.key))
    expect(await worker.next()).toMatchObject({ type: 'workerregistered' })
    // Several sweeps pass (each is 100 ms; the invocation below waits on the same event loop).
    await new Promise((r) => setTimeout(r, 500))
    worker.ws.send(
      JSON.stringify({
        type: 'invokefunction',
        invocation_id: 'alive',
        function_id: 'state::get',
        data: { scope: 's', key: 'k' },
      }),
    )
    expect(await worker.next()).toMatchObject({ type: 'invocationresult', invocation_id: 'alive' })
    worker.ws.close()
  })
})
