// The handler SDK inside the sandbox (`from periodic import state, stream, trigger, Logger`)
// over real HTTP with real sandboxed Python: engine calls through the worker's own pipes,
// scoped to the element's circle, errors as Python exceptions, structured logs on the run.
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

async function create(circle: string, slug: string, code: string) {
  const r = await kit.server.api('POST', `/api/${circle}`, {
    element_type: 'python',
    slug,
    spec: { source: { type: 'inline', code } },
  })
  if (r.status !== 201) throw new Error(`create ${slug}: ${r.status} ${JSON.stringify(r.body)}`)
}

async function invoke(
  circle: string,
  slug: string,
  body: unknown = {},
  headers: Record<string, string> = {},
) {
  const r = await kit.server.api('POST', `/api/${circle}/${slug}/ops/invoke?wait_for_completion=60`, body, {
    headers,
  })
  if (r.status !== 200) throw new Error(`invoke ${slug}: ${r.status} ${JSON.stringify(r.body)}`)
  if (r.body.status !== 'succeeded') throw new Error(`run ${slug}: ${JSON.stringify(r.body)}`)
  return r.body
}

const py = (...lines: string[]) => `${lines.join('\n')}\n`

beforeAll(async () => {
  kit = await startEngineKit()
  iii = kit.worker()
  await create(
    'acme',
    'counter',
    py(
      'from periodic import state',
      'def handler(input):',
      '    r = state.update("counters", "hits", [{"type": "increment", "path": "n", "by": 1}])',
      '    return {"after_update": r["new_value"], "read_back": state.get("counters", "hits")}',
    ),
  )
  await create(
    'acme',
    'hello',
    py('def handler(input):', '    return {"message": "Hello, " + input["name"]}'),
  )
  await create(
    'acme',
    'caller',
    py(
      'from periodic import trigger',
      'def handler(input):',
      '    return {"child": trigger("acme::hello", {"name": input["name"]})}',
    ),
  )
  await create(
    'acme',
    'chat',
    py(
      'from periodic import stream',
      'def handler(input):',
      '    return stream.set("chat", "room-1", input["id"], {"text": input["text"]})',
    ),
  )
  await create(
    'acme',
    'escape',
    py(
      'from periodic import state, trigger, EngineError',
      'def handler(input):',
      '    try:',
      '        trigger("beta::secret", {})',
      '        reached = True',
      '    except EngineError as e:',
      '        reached = e.code',
      '    return {"trigger": reached, "state": state.get("vault", "k")}',
    ),
  )
  await create(
    'acme',
    'logs',
    py(
      'from periodic import Logger',
      'log = Logger("orders", service="shop")',
      'def handler(input):',
      '    log.info("paid", order=7)',
      '    log.error("refund failed", level="fake", reason="card")',
      '    return None',
    ),
  )
  await create(
    'acme',
    'missing',
    py(
      'import periodic',
      'def handler(input):',
      '    try:',
      '        periodic.trigger("acme::does-not-exist", {})',
      '    except periodic.EngineError as e:',
      '        return {"code": e.code, "message": e.message}',
    ),
  )
})
afterAll(async () => kit?.close())

