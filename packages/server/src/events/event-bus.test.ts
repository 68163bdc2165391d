// Lifecycle events reach bus subscribers after the write commits, and never when it fails.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../../test/test-server.ts'
import { EventBus, type PlatformEvent } from './event-bus.ts'

describe('event bus', () => {
  let s: TestServer
  const seen: PlatformEvent[] = []
  beforeAll(async () => {
    s = await startTestServer()
    s.platform.bus.subscribe('*', (e) => seen.push(e))
  })
  afterAll(async () => s?.close())

  it('publishes element lifecycle events in order with circle, element and actor', async () => {
    const circle = await s.createCircle('events')
    await s.api('POST', '/api/events', { element_type: 'variable', slug: 'v' })
    await s.api('PATCH', '/api/events/v/ops/update', { spec: { value: 1 } })
    await s.api('PATCH', '/api/events/v/ops/update_meta', { meta: { x: 1 } })
    await s.api('POST', '/api/events/v/ops/disable', {})
    await s.api('POST', '/api/events/v/ops/enable', {})
    await s.api('DELETE', '/api/events/v/ops/delete', { confirm: true })
    const types = seen.filter((e) => e.circle_id === circle.id).map((e) => e.type)
    expect(types).toEqual([
      'element.created',
      'element.created',
      'element.updated',
      'element.meta_updated',
      'element.disabled',
      'element.enabled',
      'element.deleted',
    ])
    const updated = seen.find((e) => e.type === 'element.updated')!
    expect(updated).toMatchObject({
      actor: 'platform-admin',
      data: { slug: 'v', element_type: 'variable', version: 2 },
    })
  })

  it('publishes nothing for a refused write', async () => {
    await s.createCircle('quiet')
    await s.api('POST', '/api/quiet', { element_type: 'variable', slug: 'v' })
    const before = seen.length
    const r = await s.api('PATCH', '/api/quiet/v/ops/update', { spec: { value: 2 }, expected_version: 7 })
    expect(r.status).toBe(409)
    expect(seen.length).toBe(before)
  })

  it('keeps delivering when one listener throws', () => {
    const errors: unknown[] = []
    const bus = new EventBus((err) => errors.push(err))
    const got: string[] = []
    bus.subscribe('x', () => {
      throw new Error('boom')
    })
    bus.subscribe('x', (e) => got.push(e.type))
    const off = bus.subscribe('*', (e) => got.push(`*${e.type}`))
    bus.publish({ type: 'x', circle_id: 'c', element_id: null, actor: null, at: '', data: {} })
    off()
    bus.publish({ type: 'x', circle_id: 'c', element_id: null, actor: null, at: '', data: {} })
    expect(got).toEqual(['x', '*x', 'x'])
    expect(errors).toHaveLength(2)
  })

  it('calls a family listener for every type of the family, and no other', () => {
    const bus = new EventBus()
    const got: string[] = []
    const off = bus.subscribe('element.*', (e) => got.push(e.type))
    for (const type of ['element.created', 'run.succeeded', 'elements.x', 'element', 'element.deleted'])
      bus.publish({ type, circle_id: 'c', element_id: null, actor: null, at: '', data: {} })
    off()
    bus.publish({ type: 'element.updated', circle_id: 'c', element_id: null, actor: null, at: '', data: {} })
    expect(got).toEqual(['element.created', 'element.deleted'])
    expect(() => bus.subscribe('element*', () => {})).toThrow(/event family "element\*"/)
  })
})
