// Source fixtures over real HTTP with stock git: manifests pushed under .periodic/fixtures/ are
// kept by later API writes, dry-run by default, applied only with confirm through the element's
// own operations, refused whole when one record is invalid, and only data elements take them.
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../../../test/test-server.ts'

const execFileAsync = promisify(execFile)
const COOKIES = `operation: import
records:
  - cookies:
      - { name: sid, value: demo-session, domain: .example.com }
      - { name: lang, value: en, domain: .example.com }
`
const ONE = '{"operation": "set", "records": [{"name": "theme", "value": "dark", "domain": "example.com"}]}'

describe('Source fixtures', () => {
  let s: TestServer
  let key: string
  let dir: string
  const c = 'fix'
  const jar = `/api/${c}/jar/ops`
  const git = async (cwd: string, ...args: string[]) =>
    (
      await execFileAsync('git', ['-c', 'user.name=Ada', '-c', 'user.email=ada@example.com', ...args], {
        cwd,
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
      })
    ).stdout
  /** Clones `slug`, writes the files, commits and pushes to draft. */
  const push = async (slug: string, files: Record<string, string>) => {
    const repo = join(dir, `${slug}-${Math.random().toString(36).slice(2)}`)
    const url = `${s.url.replace('://', `://periodic:${key}@`)}/git/${c}/${slug}.git`
    await git(dir, 'clone', '-q', '--branch', 'draft', url, repo)
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(repo, path, '..'), { recursive: true })
      writeFileSync(join(repo, path), text)
    }
    await git(repo, 'add', '-A')
    await git(repo, 'commit', '-qm', 'fixtures')
    await git(repo, 'push', '-q', 'origin', 'draft')
  }
  const fixtures = (body: object, path = jar) => s.api('POST', `${path}/source/fixtures`, body, { key })
  const names = async () =>
    (await s.api('GET', `${jar}/list`, undefined, { key })).body.cookies
      .map((x: { name: string }) => x.name)
      .sort()

  beforeAll(async () => {
    s = await startTestServer()
    await s.createCircle(c)
    key = await s.createKey(c, ['read', 'write', 'execute'])
    expect(
      (await s.api('POST', `/api/${c}`, { element_type: 'cookie-jar', slug: 'jar' }, { key })).status,
    ).toBe(201)
    dir = mkdtempSync(join(tmpdir(), 'periodic-fixtures-'))
  })
  afterAll(async () => {
    await s?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('dry-runs by default and keeps the manifests through later API writes', async () => {
    await push('jar', { '.periodic/fixtures/cookies.yaml': COOKIES, '.periodic/fixtures/theme.json': ONE })
    const readme = await s.api('POST', `${jar}/readme_update`, { content: '# jar\n' }, { key })
    expect(readme.status, JSON.stringify(readme.body)).toBe(200)
    const dry = await fixtures({})
    expect(dry.status, JSON.stringify(dry.body)).toBe(200)
    expect(dry.body).toMatchObject({
      dry_run: true,
      valid: true,
      applied: 0,
      manifests: [
        { path: '.periodic/fixtures/cookies.yaml', operation: 'import', records: 1, valid: true },
        { path: '.periodic/fixtures/theme.json', operation: 'set', records: 1, valid: true },
      ],
    })
    expect(await names()).toEqual([])
  })

  it('applies only with confirm, through the jar’s own operations', async () => {
    const unconfirmed = await fixtures({ dry_run: false })
    expect(unconfirmed.status).toBe(400)
    expect(unconfirmed.body.error.code).toBe('SOURCE_CONFIRM_REQUIRED')
    expect(await names()).toEqual([])
    const applied = await fixtures({ dry_run: false, confirm: true })
    expect(applied.status, JSON.stringify(applied.body)).toBe(200)
    expect(applied.body).toMatchObject({ dry_run: false, applied: 2 })
    expect(await names()).toEqual(['lang', 'sid', 'theme'])
    const activity = await s.api('GET', `${jar}/activity`, undefined, { key })
    expect(JSON.stringify(activity.body)).toContain('source.fixtures_applied')
  })

  it('refuses the whole apply when one record or manifest is invalid', async () => {
    await s.api('POST', `${jar}/clear`, {}, { key })
    await push('jar', {
      '.periodic/fixtures/zz-bad.json': '{"operation": "set", "records": [{"name": "x"}]}',
      '.periodic/fixtures/zz-op.yaml': 'operation: clear\nrecords: [{}]\n',
    })
    const dry = await fixtures({})
    expect(dry.body.valid).toBe(false)
    const bad = dry.body.manifests.filter((m: { valid: boolean }) => !m.valid)
    expect(bad.map((m: { path: string }) => m.path)).toEqual([
      '.periodic/fixtures/zz-bad.json',
      '.periodic/fixtures/zz-op.yaml',
    ])
    expect(bad[1].problems[0]).toContain('operation must be one of set, import')
    const refused = await fixtures({ dry_run: false, confirm: true })
    expect(refused.status).toBe(400)
    expect(refused.body.error.code).toBe('SOURCE_FIXTURES_INVALID')
    expect(await names()).toEqual([])
  })

  it('sets a variable from a fixture, reads another ref, and refuses elements that are not data', async () => {
    expect(
      (await s.api('POST', `/api/${c}`, { element_type: 'variable', slug: 'v', spec: { value: 1 } }, { key }))
        .status,
    ).toBe(201)
    await push('v', {
      '.periodic/fixtures/value.json': '{"operation": "set", "records": [{"value": {"mode": "demo"}}]}',
    })
    const applied = await fixtures({ dry_run: false, confirm: true }, `/api/${c}/v/ops`)
    expect(applied.status, JSON.stringify(applied.body)).toBe(200)
    expect((await s.api('GET', `/api/${c}/v/ops/value`, undefined, { key })).body.value).toEqual({
      mode: 'demo',
    })
    const missing = await fixtures({ ref: 'nope' }, `/api/${c}/v/ops`)
    expect(missing.status).toBe(404)
    expect(missing.body.error.code).toBe('SOURCE_REF_NOT_FOUND')

    const fn = await s.api(
      'POST',
      `/api/${c}`,
      {
        element_type: 'python',
        slug: 'fn',
        spec: { source: { type: 'inline', code: 'def handler(i):\n    return 1\n' } },
      },
      { key },
    )
    expect(fn.status).toBe(201)
    const refused = await fixtures({}, `/api/${c}/fn/ops`)
    expect(refused.status).toBe(400)
    expect(refused.body.error.code).toBe('SOURCE_FIXTURES_UNSUPPORTED')
  })
})
