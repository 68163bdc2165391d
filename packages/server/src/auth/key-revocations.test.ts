// Revoking an API key, or deleting its circle, ends the live connections that authenticated
// with it: engine workers (their functions and http triggers go with them), /streams clients and
// WebSocket element clients admitted by an accept ticket. Real sockets, a real iii-sdk worker.
import type { IIIClient } from 'iii-sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closeOf, rawConnect } from '../../test/raw-ws-client.ts'
import { connect, join, refusal, wsUrl } from '../../test/ws-test-client.ts'
import { type EngineKit, startEngineKit, waitForTrigger } from '../engine/engine-test-kit.ts'
import { KeyRevocations } from './key-revocations.ts'

let kit: EngineKit
/** A worker on the kit's own key, which nothing here revokes: it looks at what is left. */
let observer: IIIClient

async function newKey(circle: string, scopes: string[]): Promise<{ id: string; key: string }> {
  const r = await kit.server.api('POST', `/api/${circle}/ops/api_keys`, { name: 'doomed', scopes })
  if (r.status !== 201) throw new Error(`key: ${r.status} ${JSON.stringify(r.body)}`)
  return { id: r.body.id, key: r.body.key }
}

async function revoke(circle: string, id: string): Promise<void> {
  const r = await kit.server.api('DELETE', `/api/${circle}/ops/api_keys/${id}`)
  expect(r.status).toBe(200)
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` })

beforeAll(async () => {
  kit = await startEngineKit()
  observer = kit.worker()
})
afterAll(async () => kit?.close())

describe('revoking an API key', () => {
  it('closes its engine workers with 4401 and takes their functions and http triggers with them', async () => {
    const { id, key } = await newKey('acme', ['read', 'write', 'execute'])
    const w = kit.worker({ key, reconnectionConfig: { maxRetries: 0 } })
    w.registerFunction('late::hello', async () => ({ status_code: 200, body: { hello: 'late' } }))
    w.registerTrigger({ type: 'http', function_id: 'late::hello', config: { api_path: '/late' } })
    await waitForTrigger(observer, 'late::hello')
    expect((await fetch(`${kit.server.url}/http/acme/late`)).status).toBe(200)
    const raw = await connect(kit.url, { headers: bearer(key) })
    expect(await raw.next()).toMatchObject({ type: 'workerregistered' })

    await revoke('acme', id)
    // Registrations go while the revocation is handled: gone by the time DELETE has answered.
    const late = await fetch(`${kit.server.url}/http/acme/late`)
    expect(late.status).toBe(404)
    expect((await late.json()).error.code).toBe('ENGINE_ROUTE_NOT_FOUND')
    const listed = await observer.trigger<unknown, { functions: Array<{ function_id: string }> }>({
      function_id: 'engine::functions::list',
      payload: {},
    })
    expect(listed.functions.map((f) => f.function_id)).not.toContain('late::hello')
    expect(await raw.closed).toEqual({ code: 4401, reason: 'api key revoked' })
    expect((await refusal(kit.url, { headers: bearer(key) })).status).toBe(401)
  })

  it('serves nothing more to a worker that ignores the close, and cuts it off', async () => {
    const { id, key } = await newKey('acme', ['read', 'write', 'execute'])
    const raw = await rawConnect(kit.url, bearer(key))
    expect(JSON.parse((await raw.next()).payload.toString())).toMatchObject({ type: 'workerregistered' })
    await revoke('acme', id)
    const close = await raw.next()
    expect(close.opcode).toBe(8)
    expect(closeOf(close)).toEqual({ code: 4401, reason: 'api key revoked' })
    // No close answered: the frame below reaches a server that already revoked the connection.
    raw.sendText(
      JSON.stringify({
        type: 'invokefunction',
        invocation_id: 'after-revoke',
        function_id: 'state::set',
        data: { scope: 'revoked', key: 'k', value: 'written anyway' },
      }),
    )
    await raw.ended
    expect(
      await observer.trigger({ function_id: 'state::get', payload: { scope: 'revoked', key: 'k' } }),
    ).toBeUndefined()
  })

  it('closes a /streams subscription opened with it', async () => {
    const { id, key } = await newKey('acme', ['read'])
    const c = await connect(wsUrl(kit.server.url, `/streams/acme?token=${key}`))
    c.ws.send(
      JSON.stringify({ type: 'join', data: { subscriptionId: 's', streamName: 'news', groupId: 'g' } }),
    )
    expect(await c.next()).toMatchObject({ type: 'stream', event: { type: 'sync' } })
    await revoke('acme', id)
    expect(await c.closed).toEqual({ code: 4401, reason: 'api key revoked' })
    expect((await refusal(wsUrl(kit.server.url, `/streams/acme?token=${key}`))).status).toBe(401)
  })

  it('closes a WebSocket element client admitted by a ticket of that key, and refuses its unused tickets', async () => {
    const create = await kit.server.api('POST', '/api/acme', {
      element_type: 'websocket',
      slug: 'lobby',
      spec: { path: '/lobby', auth: { mode: 'bearer', tokens: ['lobby-token-1'] } },
    })
    expect(create.status).toBe(201)
    const { id, key } = await newKey('acme', ['execute'])
    const accept = () => kit.server.api('POST', '/api/acme/lobby/ops/accept', { user: 'ann' }, { key })
    const [t1, t2] = [await accept(), await accept()]
    expect(t1.status).toBe(200)
    const byTicket = await join(wsUrl(kit.server.url, t1.body.url))
    const byToken = await join(wsUrl(kit.server.url, '/ws/acme/lobby?token=lobby-token-1'))

    await revoke('acme', id)
    expect(await byTicket.closed).toEqual({ code: 4401, reason: 'api key revoked' })
    const refused = await refusal(wsUrl(kit.server.url, t2.body.url))
    expect(refused.status).toBe(401)
    expect(refused.body.error).toMatchObject({
      code: 'WS_UNAUTHORIZED',
      message: expect.stringContaining('revoked'),
    })
    // The element's own token is not the key: that client stays.
    const b = await kit.server.api('POST', '/api/acme/lobby/ops/broadcast', { message: { still: 'here' } })
    expect(b.body).toMatchObject({ delivered_to: 1 })
    expect(await byToken.next()).toEqual({ still: 'here' })
    byToken.ws.close()
  })
})

describe('deleting a circle', () => {
  it('closes every worker and stream client of the circle with 4401', async () => {
    await kit.server.createCircle('doomed')
    const { key } = await newKey('doomed', ['read', 'write', 'execute'])
    const worker = await connect(kit.url, { headers: bearer(key) })
    const stream = await connect(wsUrl(kit.server.url, `/streams/doomed?token=${key}`))
    // The platform admin key cannot be revoked, but its connection into the circle ends too.
    const admin = await connect(`${kit.url}/?circle=doomed`, { headers: bearer(kit.server.adminKey) })
    const elsewhere = await connect(kit.url, { headers: bearer(kit.key) })

    const del = await kit.server.api('DELETE', '/api/doomed', { confirm: true })
    expect(del.status).toBe(200)
    for (const c of [worker, stream, admin])
      expect(await c.closed).toEqual({ code: 4401, reason: 'circle deleted' })
    expect((await refusal(kit.url, { headers: bearer(key) })).body.error.code).toBe('CIRCLE_NOT_FOUND')
    // Another circle's worker is untouched: it still gets answers.
    elsewhere.ws.send(
      JSON.stringify({
        type: 'invokefunction',
        invocation_id: 'still-here',
        function_id: 'state::get',
        data: { scope: 's', key: 'k' },
      }),
    )
    expect(await elsewhere.next()).toMatchObject({ type: 'workerregistered' })
    // A missing key: an answer with no `result` (iii's "no value").
    expect(await elsewhere.next()).toEqual({
      type: 'invocationresult',
      invocation_id: 'still-here',
      function_id: 'state::get',
    })
    elsewhere.ws.close()
  })
})

describe('the revocation registry', () => {
  it('ends a connection that registers after its key was revoked (its upgrade read the key just before)', async () => {
    const r = new KeyRevocations()
    r.fromPeer({ key_id: 'k1' })
    const ended = new Promise((resolve) => r.watch({ keyId: 'k1', circleId: 'c1' }, (...a) => resolve(a)))
    expect(await ended).toEqual([4401, 'api key revoked'])
    expect(r.size).toBe(0)
  })

  it('announces this node’s revocations to the others, and not those it heard from them', () => {
    const r = new KeyRevocations()
    const sent: unknown[] = []
    r.toPeers = (x) => sent.push(x)
    const ends: string[] = []
    r.watch({ keyId: 'k1', circleId: 'c1' }, (_c, why) => ends.push(`k1 ${why}`))
    r.watch({ keyId: null, circleId: 'c2' }, (_c, why) => ends.push(`c2 ${why}`))
    const off = r.watch({ keyId: 'k3', circleId: 'c1' }, () => ends.push('k3'))
    off()
    expect(r.revokeKey('k1')).toBe(1)
    r.fromPeer({ circle_id: 'c2' })
    r.fromPeer({ key_id: 'k3' })
    expect(sent).toEqual([{ key_id: 'k1' }])
    expect(ends).toEqual(['k1 api key revoked', 'c2 circle deleted'])
    expect(r.size).toBe(0)
  })
})
