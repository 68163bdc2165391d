// parseDefinition: what is accepted, what is refused with which code and path, and the helpers
// the interpreter reads a definition with. Unit tests: no server.
import { describe, expect, it } from 'vitest'
import { PlatformError } from '../errors.ts'
import {
  authenticationOf,
  durationMs,
  forConcurrency,
  parseDefinition,
  scheduleOf,
  taskEntries,
  taskKind,
  toEngineCron,
} from './definition.ts'

const HEAD = `document: { dsl: '1.0.0', namespace: acme, name: test, version: '1.0.0' }\n`

const ISSUE_EXAMPLE = `document: { dsl: '1.0.0', namespace: acme, name: extract-invoice, version: '1.0.0' }
input:
  schema: { format: json, document: { type: object, required: [contract] } }
do:
  - parse:
      call: periodic            # an element or engine function of this circle
      with: { target: acme/pdf-parse, input: '\${ { file: .contract } }' }
  - checkTotals:
      for: { each: line, in: '\${ .parse.lines }' }
      do: [ { check: { call: periodic, with: { target: acme/check-line, input: '\${ $line }' } } } ]
  - route:
      switch:
        - big:   { when: '\${ .parse.total > 10000 }', then: review }
        - default: { then: end }
  - review:
      call: http
      with: { method: post, endpoint: 'https://approvals.example.com/requests', body: '\${ .parse }' }
`

interface Refusal {
  code: string
  status: number
  message: string
  details: { errors: Array<{ path: string; message: string; line?: number; feature?: string }> } & Record<
    string,
    unknown
  >
}

function refusal(text: string): Refusal {
  try {
    parseDefinition(text)
  } catch (err) {
    if (!(err instanceof PlatformError)) throw err
    return err as unknown as Refusal
  }
  throw new Error('the definition was accepted')
}

const paths = (r: Refusal) => r.details.errors.map((e) => e.path)

describe('parseDefinition accepts', () => {
  it("the issue's example (call: periodic, for, switch to a sibling, http)", () => {
    const doc = parseDefinition(ISSUE_EXAMPLE)
    expect(doc.document.name).toBe('extract-invoice')
    expect(taskEntries(doc.do).map((e) => [e.name, taskKind(e.task)])).toEqual([
      ['parse', 'call'],
      ['checkTotals', 'for'],
      ['route', 'switch'],
      ['review', 'call'],
    ])
  })

  it('the same document written as JSON', () => {
    const json = JSON.stringify({
      document: { dsl: '1.0.0', namespace: 'acme', name: 'j', version: '1.0.0' },
      do: [{ wait: { wait: { seconds: 1 } } }],
    })
    expect(parseDefinition(json).do).toHaveLength(1)
  })

  it('DSL 1.0.x patch versions, evaluate in strict jq, and a bounded for concurrency', () => {
    const text = `document: { dsl: '1.0.3', namespace: acme, name: test, version: '1.0.0' }
evaluate: { language: jq, mode: strict }
do:
  - each:
      for: { in: '\${ .items }' }
      metadata: { concurrency: 8 }
      do: [ { one: { set: { x: 1 } } } ]
`
    expect(parseDefinition(text).document.dsl).toBe('1.0.3')
  })

  it('functions declared in use.functions, and secret-based basic authentication', () => {
    const text = `${HEAD}use:
  secrets: [petstore]
  functions:
    getPet: { call: http, with: { method: get, endpoint: 'https://pets.example.com/{id}' } }
  authentications:
    pets: { basic: { use: petstore } }
do:
  - get: { call: getPet, with: { id: 1 } }
  - put:
      call: http
      with: { method: put, endpoint: { uri: 'https://pets.example.com', authentication: { use: pets } } }
`
    const doc = parseDefinition(text)
    expect(authenticationOf(doc, { use: 'pets' })).toEqual({ scheme: 'basic', secret: 'petstore' })
    expect(authenticationOf(doc, { bearer: { token: '${ .t }' } })).toEqual({
      scheme: 'bearer',
      token: '${ .t }',
    })
  })
})