describe('handler SDK', () => {
  it('increments state and reads it back in the same handler, across runs', async () => {
    const one = await invoke('acme', 'counter')
    expect(one.output).toEqual({ after_update: { n: 1 }, read_back: { n: 1 } })
    const two = await invoke('acme', 'counter')
    expect(two.output).toEqual({ after_update: { n: 2 }, read_back: { n: 2 } })
    // The same state the circle's workers see.
    expect(
      await iii.trigger({ function_id: 'state::get', payload: { scope: 'counters', key: 'hits' } }),
    ).toEqual({
      n: 2,
    })
  })

  it('calls another element with trigger(); the child is a run whose parent is the caller', async () => {
    const run = await invoke('acme', 'caller', { name: 'Ada' })
    expect(run.output).toEqual({ child: { message: 'Hello, Ada' } })
    const r = await kit.server.api('GET', '/api/v1/runs?target=acme/hello&trigger=engine&limit=50')
    const child = r.body.runs.find((x: any) => x.output?.message === 'Hello, Ada')
    expect(child).toBeDefined()
    const full = await kit.server.api('GET', `/api/v1/runs/${child.id}/trace`)
    expect(full.body.trigger_info).toMatchObject({
      parent_run_id: run.invocation_id ?? run.id,
      call_depth: 1,
    })
  })

  it('fires a stream trigger registered by an iii-sdk worker when a handler sets an item', async () => {
    const seen: any[] = []
    iii.registerFunction('on::chat', async (e: unknown) => {
      seen.push(e)
      return null
    })
    iii.registerTrigger({ type: 'stream', function_id: 'on::chat', config: { stream_name: 'chat' } })
    await waitForTrigger(iii, 'on::chat')
    const run = await invoke('acme', 'chat', { id: 'm1', text: 'hi' })
    expect(run.output).toEqual({ old_value: null, new_value: { text: 'hi' } })
    await eventually(() => expect(seen).toHaveLength(1))
    expect(seen[0]).toMatchObject({
      streamName: 'chat',
      groupId: 'room-1',
      id: 'm1',
      event: { type: 'create', data: { text: 'hi' } },
    })
  })

  it('cannot reach another circle’s functions or state', async () => {
    await kit.server.createCircle('beta')
    const key = await kit.server.createKey('beta', ['read', 'write', 'execute'])
    const beta = kit.worker({ key })
    beta.registerFunction('beta::secret', async () => ({ leaked: true }))
    await waitForFunction(beta, 'beta::secret')
    await beta.trigger({ function_id: 'state::set', payload: { scope: 'vault', key: 'k', value: 'secret' } })
    const run = await invoke('acme', 'escape')
    expect(run.output).toEqual({ trigger: 'function_not_found', state: null })
  })

  it('raises an engine error as a Python exception carrying the engine’s code', async () => {
    const run = await invoke('acme', 'missing')
    expect(run.output).toMatchObject({
      code: 'function_not_found',
      message: expect.stringContaining('does-not-exist'),
    })
  })

  it('writes Logger lines as structured JSON on the run’s logs', async () => {
    const run = await invoke('acme', 'logs')
    const logs = await kit.server.api('GET', `/api/acme/logs/ops/logs?run_id=${run.invocation_id ?? run.id}`)
    const stderr = logs.body.runs[0].logs
      .filter((l: any) => l.stream === 'stderr')
      .map((l: any) => l.data)
      .join('')
    const lines = stderr
      .split('\n')
      .filter(Boolean)
      .map((l: string) => JSON.parse(l))
    expect(lines).toHaveLength(2)
    expect(lines[0]).toMatchObject({
      level: 'info',
      message: 'paid',
      logger: 'orders',
      service: 'shop',
      order: 7,
    })
    // A field cannot overwrite the line's own level.
    expect(lines[1]).toMatchObject({ level: 'error', message: 'refund failed', reason: 'card' })
    expect(lines[0].run_id).toBe(run.invocation_id ?? run.id)
  })

  it('runs the README example: state, a stream item, a child run and a log line', async () => {
    await create(
      'acme',
      'order',
      py(
        'from periodic import state, stream, trigger, Logger, EngineError',
        '',
        'log = Logger("orders", service="shop")',
        '',
        'def handler(input, context):',
        '    n = state.update("counters", "orders", [{"type": "increment", "path": "n", "by": 1}])["new_value"]',
        '    stream.set("orders", "live", str(n["n"]), {"item": input["item"]})   # fires stream triggers',
        '    greeting = trigger("acme::hello", {"name": input["who"]})            # another element: a child run',
        '    log.info("order placed", order=n["n"])                                # JSON line on the run\'s logs',
        '    return {"n": n["n"], "greeting": greeting}',
      ),
    )
    const run = await invoke('acme', 'order', { item: 'widget', who: 'Ada' })
    expect(run.output).toEqual({ n: 1, greeting: { message: 'Hello, Ada' } })
    expect(
      await iii.trigger({
        function_id: 'stream::get',
        payload: { stream_name: 'orders', group_id: 'live', item_id: '1' },
      }),
    ).toEqual({ item: 'widget' })
  })

  it('stops a handler that triggers itself at the nesting limit with call_depth_exceeded', async () => {
    const code = py(
      'from periodic import trigger, EngineError',
      'def handler(input, context):',
      '    try:',
      '        inner = trigger("acme::loop", {})',
      '        return {"depth": 1 + inner["depth"], "stopped": inner["stopped"]}',
      '    except EngineError as e:',
      '        return {"depth": 1, "stopped": e.code}',
    )
    const r = await kit.server.api('POST', '/api/acme', {
      element_type: 'python',
      slug: 'loop',
      spec: { source: { type: 'inline', code }, concurrency: { max: 12 } },
    })
    expect(r.status).toBe(201)
    const run = await invoke('acme', 'loop')
    // The first run and eight nested ones; the ninth call is refused before any run starts.
    expect(run.output).toEqual({ depth: 9, stopped: 'call_depth_exceeded' })
    const runs = await kit.server.api('GET', '/api/v1/runs?target=acme/loop&limit=50')
    expect(runs.body.runs).toHaveLength(9)
  })

  it('answers malformed calls from the sandbox with a code, and keeps serving', async () => {
    await create(
      'acme',
      'forger',
      py(
        'import json, os, sys, __main__ as w',
        'from periodic import trigger, EngineError',
        'def handler(input, context):',
        '    out = {}',
        '    for name, fid in (("empty", ""), ("number", 7), ("long", "x" * 600)):',
        '        out[name] = w.engine_call(fid, {}).get("error", {}).get("code")',
        '    # A call for another run id is refused: the host answers only the run it is serving.',
        '    with w.STDIN_LOCK:',
        '        w.send({"type": "call", "id": "00000000-0000-4000-8000-000000000000", "call": -1,',
        '                "function_id": "state::get", "data": {"scope": "s", "key": "k"}})',
        '        out["other_run"] = json.loads(sys.stdin.readline())["error"]["code"]',
        '    try:',
        '        trigger("state::set", {"scope": "s", "key": "k", "value": "x" * (2 * 1024 * 1024)})',
        '    except EngineError as e:',
        '        out["too_large"] = e.code',
        '    try:',
        '        trigger("state::get", {"scope": "s", "key": object()})',
        '    except TypeError:',
        '        out["not_json"] = "TypeError"',
        '    return out',
      ),
    )
    const run = await invoke('acme', 'forger')
    expect(run.output).toEqual({
      empty: 'invalid_payload',
      number: 'invalid_payload',
      long: 'invalid_payload',
      other_run: 'no_invocation',
      too_large: 'value_too_large',
      not_json: 'TypeError',
    })
    expect((await invoke('acme', 'counter')).output.read_back.n).toBeGreaterThan(0)
  })

  it('imports periodic in the element’s pytest run, where engine calls raise no_invocation', async () => {
    const code = py(
      'from periodic import trigger, Logger',
      'def handler(input):',
      '    return trigger("acme::hello", input)',
    )
    const tests = py(
      'import pytest',
      'from periodic import EngineError, Logger',
      'from main import handler',
      'def test_outside_a_run():',
      '    Logger("t").info("in a test")',
      '    with pytest.raises(EngineError) as e:',
      '        handler({"name": "x"})',
      '    assert e.value.code == "no_invocation"',
    )
    const r = await kit.server.api('POST', '/api/acme', {
      element_type: 'python',
      slug: 'tested',
      spec: { source: { type: 'inline', code, tests } },
    })
    expect(r.status).toBe(201)
    const started = await kit.server.api('POST', '/api/acme/tested/ops/test', {})
    expect([200, 202]).toContain(started.status)
    const done = await eventually(async () => {
      const t = await kit.server.api('GET', `/api/acme/tested/ops/test/${started.body.test_run_id}`)
      if (['queued', 'running'].includes(t.body.status)) throw new Error('still running')
      return t.body
    }, 60_000)
    expect(done, JSON.stringify(done)).toMatchObject({
      status: 'succeeded',
      output: { passed: 1, failed: 0 },
    })
  })

  it('keeps serving when a thread of the handler is still waiting on a call after the handler returned', async () => {
    await create(
      'acme',
      'slow',
      py('import time', 'def handler(input):', '    time.sleep(0.5)', '    return "slow"'),
    )
    const code = py(
      'import threading, time',
      'from periodic import trigger',
      'def handler(input):',
      '    if input.get("spawn"):',
      '        threading.Thread(target=lambda: trigger("acme::slow", {})).start()',
      '        time.sleep(0.1)',
      '    return "ok"',
    )
    const r = await kit.server.api('POST', '/api/acme', {
      element_type: 'python',
      slug: 'bg',
      // One attempt: a lost invocation would time out instead of passing on a fresh worker.
      spec: {
        source: { type: 'inline', code },
        concurrency: { max: 1 },
        timeout_ms: 5000,
        retry: { max_attempts: 1 },
      },
    })
    expect(r.status).toBe(201)
    expect((await invoke('acme', 'bg', { spawn: true })).output).toBe('ok')
    // The same worker takes the next run while the thread still waits for its answer.
    expect((await invoke('acme', 'bg', {})).output).toBe('ok')
    expect((await invoke('acme', 'bg', {})).output).toBe('ok')
  })

  it('refuses calls beyond 16 at once from code that writes the control channel itself', async () => {
    iii.registerFunction('worker::hold', () => new Promise((r) => setTimeout(() => r('held'), 300)))
    await waitForFunction(iii, 'worker::hold')
    await create(
      'acme',
      'flood',
      py(
        'import json, sys, __main__ as w',
        'def handler(input):',
        '    codes = {}',
        '    with w.STDIN_LOCK:',
        '        for i in range(20):',
        '            w.send({"type": "call", "id": w.CURRENT["run"], "call": 1000 + i,',
        '                    "function_id": "worker::hold", "data": {}})',
        '        for i in range(20):',
        '            r = json.loads(sys.stdin.readline())',
        '            key = r["error"]["code"] if "error" in r else r["result"]',
        '            codes[key] = codes.get(key, 0) + 1',
        '    return codes',
      ),
    )
    expect((await invoke('acme', 'flood')).output).toEqual({ held: 16, too_many_calls: 4 })
  })
})
