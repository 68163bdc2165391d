// W3C trace context over real HTTP and real sandboxed Python: a traceparent (and baggage) on
// invoke, the runs API and http triggers comes back on the run and in the handler's context;
// trigger() from a handler and engine invocations to iii-sdk workers continue the trace.
import type { IIIClient } from 'iii-sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type EngineKit,
  eventually,
  startEngineKit,
  waitForFunction,
  waitForTrigger,
} from '../../engine/engine-test-kit.ts'

let kit: EngineKit
let iii: IIIClient
/** The traceparent/baggage each invocation message to the worker carried, as iii-sdk read them. */
const received: Array<{ function_id: string; traceparent?: string; baggage?: string }> = []

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'
const SPAN = '00f067aa0ba902b7'
const TRACEPARENT = `00-${TRACE}-${SPAN}-01`
const HEX16 = /^[0-9a-f]{16}$/
const HEX32 = /^[0-9a-f]{32}$/

const py = (...lines: string[]) => `${lines.join('\n')}\n`

async function create(slug: string, code: string) {
  const r = await kit.server.api('POST', '/api/acme', {
    element_type: 'python',
    slug,
    spec: { source: { type: 'inline', code } },
  })
  if (r.status !== 201) throw new Error(`create ${slug}: ${r.status} ${JSON.stringify(r.body)}`)
}

async function invoke(slug: string, headers: Record<string, string> = {}, body: unknown = {}) {
  const r = await kit.server.api('POST', `/api/acme/${slug}/ops/invoke?wait_for_completion=60`, body, {
    headers,
  })
  if (r.status !== 200 || r.body.status !== 'succeeded')
    throw new Error(`invoke ${slug}: ${r.status} ${JSON.stringify(r.body)}`)
  return r.body
}

beforeAll(async () => {
  kit = await startEngineKit()
  iii = kit.worker()
  // iii-sdk hands the trace fields of `invokefunction` to this method; record what arrives.
  const client = iii as unknown as { onInvokeFunction: (...a: unknown[]) => unknown }
  const original = client.onInvokeFunction.bind(client)
  client.onInvokeFunction = (id, fid, input, metadata, traceparent, baggage) => {
    received.push({
      function_id: fid as string,
      traceparent: traceparent as string,
      baggage: baggage as string,
    })
    return original(id, fid, input, metadata, traceparent, baggage)
  }
  iii.registerFunction('worker::echo', async (input: unknown) => input)
  await waitForFunction(iii, 'worker::echo')
  await create(
    'ctx',
    py(
      'from periodic import Logger, current_trace_id',
      'def handler(input, context):',
      '    Logger("t").info("seen")',
      '    keys = ("trace_id", "span_id", "parent_span_id", "traceparent", "baggage")',
      '    return {"context": {k: context.get(k) for k in keys}, "sdk_trace_id": current_trace_id()}',
    ),
  )
  await create(
    'parent',
    py(
      'from periodic import trigger',
      'def handler(input, context):',
      '    return {"child": trigger("acme::ctx", {}), "worker": trigger("worker::echo", {"x": 1}),',
      '            "span_id": context["span_id"]}',
    ),
  )
  await create(
    'web',
    py(
      'def handler(input, context):',
      '    return {"status_code": 200, "body": {"trace_id": context["trace_id"], "parent": context["parent_span_id"]}}',
    ),
  )
})
afterAll(async () => kit?.close())