describe('parseDefinition refuses as WORKFLOW_DEFINITION_INVALID', () => {
  it('invalid YAML, with its line and column', () => {
    const r = refusal(`${HEAD}do:\n  - a: { set: { x: 1 }\n  - b: 2\n`)
    expect(r.code).toBe('WORKFLOW_DEFINITION_INVALID')
    expect(r.status).toBe(400)
    expect(r.details.errors[0]).toMatchObject({ path: '/', line: 4, column: 3 })
  })

  it('duplicate keys in a mapping (YAML would silently keep the last one)', () => {
    const r = refusal(`${HEAD}do: []\ndo: []\n`)
    expect(r.details.errors[0]?.message).toMatch(/unique/)
    expect(r.details.errors[0]?.line).toBe(3)
  })

  it('a JSON array at the top', () => {
    const r = refusal('[{"document": {}}]')
    expect(r.code).toBe('WORKFLOW_DEFINITION_INVALID')
    expect(r.details.errors).toEqual([
      { path: '/', message: expect.stringMatching(/mapping with document and do, not a list/), line: 1 },
    ])
  })

  it('an empty text', () => {
    expect(refusal('  \n').details.errors[0]?.message).toBe('the definition is empty')
  })

  it('a missing document', () => {
    const r = refusal('do:\n  - a: { set: { x: 1 } }\n')
    expect(r.details.errors).toEqual([
      { path: '/', message: "missing required property 'document'", line: 1 },
    ])
  })

  it('an unknown task type, listing the kinds', () => {
    const r = refusal(
      `${HEAD}do:\n  - a: { set: { x: 1 } }\n  - b: { wait: PT1S }\n  - review: { approve: { who: me } }\n`,
    )
    expect(r.details.errors).toEqual([
      {
        path: '/do/2/review',
        message:
          'unknown task type: expected one of call, do, emit, for, fork, listen, raise, run, set, switch, try, wait',
        line: 5,
      },
    ])
    expect(r.message).toMatch(/^Invalid workflow definition at \/do\/2\/review: unknown task type/)
  })

  it('an unknown DSL version, and a version YAML reads as a number', () => {
    expect(refusal(ISSUE_EXAMPLE.replace("dsl: '1.0.0'", "dsl: '0.8.0'")).details.errors).toEqual([
      {
        path: '/document/dsl',
        message: "unsupported DSL version '0.8.0': Periodic reads Serverless Workflow DSL 1.0.x",
        line: 1,
      },
    ])
    const r = refusal(ISSUE_EXAMPLE.replace("dsl: '1.0.0'", 'dsl: 1.0'))
    expect(r.details.errors[0]).toMatchObject({ path: '/document/dsl', message: /quote it/ })
  })

  it('every schema error at once, each with its path, one readable message per place', () => {
    const r = refusal(`${HEAD}do:
  - a: { call: http, with: { method: get } }
  - b: { call: http, with: { method: get, endpoint: 'not a uri' }, colour: red }
  - c: { wait: { seconds: soon } }
  - d: { run: { script: { language: python } } }
  - e: { listen: { to: { any: [], all: [] } } }
  - f: { set: { x: 1 }, then: 5 }
`)
    expect(r.details.errors.map((e) => [e.path, e.message, e.line])).toEqual([
      ['/do/0/a/with', "missing required property 'endpoint'", 3],
      [
        '/do/1/b/with/endpoint',
        'must be a runtime expression (${ … }), a URI or URI template or an endpoint object ({ uri, authentication })',
        4,
      ],
      ['/do/1/b/colour', "unknown property 'colour'", 4],
      ['/do/2/c/wait/seconds', 'must be an integer', 5],
      ['/do/3/d/run/script', 'must have one of: code, source', 6],
      ['/do/4/e/listen/to', 'must have only one of: all, any', 7],
      ['/do/5/f/then', 'must be continue, exit, end or the name of a task', 8],
    ])
    expect(r.message).toMatch(/\(and 6 more\)$/)
  })

  it('names that must exist: flow targets, functions, reusable errors, retries, timeouts, authentications, secrets', () => {
    const r = refusal(`${HEAD}do:
  - a: { set: { x: 1 }, then: nowhere }
  - b: { call: myFn }
  - c: { raise: { error: missingError } }
  - d: { try: [ { e: { wait: PT1S } } ], catch: { retry: missingRetry } }
  - f: { wait: PT1S, timeout: missingTimeout }
  - g: { switch: [ { big: { when: '\${ . }', then: e } } ] }
  - h: { call: http, with: { method: get, endpoint: { uri: 'https://x.example', authentication: { use: nope } } } }
  - i: { call: http, with: { method: get, endpoint: { uri: 'https://x.example', authentication: { bearer: { use: undeclared } } } } }
`)
    expect(paths(r)).toEqual([
      '/do/0/a/then',
      '/do/1/b/call',
      '/do/2/c/raise/error',
      '/do/3/d/catch/retry',
      '/do/4/f/timeout',
      '/do/5/g/switch/0/big/then',
      '/do/6/h/with/endpoint/authentication/use',
      '/do/7/i/with/endpoint/authentication/bearer/use',
    ])
    expect(r.details.errors[1]?.message).toMatch(/'myFn' is not a declared function/)
  })

  it('names inherited by every object (constructor, __proto__) are not declarations', () => {
    const r = refusal(`${HEAD}do:
  - a: { call: constructor }
  - b: { raise: { error: toString } }
  - c: { call: http, with: { method: get, endpoint: { uri: 'https://x.example', authentication: { use: __proto__ } } } }
`)
    expect(paths(r)).toEqual([
      '/do/0/a/call',
      '/do/1/b/raise/error',
      '/do/2/c/with/endpoint/authentication/use',
    ])
  })

  it('duplicate task names in one list (the same name in another list is fine)', () => {
    const r = refusal(`${HEAD}do:
  - a: { set: { x: 1 } }
  - inner: { do: [ { a: { set: { y: 1 } } } ] }
  - a: { set: { x: 2 } }
`)
    expect(r.details.errors).toEqual([
      { path: '/do/2/a', message: "duplicate task name 'a' (first at /do/0/a)", line: 5 },
    ])
  })

  it('call: periodic without a target, with unknown arguments, or shadowed by a function', () => {
    const r = refusal(`${HEAD}use:
  functions:
    periodic: { call: http, with: { method: get, endpoint: 'https://x.example' } }
do:
  - a: { call: periodic, with: { input: 1 } }
  - b: { call: periodic, with: { target: acme/x, retries: 3 } }
`)
    expect(paths(r)).toEqual(['/use/functions/periodic', '/do/0/a/with/target', '/do/1/b/with/retries'])
  })

  it('a for concurrency out of range, or combined with while', () => {
    const r = refusal(`${HEAD}do:
  - a: { for: { in: '\${ . }' }, metadata: { concurrency: 0 }, do: [ { x: { set: { x: 1 } } } ] }
  - b: { for: { in: '\${ . }' }, while: '\${ true }', metadata: { concurrency: 4 }, do: [ { x: { set: { x: 1 } } } ] }
`)
    expect(paths(r)).toEqual(['/do/0/a/metadata/concurrency', '/do/1/b/metadata/concurrency'])
  })

  it('unknown top-level keys, a bad cron, two schedules, and durations in months', () => {
    const r = refusal(`${HEAD}description: hi
schedule: { cron: 'every day', every: { hours: 1 } }
do:
  - a: { wait: P1M }
`)
    expect(paths(r)).toEqual(['/description', '/schedule', '/schedule/cron', '/do/0/a/wait'])
  })

  it('a function that calls itself through another', () => {
    const r = refusal(`${HEAD}use:
  functions:
    f: { call: g }
    g: { call: f }
do:
  - a: { call: f }
`)
    expect(r.details.errors.map((e) => e.message)).toContain("function 'f' calls itself (f → g → f)")
  })
})

