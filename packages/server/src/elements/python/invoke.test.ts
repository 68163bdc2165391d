// Invoking python elements over real HTTP on SQLite: sync and async invoke, the input
// envelope, handler lookup, async and generator handlers, run errors, module state across
// versions, element states and metrics. Runs, cancel, logs and retries: invoke-runs.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../../../test/test-server.ts'

const c = 'acme'
const TERMINAL = ['succeeded', 'failed', 'cancelled']

describe('python invoke', () => {
  let s: TestServer

  async function create(slug: string, code: string, spec: object = {}) {
    const r = await s.api('POST', `/api/${c}`, {
      element_type: 'python',
      slug,
      spec: { source: { type: 'inline', code }, ...spec },
    })
    if (r.status !== 201) throw new Error(`create ${slug}: ${r.status} ${JSON.stringify(r.body)}`)
    return r.body
  }
  /** Invokes and waits (up to 60 s) for the result; the response must be a finished run. */
  async function invoke(slug: string, body: unknown = {}) {
    const r = await s.api('POST', `/api/${c}/${slug}/ops/invoke?wait_for_completion=60`, body)
    if (r.status !== 200) throw new Error(`invoke ${slug}: ${r.status} ${JSON.stringify(r.body)}`)
    return r.body
  }
  /** Polls the run until it is finished, failing after `ms`. */
  async function waitForRun(slug: string, id: string, ms = 60_000) {
    const deadline = Date.now() + ms
    for (;;) {
      const r = await s.api('GET', `/api/${c}/${slug}/ops/runs/${id}`)
      expect(r.status).toBe(200)
      if (TERMINAL.includes(r.body.status)) return r.body
      if (Date.now() > deadline) throw new Error(`run ${id} still ${r.body.status}`)
      await new Promise((res) => setTimeout(res, 100))
    }
  }

  beforeAll(async () => {
    s = await startTestServer()
    await s.createCircle(c)
    await create(
      'hello',
      'def handler(input):\n    return {"greeting": "Hello, " + input.get("name", "World") + "!", "seen": input}\n',
    )
  })
  afterAll(async () => s?.close())

  describe('sync and async invoke', () => {
    it('answers 200 with the output when the run ends within wait_for_completion; warm after the first', async () => {
      const first = await s.api('POST', `/api/${c}/hello/ops/invoke?wait_for_completion=30`, {
        payload: { name: 'Ada' },
      })
      expect(first.status).toBe(200)
      expect(first.body).toMatchObject({
        invocation_id: expect.any(String),
        status: 'succeeded',
        output: { greeting: 'Hello, Ada!' },
        error: null,
        attempts: 1,
        cold_start: true,
        duration_ms: expect.any(Number),
      })
      const second = await invoke('hello', { name: 'Bo' })
      expect(second).toMatchObject({
        status: 'succeeded',
        output: { greeting: 'Hello, Bo!' },
        cold_start: false,
      })
      expect(second.invocation_id).not.toBe(first.body.invocation_id)
    })

    it('refuses a wait over 600 s or one that is not a number, without starting a run', async () => {
      const count = async () => (await s.api('GET', `/api/${c}/hello/ops/runs?limit=200`)).body.runs.length
      const before = await count()
      for (const bad of ['601', 'soon', '-1']) {
        const r = await s.api('POST', `/api/${c}/hello/ops/invoke?wait_for_completion=${bad}`, {})
        expect(r.status, bad).toBe(400)
        expect(r.body.error).toMatchObject({ code: 'VALIDATION_FAILED', class: 'validation' })
        expect(r.body.error.message).toContain('wait_for_completion')
      }
      expect(await count()).toBe(before)
    })

    it('answers 202 when the wait ends first; the run goes on and succeeds', async () => {
      await create('slow', 'import time\ndef handler(input):\n    time.sleep(3)\n    return "late"\n')
      const r = await s.api('POST', `/api/${c}/slow/ops/invoke?wait_for_completion=1`, {})
      expect(r.status).toBe(202)
      expect(['queued', 'running']).toContain(r.body.status)
      expect(r.headers.get('location')).toBe(`/api/${c}/slow/ops/runs/${r.body.invocation_id}`)
      expect(await waitForRun('slow', r.body.invocation_id)).toMatchObject({
        status: 'succeeded',
        output: 'late',
      })
    })

    it('is asynchronous by default: 202 with invocation_id and location, then the run succeeds', async () => {
      const r = await s.api('POST', `/api/${c}/hello/ops/invoke`, { name: 'Cy' })
      expect(r.status).toBe(202)
      expect(r.body).toMatchObject({ invocation_id: expect.any(String), status: 'queued' })
      expect(r.body.location).toBe(`/api/${c}/hello/ops/runs/${r.body.invocation_id}`)
      expect(r.headers.get('location')).toBe(r.body.location)
      const run = await waitForRun('hello', r.body.invocation_id)
      expect(run).toMatchObject({
        status: 'succeeded',
        output: { greeting: 'Hello, Cy!' },
        input: { name: 'Cy' },
      })
    })
  })

  it('unwraps a payload, data or input envelope and passes any other body as is', async () => {
    for (const key of ['payload', 'data', 'input']) {
      const r = await invoke('hello', { [key]: { name: key } })
      expect(r.output.seen, key).toEqual({ name: key })
    }
    expect((await invoke('hello', { name: 'bare', n: 1 })).output.seen).toEqual({ name: 'bare', n: 1 })
    // Only a body of exactly one envelope key holding an object is unwrapped.
    expect((await invoke('hello', { payload: { a: 1 }, extra: 2 })).output.seen).toEqual({
      payload: { a: 1 },
      extra: 2,
    })
    expect((await invoke('hello', { data: 'text' })).output.seen).toEqual({ data: 'text' })
  })

  describe('handler lookup', () => {
    const fns = (...names: string[]) => names.map((n) => `def ${n}(input):\n    return "${n}"\n`).join('')

    it('calls an explicit spec.handler verbatim and case-sensitively', async () => {
      await create('cased', fns('handler', 'Handler'), { handler: 'Handler' })
      expect((await invoke('cased')).output).toBe('Handler')
    })

    it('fails a missing handler with the callables the code defines', async () => {
      await create('typo', `${fns('Handler', 'helper')}class Thing:\n    pass\n`, { handler: 'handle' })
      const r = await invoke('typo')
      expect(r.status).toBe('failed')
      expect(r.error).toMatchObject({
        code: 'PYTHON_HANDLER_NOT_FOUND',
        class: 'validation',
        retryable: false,
        callables: ['Handler', 'Thing', 'helper'],
      })
      expect(r.error.message).toContain("'handle'")
      expect(r.error.message).toContain('Handler')
    })

    it('falls back to handler, main, entrypoint, then the slug with underscores', async () => {
      await create('order-a', fns('entrypoint', 'main', 'handler', 'order_a'))
      await create('order-b', fns('order_b', 'entrypoint', 'main'))
      await create('order-c', fns('order_c', 'entrypoint'))
      await create('order-d', fns('other', 'order_d'))
      expect((await invoke('order-a')).output).toBe('handler')
      expect((await invoke('order-b')).output).toBe('main')
      expect((await invoke('order-c')).output).toBe('entrypoint')
      expect((await invoke('order-d')).output).toBe('order_d')
      await create('order-e', fns('other'))
      const none = await invoke('order-e')
      expect(none.error).toMatchObject({ code: 'PYTHON_HANDLER_NOT_FOUND', callables: ['other'] })
      expect(none.error.message).toContain('order_e')
    })
  })

  describe('handler kinds', () => {
    it('awaits an async def handler', async () => {
      await create(
        'asyncfn',
        'import asyncio\nasync def handler(input):\n    await asyncio.sleep(0.01)\n    return {"x": input["x"] * 2}\n',
      )
      expect((await invoke('asyncfn', { x: 21 })).output).toEqual({ x: 42 })
    })

    it('passes the context only to handlers that take a second parameter, decorated or not', async () => {
      const code = [
        'import functools',
        'def logged(fn):',
        '    @functools.wraps(fn)',
        '    def wrapper(*args, **kwargs):',
        '        return fn(*args, **kwargs)',
        '    return wrapper',
        '@logged',
        'def one(input):',
        '    return {"args": 1}',
        '@logged',
        'def two(input, context):',
        '    return {"args": 2, "attempt": context["attempt"]}',
        'def star(*args):',
        '    return {"args": len(args)}',
        'class Callable:',
        '    def __call__(self, input, context):',
        '        return {"args": 2, "element": context["element"]}',
        'obj = Callable()',
        '',
      ].join('\n')
      const cases: Array<[string, object]> = [
        ['one', { args: 1 }],
        ['two', { args: 2, attempt: 1 }],
        ['star', { args: 2 }],
        ['obj', { args: 2, element: 'ctx-obj' }],
      ]
      for (const [handler, output] of cases) {
        await create(`ctx-${handler}`, code, { handler })
        expect((await invoke(`ctx-${handler}`, {})).output).toEqual(output)
      }
    })
    it('collects what a generator yields as the output (sync and async generators)', async () => {
      await create('gen', 'def handler(input):\n    for i in range(input["n"]):\n        yield {"i": i}\n')
      expect((await invoke('gen', { n: 3 })).output).toEqual([{ i: 0 }, { i: 1 }, { i: 2 }])
      await create('agen', 'async def handler(input):\n    for i in range(2):\n        yield i\n')
      expect((await invoke('agen')).output).toEqual([0, 1])
    })

    it('streams yielded chunks to a reader of run_stream and to run_get while the run is active', async () => {
      await create(
        'streamer',
        'import time\ndef handler(input):\n    for i in range(3):\n        yield {"chunk": i}\n    time.sleep(120)\n',
        { timeout_ms: 180_000 },
      )
      const started = await s.api('POST', `/api/${c}/streamer/ops/invoke`, {})
      const id = started.body.invocation_id
      const res = await fetch(`${s.url}/api/${c}/streamer/ops/runs/${id}/stream`, {
        headers: { authorization: `Bearer ${s.adminKey}` },
      })
      expect(res.headers.get('content-type')).toContain('text/event-stream')
      const events = readEvents(res.body!)
      const chunks: unknown[] = []
      while (chunks.length < 3) {
        const e = await events.next()
        if (e.done) throw new Error('stream ended early')
        if (e.value.event === 'chunk') chunks.push(e.value.data)
      }
      expect(chunks).toEqual([{ chunk: 0 }, { chunk: 1 }, { chunk: 2 }])
      const live = await s.api('GET', `/api/${c}/streamer/ops/runs/${id}`)
      expect(live.body).toMatchObject({ status: 'running', chunks })
      // The generator now sleeps: cancelling ends the stream with the final run.
      expect((await s.api('POST', `/api/${c}/streamer/ops/runs/${id}/cancel`)).status).toBe(200)
      let end: { event: string; data: any } | undefined
      for await (const e of { [Symbol.asyncIterator]: () => events }) if (e.event === 'end') end = e
      expect(end?.data).toMatchObject({ invocation_id: id, status: 'cancelled' })
    }, 60_000)
  })

  describe('run errors', () => {
    it('fails a return value that is not JSON-serializable with a clear PYTHON_RUNTIME_ERROR', async () => {
      await create('unjson', 'def handler(input):\n    return {"s": {1, 2}}\n')
      const r = await invoke('unjson')
      expect(r).toMatchObject({ status: 'failed', output: null })
      expect(r.error).toMatchObject({ code: 'PYTHON_RUNTIME_ERROR', class: 'internal', retryable: false })
      expect(r.error.message).toMatch(/not JSON-serializable.*set/)
    })

    it('fails a raising handler with code, class, retryable, message and traceback; the next invoke works', async () => {
      await create(
        'raiser',
        'def handler(input):\n    if input.get("fail"):\n        helper()\n    return "ok"\n\ndef helper():\n    raise ValueError("boom")\n',
      )
      const r = await invoke('raiser', { fail: true })
      expect(r.status).toBe('failed')
      expect(r.error).toEqual({
        code: 'PYTHON_RUNTIME_ERROR',
        class: 'internal',
        retryable: false,
        message: 'ValueError: boom',
        traceback: expect.stringContaining('ValueError: boom'),
      })
      expect(r.error.traceback).toContain('main.py", line 7, in helper')
      expect(r.error.traceback).not.toContain('worker.py')
      expect(await invoke('raiser')).toMatchObject({ status: 'succeeded', output: 'ok', cold_start: false })
    })
  })

  it('keeps module-level state between invocations of a version; an update runs the new code afresh', async () => {
    const counter = (v: number) =>
      `count = 0\ndef handler(input):\n    global count\n    count += 1\n    return [${v}, count]\n`
    await create('counter', counter(1))
    expect((await invoke('counter')).output).toEqual([1, 1])
    expect((await invoke('counter')).output).toEqual([1, 2])
    const up = await s.api('PATCH', `/api/${c}/counter/ops/update`, {
      spec: { source: { code: counter(2) } },
    })
    expect(up.status).toBe(200)
    const fresh = await invoke('counter')
    expect(fresh).toMatchObject({ output: [2, 1], cold_start: true, element_version: up.body.version })
    expect((await invoke('counter')).output).toEqual([2, 2])
  })

  it('refuses creation without code, is ready with code and deployed after its first successful invoke', async () => {
    const draft = await s.api('POST', `/api/${c}`, {
      element_type: 'python',
      slug: 'empty',
      spec: { source: { type: 'inline', code: '' } },
    })
    // Inline source without code is refused, so a created python element has code: it is ready.
    expect(draft.status).toBe(400)
    expect(draft.body.error).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { field: 'spec.source.code' },
    })
    const el = await create('states', 'def handler(input):\n    return input\n')
    expect(el.state).toBe('ready')
    expect((await invoke('states', { x: 1 })).status).toBe('succeeded')
    expect((await s.api('GET', `/api/${c}/states`)).body.state).toBe('deployed')
  })

  it('reports the python metrics at /metrics and in stats', async () => {
    const names = [
      'python_invocation_count',
      'python_duration_ms',
      'python_cold_start_count',
      'python_cold_start_duration_ms',
      'python_memory_used_mb',
      'python_error_rate',
    ]
    await invoke('hello', { name: 'metrics' })
    const text = await (
      await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${s.adminKey}` } })
    ).text()
    for (const n of names)
      expect(text, n).toMatch(
        new RegExp(`^${n}(_bucket|_sum|_count)?\\{[^}]*element="[0-9a-f]{8}/hello"`, 'm'),
      )
    const stats = await s.api('GET', `/api/${c}/hello/ops/stats`)
    expect(stats.status).toBe(200)
    expect(stats.body).toMatchObject({ runs: expect.any(Number), success_rate: 1 })
    expect(Object.keys(stats.body.metrics ?? {}).sort()).toEqual([...names].sort())
    expect(stats.body.metrics).toMatchObject({
      python_invocation_count: expect.any(Number),
      python_cold_start_count: expect.any(Number),
      python_error_rate: 0,
    })
    const m = stats.body.metrics
    expect(m.python_invocation_count).toBeGreaterThanOrEqual(5)
    expect(m.python_cold_start_count).toBeGreaterThanOrEqual(1)
    expect(m.python_duration_ms).toMatchObject({ count: m.python_invocation_count, avg: expect.any(Number) })
    expect(m.python_cold_start_duration_ms.count).toBe(m.python_cold_start_count)
  })
})

/** Parses a text/event-stream body into {event, data} items. */
async function* readEvents(body: ReadableStream<Uint8Array>) {
  const decoder = new TextDecoder()
  let buf = ''
  for await (const part of body as unknown as AsyncIterable<Uint8Array>) {
    buf += decoder.decode(part, { stream: true })
    let at = buf.indexOf('\n\n')
    while (at >= 0) {
      const block = buf.slice(0, at)
      buf = buf.slice(at + 2)
      const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message'
      const data = /^data: (.*)$/m.exec(block)?.[1]
      yield { event, data: data === undefined ? undefined : JSON.parse(data) }
      at = buf.indexOf('\n\n')
    }
  }
}
