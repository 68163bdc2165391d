// scaffold and lifecycle over real HTTP: a starter main.py from a template (inline sources
// only, existing code kept unless overwrite), and the moves between the python type's states.
import { execFileSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../../../test/test-server.ts'
import { renderTemplate, TEMPLATES } from './python-templates.ts'

const c = 'states'
/** Parses stdin as Python and prints the names of its top-level functions. */
const CHECK =
  'import ast, sys\nprint(*[n.name for n in ast.parse(sys.stdin.read()).body if isinstance(n, ast.FunctionDef)])'

describe('python scaffold and lifecycle', () => {
  let s: TestServer

  async function create(slug: string, spec: object, intention?: string) {
    const r = await s.api('POST', `/api/${c}`, { element_type: 'python', slug, spec, intention })
    if (r.status !== 201) throw new Error(`create ${slug}: ${r.status} ${JSON.stringify(r.body)}`)
    return r.body
  }
  const lifecycle = (slug: string, body: unknown) => s.api('POST', `/api/${c}/${slug}/ops/lifecycle`, body)

  beforeAll(async () => {
    s = await startTestServer()
    await s.createCircle(c)
  })
  afterAll(async () => s?.close())

  describe('scaffold', () => {
    it('writes a runnable main.py into a draft, as a new version that makes it ready', async () => {
      const draft = await create('fresh', { source: { type: 'inline', code: '\n' } })
      expect(draft.state).toBe('draft')
      const r = await s.api('POST', `/api/${c}/fresh/ops/scaffold`, {})
      expect(r.status).toBe(200)
      expect(r.body).toMatchObject({
        template: 'basic',
        handler: 'handler',
        state: 'ready',
        version: draft.version + 1,
      })
      expect(r.body.code).toContain('def handler(event, context):')
      expect(r.body.spec.source.code).toBe(r.body.code)
      const m = await s.api('POST', `/api/${c}/fresh/ops/measure`, { name: 'Ada' })
      expect(m.body).toEqual({ message: 'Hello, Ada!' })
    })

    it('keeps existing code unless overwrite is true, then uses the chosen template', async () => {
      await create('kept', { source: { type: 'inline', code: 'def handler(e):\n    return "mine"\n' } })
      const refused = await s.api('POST', `/api/${c}/kept/ops/scaffold`, { template: 'stream' })
      expect(refused.status).toBe(409)
      expect(refused.body.error.code).toBe('PYTHON_CODE_EXISTS')
      expect((await s.api('GET', `/api/${c}/kept`)).body.spec.source.code).toContain('mine')
      const r = await s.api('POST', `/api/${c}/kept/ops/scaffold`, { template: 'stream', overwrite: true })
      expect(r.status).toBe(200)
      expect(r.body.code).toContain('yield')
      const run = await s.api('POST', `/api/${c}/kept/ops/invoke?wait_for_completion=30`, { count: 2 })
      expect(run.body).toMatchObject({ status: 'succeeded', output: [{ step: 1 }, { step: 2 }] })
    })

    it('picks the template from the intention, names the spec’s handler and heads the file with the purpose', async () => {
      await create(
        'fetcher',
        { handler: 'fetch_page', source: { type: 'inline', code: ' ' } },
        'Fetch a URL and return its body',
      )
      const r = await s.api('POST', `/api/${c}/fetcher/ops/scaffold`, {})
      expect(r.body).toMatchObject({ template: 'http', handler: 'fetch_page' })
      expect(r.body.code).toMatch(/^# Fetch a URL and return its body\n/)
      expect(r.body.code).toContain('def fetch_page(event, context):')
    })

    it('has templates that are all valid Python defining the handler, whatever the intention holds', () => {
      for (const t of TEMPLATES) {
        const code = renderTemplate(t, 'entry', 'Line one\n"""quotes""" and \\ backslash\u0007')
        const out = execFileSync('python3', ['-c', CHECK], { input: code, encoding: 'utf8' })
        expect(out.trim(), t).toBe('entry')
      }
    })

    it('refuses a file source with PYTHON_SOURCE_NOT_INLINE, and bad input with VALIDATION_FAILED', async () => {
      await create('from-file', { source: { type: 'file', path: 'main.py' } })
      const r = await s.api('POST', `/api/${c}/from-file/ops/scaffold`, {})
      expect(r.status).toBe(409)
      expect(r.body.error).toMatchObject({
        code: 'PYTHON_SOURCE_NOT_INLINE',
        details: { source_type: 'file' },
      })
      for (const body of [
        { template: 'nope' },
        { overwrite: 'yes' },
        { colour: 1 },
        { expected_version: 0 },
      ]) {
        const bad = await s.api('POST', `/api/${c}/fresh/ops/scaffold`, body)
        expect(bad.status, JSON.stringify(body)).toBe(400)
        expect(bad.body.error.code).toBe('VALIDATION_FAILED')
      }
      const malformed = await s.api('POST', `/api/${c}/fresh/ops/scaffold`, undefined, { raw: '{"template"' })
      expect(malformed.body.error.code).toBe('INVALID_JSON')
    })

    it('answers VERSION_CONFLICT for a stale expected_version, and needs the write scope', async () => {
      const el = await create('racy', { source: { type: 'inline', code: '\n' } })
      const stale = await s.api('POST', `/api/${c}/racy/ops/scaffold`, { expected_version: el.version + 5 })
      expect(stale.status).toBe(409)
      expect(stale.body.error.code).toBe('VERSION_CONFLICT')
      const runner = await s.createKey(c, ['read', 'execute'])
      const denied = await s.api('POST', `/api/${c}/racy/ops/scaffold`, {}, { key: runner })
      expect(denied.status).toBe(403)
      expect(denied.body.error.code).toBe('FORBIDDEN')
    })
  })

  describe('lifecycle', () => {
    it('brings an element in error back to draft, as the state guidance says, and records the change', async () => {
      await create('flaky', {
        source: { type: 'inline', code: 'def handler(e):\n    raise RuntimeError("x")\n' },
      })
      for (let i = 0; i < 5; i++)
        expect((await s.api('POST', `/api/${c}/flaky/ops/measure`, {})).status).toBe(500)
      expect((await s.api('GET', `/api/${c}/flaky`)).body.state).toBe('error')
      const r = await lifecycle('flaky', { target_state: 'draft', reason: 'fixing the handler' })
      expect(r.status).toBe(200)
      expect(r.body).toMatchObject({
        state: 'draft',
        state_reason: 'fixing the handler',
        from: 'error',
        changed: true,
      })
      const act = await s.api('GET', `/api/${c}/flaky/ops/activity`)
      expect(act.body.events[0]).toMatchObject({
        action: 'element.state_changed',
        details: { state: 'draft', from: 'error' },
      })
      // The count of failures starts afresh: one more failure does not send it back to error.
      expect((await s.api('POST', `/api/${c}/flaky/ops/measure`, {})).status).toBe(500)
      expect((await s.api('GET', `/api/${c}/flaky`)).body.state).toBe('draft')
      // With code present, lifecycle moves draft → ready.
      const back = await lifecycle('flaky', { target_state: 'ready' })
      expect(back.body).toMatchObject({ state: 'ready', from: 'draft', changed: true })
    })

    it('is a no-op for the current state and refuses moves it does not own with PYTHON_INVALID_TRANSITION', async () => {
      await create('steady', { source: { type: 'inline', code: 'def handler(e):\n    return 1\n' } })
      const same = await lifecycle('steady', { target_state: 'ready' })
      expect(same.body).toMatchObject({ state: 'ready', changed: false })
      for (const target of ['deployed', 'error', 'disabled', 'deleted']) {
        const r = await lifecycle('steady', { target_state: target })
        expect(r.status, target).toBe(409)
        expect(r.body.error).toMatchObject({
          code: 'PYTHON_INVALID_TRANSITION',
          details: { from: 'ready', to: target, allowed: ['draft'] },
        })
      }
      expect((await s.api('GET', `/api/${c}/steady`)).body.state).toBe('ready')
    })

    it('will not call a draft without code ready', async () => {
      await create('empty', { source: { type: 'inline', code: '\n' } })
      const r = await lifecycle('empty', { target_state: 'ready' })
      expect(r.status).toBe(409)
      expect(r.body.error.code).toBe('PYTHON_INVALID_TRANSITION')
      expect(r.body.error.message).toContain('no code')
    })

    it('refuses unknown states and fields with VALIDATION_FAILED, and a disabled element', async () => {
      for (const body of [
        {},
        { target_state: 'live' },
        { target_state: 3 },
        { target_state: 'draft', x: 1 },
      ]) {
        const r = await lifecycle('steady', body)
        expect(r.status, JSON.stringify(body)).toBe(400)
        expect(r.body.error.code).toBe('VALIDATION_FAILED')
      }
      await create('asleep', { source: { type: 'inline', code: 'def handler(e):\n    return 1\n' } })
      await s.api('POST', `/api/${c}/asleep/ops/disable`, {})
      const r = await lifecycle('asleep', { target_state: 'draft' })
      expect(r.status).toBe(409)
      expect(r.body.error.code).toBe('ELEMENT_DISABLED')
    })
  })
})