describe('parseDefinition refuses unsupported features by name (WORKFLOW_FEATURE_UNSUPPORTED)', () => {
  const cases: Array<[string, string, string, string]> = [
    [
      'call: grpc',
      "call: grpc, with: { proto: { endpoint: 'file://x' }, service: { name: s, host: h }, method: m }",
      '/do/0/t/call',
      'call: grpc',
    ],
    ['call: asyncapi', 'call: asyncapi, with: {}', '/do/0/t/call', 'call: asyncapi'],
    ['call: mcp', 'call: mcp, with: {}', '/do/0/t/call', 'call: mcp'],
    ['a catalog function', 'call: log@default', '/do/0/t/call', 'catalog function'],
    ['run: container', 'run: { container: { image: alpine } }', '/do/0/t/run/container', 'run: container'],
    ['run: shell', 'run: { shell: { command: ls } }', '/do/0/t/run/shell', 'run: shell'],
    [
      'run: script in javascript',
      "run: { script: { language: javascript, code: 'x' } }",
      '/do/0/t/run/script/language',
      'run: script (javascript)',
    ],
    [
      'an external script',
      "run: { script: { language: python, source: { endpoint: 'https://x.example/a.py' } } }",
      '/do/0/t/run/script/source',
      'run: script source (external resource)',
    ],
    [
      'listen.foreach',
      'listen: { to: { any: [] } }, foreach: { do: [] }',
      '/do/0/t/foreach',
      'listen.foreach',
    ],
    [
      'an external schema',
      "set: { x: 1 }, input: { schema: { resource: { endpoint: 'https://x.example/s.json' } } }",
      '/do/0/t/input/schema/resource',
      'external schema',
    ],
    [
      'oauth2',
      "call: http, with: { method: get, endpoint: { uri: 'https://x.example', authentication: { oauth2: { authority: 'https://a.example', grant: client_credentials } } } }",
      '/do/0/t/with/endpoint/authentication/oauth2',
      'authentication: oauth2',
    ],
  ]
  for (const [what, task, path, feature] of cases) {
    it(what, () => {
      const r = refusal(`${HEAD}do:\n  - t: { ${task} }\n`)
      expect(r.code).toBe('WORKFLOW_FEATURE_UNSUPPORTED')
      expect(r.status).toBe(400)
      expect(r.details.errors).toContainEqual(expect.objectContaining({ path, feature, line: 3 }))
    })
  }

  it('use.extensions, use.catalogs, evaluate.mode loose — all of them in one answer', () => {
    const r = refusal(`${HEAD}evaluate: { mode: loose }
use:
  extensions: [ { x: { extend: all } } ]
  catalogs: { default: { endpoint: 'https://x.example' } }
do:
  - a: { set: { x: 1 } }
`)
    expect(r.details.errors.map((e) => e.feature)).toEqual([
      'use.extensions',
      'use.catalogs',
      'evaluate.mode: loose',
    ])
    expect(r.message).toMatch(/use\.extensions, use\.catalogs, evaluate\.mode: loose/)
  })
})

