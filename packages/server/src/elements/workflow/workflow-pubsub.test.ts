// Workflow events and the engine's pub/sub, with a real iii-sdk worker: a CloudEvent the worker
// publishes reaches a workflow's `listen`, and a workflow's `emit` reaches the worker's
// subscriber on the topic named by the event's type.
import type { IIIClient } from 'iii-sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type EngineKit, eventually, startEngineKit, waitForTrigger } from '../../engine/engine-test-kit.ts'
import { pollRun } from '../../http/runs-api/runs-api-helpers.ts'

const doc = (name: string, body: string) =>
  `document: { dsl: '1.0.0', namespace: acme, name: ${name}, version: '1.0.0' }\n${body}`

describe('workflow events on the engine’s pub/sub', () => {
  let kit: EngineKit
  let iii: IIIClient
  beforeAll(async () => {
    kit = await startEngineKit()
    iii = kit.worker()
  }, 60_000)
  afterAll(async () => kit?.close())

  const create = async (slug: string, definition: string) => {
    const r = await kit.server.api('POST', '/api/acme', {
      element_type: 'workflow',
      slug,
      spec: { definition },
    })
    expect(r.status, JSON.stringify(r.body)).toBe(201)
  }

  it('a CloudEvent published by a worker wakes a listening workflow', async () => {
    await create(
      'hears',
      doc('hears', `do:\n  - hear: { listen: { to: { one: { with: { type: com.acme.shipped } } } } }`),
    )
    const started = await kit.server.api('POST', '/api/acme/hears/ops/invoke', {})
    await pollRun(kit.server, started.body.id, (r) => r.status === 'running')
    await iii.trigger({
      function_id: 'publish',
      payload: {
        topic: 'anything',
        data: {
          specversion: '1.0',
          id: 'w-1',
          type: 'com.acme.shipped',
          source: 'https://acme.example/ship',
          data: { parcel: 9 },
        },
      },
    })
    const run = await pollRun(kit.server, started.body.id)
    expect(run.status).toBe('succeeded')
    expect(run.output).toEqual([{ parcel: 9 }])
  })

  it('emit publishes the event on the topic of its type', async () => {
    const seen: unknown[] = []
    iii.registerFunction('sub::shipped', async (e: unknown) => {
      seen.push(e)
      return null
    })
    iii.registerTrigger({
      type: 'subscribe',
      function_id: 'sub::shipped',
      config: { topic: 'com.acme.packed' },
    })
    await waitForTrigger(iii, 'sub::shipped')
    await create(
      'packs',
      doc(
        'packs',
        `do:\n  - tell: { emit: { event: { with: { type: com.acme.packed, source: 'https://acme.example/packing', data: { box: 3 } } } } }`,
      ),
    )
    const r = await kit.server.api('POST', '/api/acme/packs/ops/invoke?wait_for_completion=30', {})
    expect(r.body.status).toBe('succeeded')
    await eventually(() => expect(seen).toHaveLength(1))
    expect(seen[0]).toMatchObject({ specversion: '1.0', type: 'com.acme.packed', data: { box: 3 } })
  })
})
