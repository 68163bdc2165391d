// Trace context on the engine's indirect paths: a Void call, a queued job (stored with the job,
// so a retry or another node continues it), a cron tick (each tick starts a trace), and a
// malformed traceparent from a worker (dropped, never forwarded).
import type { IIIClient } from 'iii-sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import {
  type EngineKit,
  eventually,
  ManualClock,
  startEngineKit,
  waitForFunction,
} from './engine-test-kit.ts'

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'
const TRACEPARENT = `00-${TRACE}-00f067aa0ba902b7-01`

let kit: EngineKit
let iii: IIIClient
let raw: WebSocket
const clock = new ManualClock(Date.parse('2030-01-01T00:00:00Z'))
/** What each invocation message to the worker carried, as iii-sdk read it. */
const received: Array<{ function_id: string; input: any; traceparent?: string; baggage?: string }> = []

beforeAll(async () => {
  kit = await startEngineKit({ clock })
  iii = kit.worker()
  const client = iii as unknown as { onInvokeFunction: (...a: unknown[]) => unknown }
  const original = client.onInvokeFunction.bind(client)
  client.onInvokeFunction = (id, fid, input, metadata, traceparent, baggage) => {
    received.push({
      function_id: fid as string,
      input,
      traceparent: traceparent as string,
      baggage: baggage as string,
    })
    return original(id, fid, input, metadata, traceparent, baggage)
  }
  iii.registerFunction('traced::sink', async () => null)
  await waitForFunction(iii, 'traced::sink')
  raw = new WebSocket(kit.url, { headers: { authorization: `Bearer ${kit.key}` } })
  await new Promise((r) => raw.once('open', r))
})
afterAll(async () => {
  raw?.close()
  await kit?.close()
})

const sentTo = (tag: string) =>
  eventually(() => {
    const m = received.find((x) => x.function_id === 'traced::sink' && x.input?.tag === tag)
    if (!m) throw new Error(`no invocation tagged ${tag} yet`)
    return m
  })

describe('trace context on indirect invocations', () => {
  it('carries traceparent and baggage on a Void call', async () => {
    raw.send(
      JSON.stringify({
        type: 'invokefunction',
        function_id: 'traced::sink',
        data: { tag: 'void' },
        action: { type: 'void' },
        traceparent: TRACEPARENT,
        baggage: 'tenant=acme',
      }),
    )
    expect(await sentTo('void')).toMatchObject({ traceparent: TRACEPARENT, baggage: 'tenant=acme' })
  })

  it('stores the trace with a queued job and hands it to the job’s invocation', async () => {
    raw.send(
      JSON.stringify({
        type: 'invokefunction',
        invocation_id: 'enq-1',
        function_id: 'traced::sink',
        data: { tag: 'queued' },
        action: { type: 'enqueue', queue: 'traced' },
        traceparent: TRACEPARENT,
        baggage: 'job=1',
      }),
    )
    expect(await sentTo('queued')).toMatchObject({ traceparent: TRACEPARENT, baggage: 'job=1' })
  })

  it('drops a malformed traceparent instead of forwarding it', async () => {
    raw.send(
      JSON.stringify({
        type: 'invokefunction',
        function_id: 'traced::sink',
        data: { tag: 'bad' },
        action: { type: 'void' },
        traceparent: `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`,
        baggage: 'bad\u0001value',
      }),
    )
    const m = await sentTo('bad')
    // In its place the worker gets the fresh trace the engine started for the call.
    expect(m.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/)
    expect(m.traceparent).not.toContain('0'.repeat(32))
    expect(m.baggage).toBeUndefined()
  })

  it('starts a new trace for every cron tick', async () => {
    iii.registerTrigger({
      type: 'cron',
      function_id: 'traced::sink',
      config: { expression: '0 * * * * * *' },
    })
    await eventually(async () => {
      const r = await iii.trigger<unknown, { registered_triggers: Array<{ trigger_type: string }> }>({
        function_id: 'engine::registered-triggers::list',
        payload: {},
      })
      if (!r.registered_triggers.some((t) => t.trigger_type === 'cron')) throw new Error('not registered')
    })
    clock.advance(2 * 60_000)
    const ticks = await eventually(() => {
      const t = received.filter((x) => x.function_id === 'traced::sink' && x.input?.type === 'cron')
      if (t.length < 2) throw new Error('ticks not fired yet')
      return t
    })
    const ids = ticks.map((t) => /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/.exec(t.traceparent ?? '')?.[1])
    expect(ids.every((id) => id && id !== '0'.repeat(32))).toBe(true)
    expect(new Set(ids).size).toBe(ids.length)
  })
})
