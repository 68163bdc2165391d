// Bad python specs over real HTTP on SQLite: every out-of-range or mistyped field is a 400
// naming the field (and its range), on create and on update, and nothing is written. Also a
// syntax error (a warning at create, PYTHON_SYNTAX_ERROR at invoke) and a disabled element.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ApiResponse, startTestServer, type TestServer } from '../../../test/test-server.ts'

const c = 'specs'
const CODE = 'def handler(input):\n    return {"ok": True}\n'

function expectInvalid(r: ApiResponse, field: string, message: RegExp | string, label: string) {
  expect(r.status, label).toBe(400)
  expect(r.body.error, label).toMatchObject({ code: 'VALIDATION_FAILED', details: { field } })
  expect(r.body.error.message, label).toMatch(message)
}

// [spec patch, field named, message]: the message gives the allowed range or values.
const BAD_FIELDS: Array<[object, string, RegExp | string]> = [
  [{ memory_mb: 63 }, 'spec.memory_mb', 'between 64 and 4096, got 63'],
  [{ memory_mb: 4097 }, 'spec.memory_mb', 'between 64 and 4096, got 4097'],
  [{ memory_mb: '128' }, 'spec.memory_mb', 'must be an integer between 64 and 4096'],
  [{ memory_mb: 128.5 }, 'spec.memory_mb', 'must be an integer between 64 and 4096'],
  [{ memory_mb: null }, 'spec.memory_mb', 'between 64 and 4096'],
  [{ timeout_ms: 99 }, 'spec.timeout_ms', 'between 100 and 900000, got 99'],
  [{ timeout_ms: 900_001 }, 'spec.timeout_ms', 'between 100 and 900000, got 900001'],
  [{ timeout_ms: true }, 'spec.timeout_ms', 'between 100 and 900000'],
  [{ concurrency: { max: 0 } }, 'spec.concurrency.max', 'between 1 and 256, got 0'],
  [{ concurrency: { max: 257 } }, 'spec.concurrency.max', 'between 1 and 256'],
  [{ concurrency: { reserved: -1 } }, 'spec.concurrency.reserved', 'between 0 and 64, got -1'],
  [{ concurrency: { reserved: 65, max: 100 } }, 'spec.concurrency.reserved', 'between 0 and 64'],
  [{ concurrency: { reserved: 3, max: 2 } }, 'spec.concurrency.reserved', 'cannot exceed concurrency.max'],
  [{ concurrency: { burst: 2 } }, 'spec.concurrency.burst', 'unknown field'],
  [{ concurrency: 4 }, 'spec.concurrency', 'must be object'],
  [{ retry: { max_attempts: 0 } }, 'spec.retry.max_attempts', 'between 1 and 10, got 0'],
  [{ retry: { max_attempts: 11 } }, 'spec.retry.max_attempts', 'between 1 and 10'],
  [{ retry: { backoff_ms: -1 } }, 'spec.retry.backoff_ms', 'between 0 and 600000, got -1'],
  [{ retry: { backoff_ms: 600_001 } }, 'spec.retry.backoff_ms', 'between 0 and 600000'],
  [{ retry: { backoff_multiplier: 0.5 } }, 'spec.retry.backoff_multiplier', 'between 1 and 10, got 0.5'],
  [{ retry: { backoff_multiplier: 'x2' } }, 'spec.retry.backoff_multiplier', 'between 1 and 10'],
  [{ environment: { TOKEN: 1 } }, 'spec.environment.TOKEN', 'must be string'],
  [{ environment: { TOKEN: null } }, 'spec.environment.TOKEN', 'must be string'],
  [{ environment: { TOKEN: { nested: 'x' } } }, 'spec.environment.TOKEN', 'must be string'],
  [{ environment: ['A=1'] }, 'spec.environment', 'must be object'],
  [{ environment: { PERIODIC_SENTINEL: 'x' } }, 'spec.environment.PERIODIC_SENTINEL', 'not an allowed key'],
  [{ environment: { '1ST': 'x' } }, 'spec.environment.1ST', 'not an allowed key'],
  [{ environment: { 'MY-VAR': 5 } }, 'spec.environment.MY-VAR', 'not an allowed key'],
  [{ source: { type: 'ftp', code: CODE } }, 'spec.source.type', 'must be one of "inline", "file", "git"'],
  [{ source: { type: 'inline', code: 5 } }, 'spec.source.code', 'must be string'],
  [{ source: { type: 'inline', code: CODE, entry: 'x' } }, 'spec.source.entry', 'unknown field'],
  [{ source: CODE }, 'spec.source', 'must be object'],
  [{ source: { type: 'inline', code: '' } }, 'spec.source.code', 'spec.source.code'],
  [{ source: { type: 'file' } }, 'spec.source.path', 'requires spec.source.path'],
  [{ source: { type: 'git' } }, 'spec.source.repository', 'requires spec.source.repository'],
  [{ source: { type: 'inline', code: CODE, requirements: 5 } }, 'spec.source.requirements', 'array'],
  [
    { source: { type: 'inline', code: CODE, requirements: 'ok\nnot valid!' } },
    'spec.source.requirements',
    'line 2',
  ],
  [{ requirements: { '-e git+x': '*' } }, 'spec.requirements.-e git+x', 'not an allowed key'],
  [{ handler: 5 }, 'spec.handler', 'must be string'],
  [{ layers: 'base' }, 'spec.layers', 'must be array'],
  [{ runtime: 'node' }, 'spec.runtime', 'must be "python"'],
  [{ colour: 'blue' }, 'spec.colour', 'unknown field'],
]

