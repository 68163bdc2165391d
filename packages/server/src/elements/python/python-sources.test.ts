// Where a python element's code comes from, over real HTTP: a file in the circle's workspace,
// a git repository at a ref, and the `test` operation running pytest over the tests stored
// beside each kind of source, in the same sandbox and dependency layer as invocations.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeWheel } from '../../../bench/make-wheel.ts'
import { startTestServer, type TestServer } from '../../../test/test-server.ts'

const C = 'src'
const DEADLINE_MS = 60_000

const handlerReturning = (v: string) => `def handler(input):\n    return {"v": "${v}"}\n`

describe('python sources and tests', () => {
  let s: TestServer
  let tmp: string
  let repo: string
  let workspace: string
  let n = 0

  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], {
      cwd: repo,
      encoding: 'utf8',
    }).trim()
  const commit = (files: Record<string, string>, message: string) => {
    for (const [name, content] of Object.entries(files)) {
      mkdirSync(dirname(join(repo, name)), { recursive: true })
      writeFileSync(join(repo, name), content)
    }
    git('add', '-A')
    git('commit', '-q', '-m', message)
    return git('rev-parse', 'HEAD')
  }
  const inWorkspace = (path: string, content: string) => {
    mkdirSync(dirname(join(workspace, path)), { recursive: true })
    writeFileSync(join(workspace, path), content)
  }

  let v1: string
  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'periodic-sources-'))
    mkdirSync(join(tmp, 'wheels'))
    makeWheel(join(tmp, 'wheels'), 'pkgt', '1.0', 'def double(x):\n    return 2 * x\n')
    repo = join(tmp, 'repo')
    mkdirSync(repo)
    git('init', '-q', '-b', 'main')
    v1 = commit(
      {
        'main.py': handlerReturning('v1'),
        'test_main.py': 'from main import handler\n\ndef test_v1():\n    assert handler({}) == {"v": "v1"}\n',
        'pkg/helper.py': 'WORD = "from-helper"\n',
        'pkg/app.py': 'from helper import WORD\n\ndef handler(input):\n    return {"v": WORD}\n',
      },
      'v1',
    )
    git('tag', 'v1')
    git('checkout', '-q', '-b', 'next')
    commit({ 'main.py': handlerReturning('v2') }, 'v2')
    git('checkout', '-q', 'main')
    commit({ 'main.py': handlerReturning('v3') }, 'v3')
    s = await startTestServer({
      env: { PERIODIC_PIP_FIND_LINKS: join(tmp, 'wheels'), PERIODIC_GIT_ALLOW_LOCAL: '1' },
    })
    await s.createCircle(C)
    workspace = join(s.dataDir, 'workspaces', C)
  })
  afterAll(async () => {
    await s?.close()
    if (tmp) rmSync(tmp, { recursive: true, force: true })
  })

  async function create(source: Record<string, unknown>, spec: Record<string, unknown> = {}) {
    const slug = `fn-${++n}`
    const r = await s.api('POST', `/api/${C}`, { element_type: 'python', slug, spec: { ...spec, source } })
    expect(r.status, JSON.stringify(r.body)).toBe(201)
    return slug
  }

  async function invoke(slug: string, payload: unknown = {}) {
    const r = await s.api('POST', `/api/${C}/${slug}/ops/invoke?wait_for_completion=60`, payload)
    expect(r.status, JSON.stringify(r.body)).not.toBe(500)
    expect(r.body.status, JSON.stringify(r.body)).not.toMatch(/queued|running/)
    return r.body
  }

  /** Starts the test operation and polls test_status until it ends (or the deadline). */
  async function runTests(slug: string, body: Record<string, unknown> = {}) {
    const started = await s.api('POST', `/api/${C}/${slug}/ops/test`, body)
    expect([200, 202], JSON.stringify(started.body)).toContain(started.status)
    const id = started.body.test_run_id as string
    const deadline = Date.now() + DEADLINE_MS
    for (;;) {
      const r = await s.api('GET', `/api/${C}/${slug}/ops/test/${id}`)
      expect(r.status, JSON.stringify(r.body)).toBe(200)
      if (!['queued', 'running'].includes(r.body.status)) return r.body
      if (Date.now() > deadline) throw new Error(`test run ${id} still ${r.body.status} at the deadline`)
      await new Promise((res) => setTimeout(res, 100))
    }
  }

  describe('file source', () => {
    it('runs a file from the circle workspace and follows edits to it', async () => {
      inWorkspace('tools/greet.py', handlerReturning('file-1'))
      const slug = await create({ type: 'file', path: 'tools/greet.py' })
      expect(await invoke(slug)).toMatchObject({ status: 'succeeded', output: { v: 'file-1' } })
      inWorkspace('tools/greet.py', handlerReturning('file-2'))
      expect(await invoke(slug)).toMatchObject({ status: 'succeeded', output: { v: 'file-2' } })
    })

    it('fails the run with PYTHON_SOURCE_UNAVAILABLE when the file is missing', async () => {
      const slug = await create({ type: 'file', path: 'tools/nowhere.py' })
      const run = await invoke(slug)
      expect(run.status).toBe('failed')
      expect(run.error).toMatchObject({ code: 'PYTHON_SOURCE_UNAVAILABLE', class: 'validation' })
      expect(run.error.message).toContain('tools/nowhere.py')
    })

    it('refuses paths that climb out of the workspace when the element is written', async () => {
      expect(existsSync(join(s.dataDir, 'admin.key'))).toBe(true)
      for (const path of ['../../admin.key', 'tools/../../../admin.key', '/etc/passwd', '..']) {
        const r = await s.api('POST', `/api/${C}`, {
          element_type: 'python',
          slug: `bad-${++n}`,
          spec: { source: { type: 'file', path } },
        })
        expect(r.status, path).toBe(400)
        expect(r.body.error).toMatchObject({
          code: 'VALIDATION_FAILED',
          details: { field: 'spec.source.path' },
        })
      }
      inWorkspace('ok.py', handlerReturning('ok'))
      const slug = await create({ type: 'file', path: 'ok.py' })
      const r = await s.api('PATCH', `/api/${C}/${slug}/ops/update`, {
        spec: { source: { path: '../../admin.key' } },
      })
      expect(r.status).toBe(400)
      expect((await s.api('GET', `/api/${C}/${slug}`)).body.spec.source.path).toBe('ok.py')
    })

    it('does not follow a workspace symlink to a file outside the workspace', async () => {
      const key = readFileSync(join(s.dataDir, 'admin.key'), 'utf8').trim()
      mkdirSync(workspace, { recursive: true })
      symlinkSync(join(s.dataDir, 'admin.key'), join(workspace, 'leak.py'))
      const slug = await create({ type: 'file', path: 'leak.py' })
      const run = await invoke(slug)
      expect(run.status).toBe('failed')
      expect(run.error.code).toBe('PYTHON_SOURCE_UNAVAILABLE')
      expect(JSON.stringify(run)).not.toContain(key)
    })
  })

  describe('git source', () => {
    it('clones the default branch, a tag, a branch and a commit', async () => {
      const cases: Array<[string | undefined, string]> = [
        [undefined, 'v3'],
        ['v1', 'v1'],
        ['next', 'v2'],
        [v1, 'v1'],
      ]
      const slugs = await Promise.all(
        cases.map(([ref]) => create({ type: 'git', repository: repo, ...(ref ? { ref } : {}) })),
      )
      const runs = await Promise.all(slugs.map((slug) => invoke(slug)))
      expect(runs.map((r) => r.output)).toEqual(cases.map(([, v]) => ({ v })))
    })

    it('runs source.path inside the repository with its sibling modules importable', async () => {
      const slug = await create({ type: 'git', repository: repo, ref: 'v1', path: 'pkg/app.py' })
      expect(await invoke(slug)).toMatchObject({ status: 'succeeded', output: { v: 'from-helper' } })
    })

    it('resolves a branch once per element version, and again after an update', async () => {
      git('checkout', '-q', '-b', 'moving', v1)
      const slug = await create({ type: 'git', repository: repo, ref: 'moving' })
      expect((await invoke(slug)).output).toEqual({ v: 'v1' })
      commit({ 'main.py': handlerReturning('moved') }, 'moved')
      git('checkout', '-q', 'main')
      expect((await invoke(slug)).output).toEqual({ v: 'v1' })
      // An update (even an empty one) is a new version, which fetches the ref again.
      expect((await s.api('PATCH', `/api/${C}/${slug}/ops/update`, { spec: {} })).status).toBe(200)
      expect((await invoke(slug)).output).toEqual({ v: 'moved' })
    })

    it('fails with PYTHON_SOURCE_UNAVAILABLE for a missing ref, repository, entry or an option-like ref', async () => {
      const cases: Array<[Record<string, string>, RegExp]> = [
        [{ repository: repo, ref: 'no-such-tag' }, /git source failed: .*no-such-tag/],
        [{ repository: join(tmp, 'absent') }, /git source failed: the repository could not be cloned/],
        [{ repository: repo, ref: 'v1', path: 'pkg/missing.py' }, /no pkg\/missing\.py at [0-9a-f]{12}/],
        [{ repository: repo, ref: '--detach' }, /not a branch, tag or commit/],
        [{ repository: '--upload-pack=touch /tmp/x' }, /not a repository URL or path/],
      ]
      for (const [source, message] of cases) {
        const slug = await create({ type: 'git', ...source })
        const run = await invoke(slug)
        expect(run.status, JSON.stringify(source)).toBe('failed')
        expect(run.error).toMatchObject({ code: 'PYTHON_SOURCE_UNAVAILABLE', class: 'validation' })
        expect(run.error.message).toMatch(message)
      }
    })

    it('refuses local repositories unless PERIODIC_GIT_ALLOW_LOCAL is set', async () => {
      const strict = await startTestServer()
      try {
        await strict.createCircle(C)
        for (const repository of [repo, `file://${repo}`]) {
          const slug = `local-${++n}`
          const spec = { source: { type: 'git', repository, ref: 'v1' } }
          expect((await strict.api('POST', `/api/${C}`, { element_type: 'python', slug, spec })).status).toBe(
            201,
          )
          const r = await strict.api('POST', `/api/${C}/${slug}/ops/invoke?wait_for_completion=60`, {})
          expect(r.body).toMatchObject({ status: 'failed', error: { code: 'PYTHON_SOURCE_UNAVAILABLE' } })
          expect(r.body.error.message).toMatch(/local repositories are off/)
        }
      } finally {
        await strict.close()
      }
    })
  })

  describe('test operation', () => {
    const tests = [
      'from main import handler',
      '',
      'def test_greets():',
      '    assert handler({"name": "Ada"}) == "hi Ada"',
      '',
      'def test_shouts():',
      '    assert handler({"name": "Ada"}) == "HI ADA"',
    ].join('\n')
    const code = 'def handler(input):\n    return "hi " + input["name"]\n'

    it('reports a passing and a failing test with counts and pytest output', async () => {
      const slug = await create({ type: 'inline', code, tests })
      const r = await runTests(slug)
      expect(r).toMatchObject({
        status: 'failed',
        operation: 'test',
        output: { passed: 1, failed: 1, errors: 0, total: 2, exit_code: 1 },
        error: { code: 'PYTHON_TEST_FAILED' },
      })
      expect(r.output_text).toContain('FAILED test_main.py::test_shouts')
      expect(r.output_text).toContain("AssertionError: assert 'hi Ada' == 'HI ADA'")
    })

    it('runs only the tests matching test_filter, and picks up edited tests', async () => {
      const slug = await create({ type: 'inline', code, tests })
      const r = await runTests(slug, { test_filter: 'greets' })
      expect(r).toMatchObject({
        status: 'succeeded',
        output: { passed: 1, failed: 0, total: 1 },
        error: null,
      })
      const before = (await s.api('GET', `/api/${C}/${slug}/ops/source/status`)).body.draft_commit
      const fixed = tests.replace('"HI ADA"', '"hi Ada"')
      const u = await s.api('PATCH', `/api/${C}/${slug}/ops/update`, { spec: { source: { tests: fixed } } })
      expect(u.status).toBe(200)
      expect(await runTests(slug)).toMatchObject({ status: 'succeeded', output: { passed: 2, failed: 0 } })
      // The earlier commit's tests, by Source ref; the run records the commit it tested.
      expect(await runTests(slug, { ref: before })).toMatchObject({
        status: 'failed',
        output: { passed: 1, failed: 1 },
        source_commit: before,
        source_ref: before,
      })
      const missing = await s.api('POST', `/api/${C}/${slug}/ops/test`, { ref: 'no-such-branch' })
      expect(missing.status).toBe(404)
      expect(missing.body.error.code).toBe('SOURCE_REF_NOT_FOUND')
    })

    it('runs the tests with the element’s dependency layer importable', async () => {
      const slug = await create(
        {
          type: 'inline',
          code: 'import pkgt\n\ndef handler(input):\n    return pkgt.double(input["x"])\n',
          tests: 'from main import handler\n\ndef test_double():\n    assert handler({"x": 21}) == 42\n',
        },
        { requirements: { pkgt: '1.0' } },
      )
      expect(await runTests(slug)).toMatchObject({ status: 'succeeded', output: { passed: 1, failed: 0 } })
    })

    it('collects test_*.py beside a file source, which imports the file by its own name', async () => {
      inWorkspace('calc/adder.py', 'def handler(input):\n    return input["a"] + input["b"]\n')
      inWorkspace(
        'calc/test_adder.py',
        'from adder import handler\n\ndef test_add():\n    assert handler({"a": 1, "b": 2}) == 3\n',
      )
      inWorkspace(
        'calc/test_wrong.py',
        'from adder import handler\n\ndef test_add_wrong():\n    assert handler({"a": 1, "b": 2}) == 4\n',
      )
      const slug = await create({ type: 'file', path: 'calc/adder.py' })
      const r = await runTests(slug)
      expect(r).toMatchObject({ status: 'failed', output: { passed: 1, failed: 1 } })
      expect(r.output_text).toContain('test_wrong.py::test_add_wrong')
      expect(await invoke(slug, { a: 1, b: 2 })).toMatchObject({ status: 'succeeded', output: 3 })
    })

    it('runs the tests committed in a git source at its ref', async () => {
      const atV1 = await create({ type: 'git', repository: repo, ref: 'v1' })
      expect(await runTests(atV1)).toMatchObject({ status: 'succeeded', output: { passed: 1, failed: 0 } })
      // main.py moved on to v3 but test_main.py still expects v1.
      const atMain = await create({ type: 'git', repository: repo, ref: 'main' })
      expect(await runTests(atMain)).toMatchObject({ status: 'failed', output: { passed: 0, failed: 1 } })
    })

    it('fails a test run whose source cannot be fetched, and 404s an unknown test run', async () => {
      const slug = await create({ type: 'git', repository: repo, ref: 'no-such-branch' })
      const r = await runTests(slug)
      expect(r).toMatchObject({ status: 'failed', error: { code: 'PYTHON_SOURCE_UNAVAILABLE' } })
      const missing = await s.api('GET', `/api/${C}/${slug}/ops/test/00000000-0000-4000-8000-000000000000`)
      expect(missing.status).toBe(404)
      expect(missing.body.error.code).toBe('RUN_NOT_FOUND')
    })
  })
})
