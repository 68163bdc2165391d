// The spec's published examples that Periodic supports run to their end on the interpreter,
// with a host standing in for the outside world: HTTP answers echo the request, OpenAPI
// documents hold the operation asked for, listened events arrive at once, waits take no time.
// An example that raises on purpose ends with its own error; none may end with an expression
// or configuration error (that would be ours).
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { Json, JsonObject } from '../storage/storage.ts'
import { parseDefinition } from './definition.ts'
import { WorkflowFault } from './dsl-faults.ts'
import { WorkflowInterpreter } from './interpreter.ts'
import type { CloudEvent, HttpCall, StepRecord, WorkflowHost } from './workflow-host.ts'

const DIR = join(import.meta.dirname, 'spec-examples')
const supported = readFileSync(join(DIR, 'README.md'), 'utf8')
  .split('\n')
  .filter((l) => /\|\s*supported/.test(l))
  .map((l) => l.split('|')[1]!.trim().split(' ')[0]!)

class StandInHost implements WorkflowHost {
  readonly steps = new Map<string, StepRecord>()
  readonly signal = new AbortController().signal
  readonly run = { id: 'run', startedAt: new Date().toISOString(), depth: 0 }
  readonly http: HttpCall[] = []
  constructor(private readonly operations: string[]) {}
  async record(s: StepRecord) {
    this.steps.set(s.key, s)
  }
  async callPeriodic(_s: unknown, target: string, input: Json) {
    return { target, input }
  }
  async callHttp(_s: unknown, call: HttpCall): Promise<Json> {
    this.http.push(call)
    const content = {
      method: call.method,
      url: call.url,
      body: call.body ?? null,
      homeworld: 'https://example.com/1',
    }
    return call.output === 'response' ? { statusCode: 200, headers: {}, content } : content
  }
  async fetchDocument(): Promise<JsonObject> {
    const paths: JsonObject = {}
    for (const id of this.operations) paths[`/op/${id}`] = { get: { operationId: id, parameters: [] } }
    return { openapi: '3.0.0', servers: [{ url: 'https://api.example.com' }], paths }
  }
  async runWorkflow(_s: unknown, _r: unknown, input: Json) {
    return input
  }
  async runScript() {
    return null
  }
  async emit() {}
  async listen(_s: unknown, filters: JsonObject[], mode: string): Promise<CloudEvent[]> {
    const picked = mode === 'all' ? filters : filters.slice(0, 1)
    return picked.map(
      (f, i) =>
        ({ specversion: '1.0', id: `e${i}`, source: 'test', type: 'test', data: {}, ...f }) as CloudEvent,
    )
  }
  async sleep() {}
  async secrets(names: string[]) {
    return Object.fromEntries(names.map((n) => [n, { username: 'u', password: 'p', token: 't' }]))
  }
}

/** An input the example accepts: its schema's required fields, or the events a schedule's `on` starts it with. */
function inputFor(doc: JsonObject): Json {
  if ((doc['schedule'] as JsonObject | undefined)?.['on'])
    return [{ specversion: '1.0', id: 'e', source: 'test', type: 'test', data: { patient: { id: 'p1' } } }]
  const schema = (((doc['input'] as JsonObject | undefined)?.['schema'] as JsonObject | undefined)?.[
    'document'
  ] ?? {}) as JsonObject
  const props = (schema['properties'] ?? {}) as Record<string, JsonObject>
  const sample: JsonObject = {}
  for (const name of (schema['required'] ?? []) as string[])
    sample[name] =
      props[name]?.['type'] === 'integer' || props[name]?.['type'] === 'number'
        ? 1
        : props[name]?.['type'] === 'object'
          ? {}
          : 'x'
  return sample
}

describe('the spec’s examples run', () => {
  it('lists supported examples', () => expect(supported.length).toBeGreaterThan(20))
  for (const name of supported) {
    it(name, async () => {
      const text = readFileSync(join(DIR, `${name}.yaml`), 'utf8')
      const doc = parseDefinition(text)
      const ops = [...text.matchAll(/operationId:\s*['"]?([\w-]+)/g)].map((m) => m[1]!)
      const host = new StandInHost(ops)
      const outcome = await new WorkflowInterpreter(doc, host).run(inputFor(doc)).then(
        (output) => ({ ok: true as const, output }),
        (err: unknown) => ({ ok: false as const, err }),
      )
      if (!outcome.ok) {
        expect(outcome.err).toBeInstanceOf(WorkflowFault)
        const type = (outcome.err as WorkflowFault).error.type
        // Raised by the example itself (raise tasks), or a schema the example's input misses.
        expect(type, JSON.stringify((outcome.err as WorkflowFault).error)).not.toMatch(
          /(expression|configuration)$/,
        )
      }
      expect([...host.steps.values()].length).toBeGreaterThan(0)
    })
  }
  it('has no example file that is not listed', () => {
    const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml'))
    expect(files.length).toBeGreaterThanOrEqual(supported.length)
  })
})
