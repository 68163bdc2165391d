// The interpreter against an in-memory host: data flow, flow directives, loops, errors,
// retries, and replay (a resumed run never repeats a completed call).
import { describe, expect, it } from 'vitest'
import type { Json, JsonObject } from '../storage/storage.ts'
import { parseDefinition } from './definition.ts'
import { WorkflowFault } from './dsl-faults.ts'
import { WorkflowInterpreter } from './interpreter.ts'
import type { CloudEvent, StepRecord, WorkflowHost } from './workflow-host.ts'

class MemoryHost implements WorkflowHost {
  readonly steps = new Map<string, StepRecord>()
  readonly calls: Array<{ target: string; input: Json }> = []
  readonly emitted: CloudEvent[] = []
  readonly ctl = new AbortController()
  readonly signal = this.ctl.signal
  readonly run = { id: 'run-1', startedAt: new Date().toISOString(), depth: 0 }
  failFirst = new Map<string, number>()
  constructor(private readonly fns: Record<string, (input: Json) => Json> = {}) {}
  async record(step: StepRecord): Promise<void> {
    this.steps.set(step.key, step)
  }
  async callPeriodic(_s: unknown, target: string, input: Json): Promise<Json> {
    this.calls.push({ target, input })
    const left = this.failFirst.get(target) ?? 0
    if (left > 0) {
      this.failFirst.set(target, left - 1)
      throw Object.assign(new Error(`${target} failed`), { status: 503 })
    }
    const fn = this.fns[target]
    if (!fn) throw Object.assign(new Error(`no ${target}`), { status: 404 })
    return fn(input)
  }
  async callHttp(): Promise<Json> {
    throw new Error('no http here')
  }
  async fetchDocument(): Promise<JsonObject> {
    return {}
  }
  async runWorkflow(): Promise<Json> {
    return null
  }
  async runScript(): Promise<Json> {
    return null
  }
  async emit(_s: unknown, e: CloudEvent): Promise<void> {
    this.emitted.push(e)
  }
  async listen(): Promise<CloudEvent[]> {
    return []
  }
  async sleep(until: number): Promise<void> {
    await new Promise((r) => setTimeout(r, Math.max(0, until - Date.now())))
  }
  async secrets(names: string[]): Promise<Record<string, Json>> {
    return Object.fromEntries(names.map((n) => [n, `secret-of-${n}`]))
  }
}

const wf = (body: string) =>
  parseDefinition(`document: { dsl: '1.0.0', namespace: test, name: t, version: '1.0.0' }\n${body}`)

async function run(body: string, input: Json = {}, host = new MemoryHost()) {
  const output = await new WorkflowInterpreter(wf(body), host).run(input)
  return { output, host }
}