describe('python spec validation', () => {
  let s: TestServer

  beforeAll(async () => {
    s = await startTestServer()
    await s.createCircle(c)
    const r = await s.api('POST', `/api/${c}`, {
      element_type: 'python',
      slug: 'target',
      spec: { source: { type: 'inline', code: CODE }, memory_mb: 256, environment: { KEEP: 'me' } },
    })
    if (r.status !== 201) throw new Error(JSON.stringify(r.body))
  })
  afterAll(async () => s?.close())

  it('refuses every out-of-range or mistyped field on create, naming the field and its range', async () => {
    for (const [patch, field, message] of BAD_FIELDS) {
      const r = await s.api('POST', `/api/${c}`, {
        element_type: 'python',
        slug: 'fresh',
        spec: { source: { type: 'inline', code: CODE }, ...patch },
      })
      expectInvalid(r, field, message, JSON.stringify(patch))
    }
    // The range is in the details too, for clients that build their own message.
    const low = await s.api('POST', `/api/${c}`, {
      element_type: 'python',
      slug: 'fresh',
      spec: { source: { type: 'inline', code: CODE }, memory_mb: 32 },
    })
    expect(low.body.error.details).toEqual({
      field: 'spec.memory_mb',
      rule: 'minimum',
      minimum: 64,
      maximum: 4096,
    })
    // Ranges are inclusive.
    for (const [i, patch] of [
      { memory_mb: 64, timeout_ms: 100, concurrency: { reserved: 0, max: 1 } },
      { memory_mb: 4096, timeout_ms: 900_000, retry: { max_attempts: 10, backoff_multiplier: 10 } },
    ].entries()) {
      const r = await s.api('POST', `/api/${c}`, {
        element_type: 'python',
        slug: `edge-${i}`,
        spec: { source: { type: 'inline', code: CODE }, ...patch },
      })
      expect(r.status, JSON.stringify(patch)).toBe(201)
    }
    expect((await s.api('GET', `/api/${c}/fresh`)).status).toBe(404)
  })

  it('explains that code goes in spec.source.code when it is sent as spec.code', async () => {
    for (const body of [
      { element_type: 'python', slug: 'misplaced', spec: { code: CODE } },
      { element_type: 'python', slug: 'misplaced', spec: { code: CODE, source: { type: 'inline' } } },
    ]) {
      const r = await s.api('POST', `/api/${c}`, body)
      expectInvalid(r, 'spec.code', /spec\.source\.code.*not spec\.code/, 'create')
      expect(r.body.error.details.hint).toEqual({ source: { type: 'inline', code: expect.any(String) } })
    }
    const upd = await s.api('PATCH', `/api/${c}/target/ops/update`, { spec: { code: CODE } })
    expectInvalid(upd, 'spec.code', 'spec.source.code', 'update')
    expect((await s.api('GET', `/api/${c}/misplaced`)).status).toBe(404)
  })

  it('refuses the same fields on update (deep and wholesale) and writes nothing', async () => {
    const before = (await s.api('GET', `/api/${c}/target`)).body
    for (const [patch, field, message] of BAD_FIELDS) {
      const r = await s.api('PATCH', `/api/${c}/target/ops/update`, { spec: patch })
      expectInvalid(r, field, message, `deep ${JSON.stringify(patch)}`)
    }
    const whole = await s.api('PATCH', `/api/${c}/target/ops/update`, {
      spec: { source: { type: 'inline', code: CODE }, timeout_ms: 50 },
      deep: false,
    })
    expectInvalid(whole, 'spec.timeout_ms', 'between 100 and 900000', 'deep:false')
    const after = await s.api('GET', `/api/${c}/target`)
    expect(after.body.version).toBe(before.version)
    expect(after.body.spec).toEqual(before.spec)
    expect(after.body.spec).toMatchObject({ memory_mb: 256, environment: { KEEP: 'me' } })
    const history = await s.api('GET', `/api/${c}/target/ops/version?history=true`)
    expect(history.body.total).toBe(1)
  })

  describe('syntax errors', () => {
    const broken = 'def handler(input):\n    return {"a": (1,\n'

    it('creates the element with a PYTHON_SYNTAX_ERROR warning giving line and column; get repeats it', async () => {
      const r = await s.api('POST', `/api/${c}`, {
        element_type: 'python',
        slug: 'broken',
        spec: { source: { type: 'inline', code: broken } },
      })
      expect(r.status).toBe(201)
      expect(r.body.warnings).toEqual([
        {
          field: 'spec.source.code',
          message: expect.stringMatching(/^PYTHON_SYNTAX_ERROR: .*\(line 2, column \d+\)/),
        },
      ])
      expect((await s.api('GET', `/api/${c}/broken`)).body.warnings).toEqual(r.body.warnings)
    })

    it('fails the invoke with PYTHON_SYNTAX_ERROR with line and column, and the next invoke too', async () => {
      for (let i = 0; i < 2; i++) {
        const r = await s.api('POST', `/api/${c}/broken/ops/invoke?wait_for_completion=30`, {})
        expect(r.status).toBe(200)
        expect(r.body).toMatchObject({
          status: 'failed',
          error: {
            code: 'PYTHON_SYNTAX_ERROR',
            class: 'validation',
            retryable: false,
            line: 2,
            column: expect.any(Number),
            message: expect.stringMatching(/line 2, column \d+/),
          },
        })
      }
    })

    it('warns on an update that breaks the code, and clears the warning when it is fixed', async () => {
      const bad = await s.api('PATCH', `/api/${c}/target/ops/update`, {
        spec: { source: { code: 'def handler(input)\n    return 1\n' } },
      })
      expect(bad.status).toBe(200)
      expect(bad.body.warnings).toEqual([
        { field: 'spec.source.code', message: expect.stringContaining('(line 1, column') },
      ])
      const good = await s.api('PATCH', `/api/${c}/target/ops/update`, { spec: { source: { code: CODE } } })
      expect(good.body.warnings).toEqual([])
      const run = await s.api('POST', `/api/${c}/target/ops/invoke?wait_for_completion=30`, {})
      expect(run.body).toMatchObject({ status: 'succeeded', output: { ok: true } })
    })
  })

  it('refuses to invoke a disabled element with 409 ELEMENT_DISABLED, starting no run; enable re-allows', async () => {
    const r = await s.api('POST', `/api/${c}`, {
      element_type: 'python',
      slug: 'switch',
      spec: { source: { type: 'inline', code: CODE } },
    })
    expect(r.status).toBe(201)
    const off = await s.api('POST', `/api/${c}/switch/ops/disable`, { reason: 'audit' })
    expect(off.body).toMatchObject({ enabled: false, state: 'disabled' })
    for (const wait of ['', '?wait_for_completion=5']) {
      const denied = await s.api('POST', `/api/${c}/switch/ops/invoke${wait}`, { x: 1 })
      expect(denied.status).toBe(409)
      expect(denied.body.error).toMatchObject({ code: 'ELEMENT_DISABLED', details: { reason: 'audit' } })
    }
    // Reading runs and diagnostics is still allowed, and no run was created.
    const runs = await s.api('GET', `/api/${c}/switch/ops/runs`)
    expect(runs.status).toBe(200)
    expect(runs.body.runs).toEqual([])
    expect((await s.api('GET', `/api/${c}/switch/ops/diagnostics`)).status).toBe(200)
    await s.api('POST', `/api/${c}/switch/ops/enable`, {})
    const ok = await s.api('POST', `/api/${c}/switch/ops/invoke?wait_for_completion=30`, { x: 1 })
    expect(ok.body).toMatchObject({ status: 'succeeded', output: { ok: true } })
  })
})