describe('helpers for the interpreter', () => {
  it('taskEntries reads a task list; taskKind tells for from do', () => {
    expect(taskEntries([{ a: { for: { in: '${ . }' }, do: [] } }, { b: { do: [] } }, 'junk'])).toEqual([
      { name: 'a', task: { for: { in: '${ . }' }, do: [] } },
      { name: 'b', task: { do: [] } },
    ])
    expect(taskKind({ for: { in: '${ . }' }, do: [] })).toBe('for')
    expect(taskKind({ try: [], catch: {} })).toBe('try')
    expect(() => taskKind({ approve: {} })).toThrow()
    expect(forConcurrency({ for: {}, do: [], metadata: { concurrency: 8 } })).toBe(8)
    expect(forConcurrency({ for: {}, do: [] })).toBe(1)
  })

  it('durationMs reads inline and ISO 8601 durations, refusing years and months', () => {
    expect(durationMs({ minutes: 1, seconds: 30 })).toBe(90_000)
    expect(durationMs('PT1.5S')).toBe(1500)
    expect(durationMs('P1DT2H')).toBe(93_600_000)
    expect(durationMs('P1W')).toBe(604_800_000)
    expect(durationMs('P1M')).toBeUndefined()
    expect(durationMs('soon')).toBeUndefined()
  })

  it('scheduleOf normalises every, cron (with the engine form) and on', () => {
    const doc = (s: string) => parseDefinition(`${HEAD}schedule: ${s}\ndo: [ { a: { wait: PT1S } } ]\n`)
    expect(scheduleOf(doc('{ every: { minutes: 5 } }'))).toEqual({ everyMs: 300_000 })
    expect(scheduleOf(doc("{ cron: '30 9 * * 1-5' }"))).toEqual({
      cron: '30 9 * * 1-5',
      engineCron: '0 30 9 * * MON-FRI *',
    })
    expect(scheduleOf(doc('{ on: { one: { with: { type: order.placed } } } }'))).toEqual({
      on: { mode: 'one', filters: [{ with: { type: 'order.placed' } }] },
    })
    expect(scheduleOf(parseDefinition(ISSUE_EXAMPLE))).toBeUndefined()
    expect(toEngineCron('0 0 * * 0')).toBe('0 0 0 * * SUN *')
  })
})