describe('workflow interpreter', () => {
  it('passes each task’s output to the next, with input.from, output.as and export.as', async () => {
    const { output } = await run(
      `do:
  - a:
      set: { n: '\${ .x + 1 }' }
      export: { as: '\${ { seen: .n } }' }
  - b:
      input: { from: '\${ { m: (.n * 10) } }' }
      set: { m: '\${ .m }', ctx: '\${ $context.seen }' }
      output: { as: '\${ { result: .m, ctx: .ctx } }' }`,
      { x: 1 },
    )
    expect(output).toEqual({ result: 20, ctx: 2 })
  })

  it('binds the variables an expression mentions: $workflow, $runtime, $secret, $task, loop variables', async () => {
    const { output } = await run(
      `use: { secrets: [token] }
do:
  - loop:
      for: { each: input, at: i, in: '\${ [10, 20] }' }
      do:
        - add: { set: { last: '\${ $input }', at: '\${ $i }', seen: '\${ (.seen // []) + [$input] }' } }
  - about:
      set:
        name: '\${ $workflow.definition.document.name }'
        id: '\${ $workflow.id }'
        first: '\${ $workflow.input.x }'
        runtime: '\${ $runtime.name }'
        secret: '\${ $secret.token }'
        last: '\${ .last }'
        literal: '\${ "$none" }'
      output: { as: '\${ . + { task: $task.name } }' }`,
      { x: 7 },
    )
    expect(output).toEqual({
      name: 't',
      id: 'run-1',
      first: 7,
      runtime: 'periodic',
      secret: 'secret-of-token',
      last: 20,
      literal: '$none',
      task: 'about',
    })
  })

  it('runs the issue’s example shape: switch, for over a call, then: end', async () => {
    const host = new MemoryHost({
      'acme/pdf-parse': (i) => ({ lines: [1, 2, 3], total: 20000, file: (i as JsonObject)['file'] ?? null }),
      'acme/check-line': (i) => ({ ok: i }),
    })
    const { output } = await run(
      `do:
  - parse:
      call: periodic
      with: { target: acme/pdf-parse, input: '\${ { file: .contract } }' }
  - checkTotals:
      for: { each: line, in: '\${ .parse.lines }' }
      do: [ { check: { call: periodic, with: { target: acme/check-line, input: '\${ $line }' } } } ]
  - route:
      switch:
        - small: { when: '\${ .parse.total < 0 }', then: end }
        - default: { then: done }
  - skipped:
      set: { never: true }
  - done:
      set: { total: '\${ .parse.total }', last: '\${ .check.ok }' }`,
      { contract: 'c.pdf' },
      host,
    )
    expect(host.calls.map((c) => c.input)).toEqual([{ file: 'c.pdf' }, 1, 2, 3])
    expect(output).toEqual({ total: 20000, last: 3 })
    expect([...host.steps.values()].some((s) => s.name === 'skipped')).toBe(false)
  })

  it('retries a failing call per the policy, then catches what is left', async () => {
    const host = new MemoryHost({ flaky: () => 'ok' })
    host.failFirst.set('flaky', 2)
    const { output } = await run(
      `do:
  - attempt:
      try:
        - c: { call: periodic, with: { target: flaky } }
      catch:
        errors: { with: { status: 503 } }
        retry: { delay: { milliseconds: 1 }, backoff: { exponential: {} }, limit: { attempt: { count: 5 } } }`,
      {},
      host,
    )
    expect(output).toEqual({ c: 'ok' })
    expect(host.calls).toHaveLength(3)
  })

  it('raise throws the DSL error shape; catch binds it as $error', async () => {
    const { output } = await run(
      `do:
  - guard:
      try:
        - boom: { raise: { error: { type: 'https://example.com/bad', status: 422, detail: '\${ "bad " + .w }' } } }
      catch:
        do:
          - keep: { set: { caught: '\${ $error.detail }', status: '\${ $error.status }', at: '\${ $error.instance }' } }`,
      { w: 'thing' },
    )
    expect(output).toEqual({ caught: 'bad thing', status: 422, at: '/do/0/guard/try/0/boom' })
    await expect(
      run(`do:\n  - boom: { raise: { error: { type: 'https://x/y', status: 400 } } }`),
    ).rejects.toBeInstanceOf(WorkflowFault)
  })

  it('forks branches (all, and compete), and loops with while', async () => {
    const { output } = await run(`do:
  - both:
      fork:
        branches:
          - one: { set: { v: 1 } }
          - two: { set: { v: 2 } }`)
    expect(output).toEqual([{ v: 1 }, { v: 2 }])
    const counted = await run(`do:
  - count:
      for: { in: '\${ [range(0; 100)] }' }
      while: '\${ (.n // 0) < 5 }'
      do: [ { inc: { set: { n: '\${ (.n // 0) + 1 }' } } } ]`)
    expect(counted.output).toEqual({ n: 5 })
  })

  it('a resumed run replays completed steps and never repeats a completed call', async () => {
    const body = `do:
  - first: { call: periodic, with: { target: once } }
  - second: { call: periodic, with: { target: boom } }`
    const host = new MemoryHost({ once: () => ({ n: 1 }) })
    await expect(run(body, {}, host)).rejects.toBeInstanceOf(WorkflowFault)
    expect(host.calls.map((c) => c.target)).toEqual(['once', 'boom'])
    // The same records on a new host, as after a restart: `once` is not called again.
    const resumed = new MemoryHost({ once: () => ({ n: 2 }), boom: (i) => ({ got: i }) })
    for (const [k, v] of host.steps) if (v.status === 'succeeded') resumed.steps.set(k, v)
    const { output } = await run(body, {}, resumed)
    expect(resumed.calls.map((c) => c.target)).toEqual(['boom'])
    expect(output).toEqual({ first: { n: 1 }, second: { got: { first: { n: 1 } } } })
  })

  it('fails a jq error with the expression and where it was', async () => {
    const err = await run(`do:\n  - bad: { set: { x: '\${ error("bad") }' } }`, { a: 'nope' }).catch((e) => e)
    expect(err).toBeInstanceOf(WorkflowFault)
    expect(err.error.type).toMatch(/expression$/)
    expect(err.error.instance).toBe('/do/0/bad/set')
  })

  it('bounds loops and times tasks out', async () => {
    const host = new MemoryHost()
    const i = new WorkflowInterpreter(
      wf(`do:\n  - many: { for: { in: '\${ [range(0; 50)] }' }, do: [ { s: { set: { a: 1 } } } ] }`),
      host,
      { maxIterations: 10, maxSteps: 1000 },
    )
    await expect(i.run({})).rejects.toThrow(/exceed the limit of 10/)
    const slow = await run(
      `do:\n  - nap: { wait: { seconds: 5 }, timeout: { after: { milliseconds: 20 } } }`,
    ).catch((e) => e)
    expect(slow.error.type).toMatch(/timeout$/)
  })
})