describe('run tracing', () => {
  it('records a traceparent sent on invoke and hands it to the handler, with baggage and Logger lines', async () => {
    const run = await invoke('ctx', { traceparent: TRACEPARENT, baggage: 'tenant=acme,plan=pro' })
    expect(run).toMatchObject({ trace_id: TRACE, parent_span_id: SPAN })
    expect(run.span_id).toMatch(HEX16)
    expect(run.span_id).not.toBe(SPAN)
    expect(run.output).toEqual({
      context: {
        trace_id: TRACE,
        span_id: run.span_id,
        parent_span_id: SPAN,
        traceparent: `00-${TRACE}-${run.span_id}-01`,
        baggage: 'tenant=acme,plan=pro',
      },
      sdk_trace_id: TRACE,
    })
    const logs = await kit.server.api('GET', `/api/acme/ctx/ops/logs?run_id=${run.id}`)
    const line = JSON.parse(logs.body.runs[0].logs.find((l: any) => l.stream === 'stderr').data)
    expect(line).toMatchObject({ message: 'seen', trace_id: TRACE, span_id: run.span_id })
  })

  it('shows the trace on GET …/ops/runs/{id} and /api/v1/runs/{id}', async () => {
    const run = await invoke('ctx', { traceparent: TRACEPARENT })
    const op = await kit.server.api('GET', `/api/acme/ctx/ops/runs/${run.id}`)
    const v1 = await kit.server.api('GET', `/api/v1/runs/${run.id}`)
    for (const r of [op, v1]) {
      expect(r.status).toBe(200)
      expect(r.body).toMatchObject({ trace_id: TRACE, span_id: run.span_id, parent_span_id: SPAN })
    }
  })

  it('starts a fresh trace without a traceparent, and for a malformed or all-zero one', async () => {
    const bad = [
      'garbage',
      `00-${'0'.repeat(32)}-${SPAN}-01`,
      `ff-${TRACE}-${SPAN}-01`,
      `00-${TRACE}-${SPAN}-01-x`,
    ]
    const runs = [
      await invoke('ctx'),
      ...(await Promise.all(bad.map((t) => invoke('ctx', { traceparent: t })))),
    ]
    for (const run of runs) {
      expect(run.trace_id).toMatch(HEX32)
      expect(run.trace_id).not.toBe(TRACE)
      expect(run.parent_span_id).toBeNull()
      expect(run.output.context.trace_id).toBe(run.trace_id)
    }
    expect(new Set(runs.map((r) => r.trace_id)).size).toBe(runs.length)
  })

  it('takes the traceparent of a runs API start', async () => {
    const r = await kit.server.api(
      'POST',
      '/api/v1/runs?wait_for_completion=60',
      { target: 'acme/ctx', operation: 'invoke', input: {} },
      { headers: { traceparent: TRACEPARENT } },
    )
    expect(r.status).toBeLessThan(300)
    expect(r.body).toMatchObject({ trace_id: TRACE, parent_span_id: SPAN })
  })

  it('continues the trace through trigger(): a child run and a worker invocation under the caller’s span', async () => {
    const run = await invoke('parent', { traceparent: TRACEPARENT, baggage: 'k=v' })
    expect(run.trace_id).toBe(TRACE)
    const { child, span_id } = run.output
    expect(span_id).toBe(run.span_id)
    expect(child.context).toMatchObject({ trace_id: TRACE, parent_span_id: run.span_id, baggage: 'k=v' })
    expect(child.context.span_id).not.toBe(run.span_id)
    // The child is a run of its own, recorded with the same trace.
    const list = await kit.server.api('GET', '/api/v1/runs?target=acme/ctx&trigger=engine&limit=50')
    const childRun = list.body.runs.find((r: any) => r.span_id === child.context.span_id)
    expect(childRun).toMatchObject({ trace_id: TRACE, parent_span_id: run.span_id })
    // The worker's invocation message carried the caller's span.
    const sent = received.filter((m) => m.function_id === 'worker::echo').at(-1)
    expect(sent).toEqual({
      function_id: 'worker::echo',
      traceparent: `00-${TRACE}-${run.span_id}-01`,
      baggage: 'k=v',
    })
  })

  it('passes an http trigger request’s traceparent to the element it runs', async () => {
    iii.registerTrigger({
      type: 'http',
      function_id: 'acme::web',
      config: { api_path: '/traced', http_method: 'GET' },
    })
    await eventually(async () => {
      const r = await fetch(`${kit.server.url}/http/acme/traced`)
      if (r.status !== 200) throw new Error(`not routed yet: ${r.status}`)
    })
    const r = await fetch(`${kit.server.url}/http/acme/traced`, { headers: { traceparent: TRACEPARENT } })
    expect(r.status).toBe(200)
    expect(await r.json()).toEqual({ trace_id: TRACE, parent: SPAN })
  })

  it('continues the trace into a stream trigger fired by a handler’s write', async () => {
    iii.registerFunction('on::traced', async () => null)
    iii.registerTrigger({ type: 'stream', function_id: 'on::traced', config: { stream_name: 'traced' } })
    await waitForTrigger(iii, 'on::traced')
    await create(
      'writer',
      py(
        'from periodic import stream',
        'def handler(input):',
        '    return stream.set("traced", "g", "i", {"v": 1})',
      ),
    )
    const run = await invoke('writer', { traceparent: TRACEPARENT, baggage: 'b=1' })
    const fired = await eventually(() => {
      const m = received.find((x) => x.function_id === 'on::traced')
      if (!m) throw new Error('not fired yet')
      return m
    })
    expect(fired).toEqual({
      function_id: 'on::traced',
      traceparent: `00-${TRACE}-${run.span_id}-01`,
      baggage: 'b=1',
    })
  })
})
