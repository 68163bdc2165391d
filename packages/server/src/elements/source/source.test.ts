// Source over real HTTP, with stock git reading the repositories: every definition write is a
// commit on draft (author = the key), files read back at any ref, branches and fast-forward
// promotion with release tags, path safety, and a clone by stock git.
import { execFile, execFileSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, utimesSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../../../test/test-server.ts'

const execFileAsync = promisify(execFile)
const CODE = 'def handler(input):\n    return {"hello": input.get("name")}\n'

describe('element Source', () => {
  let s: TestServer
  let key: string
  const c = 'src'
  const base = `/api/${c}/hello/ops`
  const gitdir = () => join(s.platform.elements.source.store.root, `${id}.git`)
  let id = ''
  const git = (...args: string[]) =>
    execFileSync('git', ['--git-dir', gitdir(), ...args], { encoding: 'utf8' })

  beforeAll(async () => {
    s = await startTestServer()
    await s.createCircle(c)
    key = await s.createKey(c, ['read', 'write', 'execute'])
    const r = await s.api(
      'POST',
      `/api/${c}`,
      { element_type: 'python', slug: 'hello', spec: { source: { type: 'inline', code: CODE } } },
      { key },
    )
    expect(r.status).toBe(201)
    id = r.body.id
  })
  afterAll(async () => s?.close())

  it('keeps the definition as files: main.py, the spec without the code, README, identity', async () => {
    const main = await s.api('GET', `${base}/source?path=main.py`)
    expect(main.status).toBe(200)
    expect(main.body).toMatchObject({
      path: 'main.py',
      ref: 'draft',
      exists: true,
      encoding: 'utf8',
      content: CODE,
    })
    const spec = await s.api('GET', `${base}/source?path=.periodic/spec.yaml`)
    expect(spec.body.content).toContain('type: inline')
    expect(spec.body.content).not.toContain('def handler')
    const identity = await s.api('GET', `${base}/source?path=.periodic/element.yaml`)
    expect(identity.body.content).toContain('element_type: python')
    const missing = await s.api('GET', `${base}/source?path=nope/missing.txt`)
    expect(missing.body).toMatchObject({ exists: false, content: '', size: 0 })
  })

  it('commits every definition write on draft, authored by the key that wrote', async () => {
    const code2 = CODE.replace('hello', 'hi')
    expect(
      (await s.api('PATCH', `/api/${c}/hello`, { spec: { source: { code: code2 } } }, { key })).status,
    ).toBe(200)
    expect((await s.api('POST', `${base}/readme_update`, { content: '# Hello\n' }, { key })).status).toBe(200)
    const log = git('log', '--format=%an|%s', 'draft').trim().split('\n')
    expect(log).toHaveLength(3)
    expect(log[0]).toMatch(/^key .+\|README updated$/)
    expect(log[2]).toMatch(/\|Created$/)
    expect(git('show', 'draft:main.py')).toBe(code2)
    expect(git('show', 'draft:README.md')).toBe('# Hello\n')
    expect(git('show', 'draft~2:main.py')).toBe(CODE)
    expect(git('fsck', '--strict')).toBe('')
    // The element and its draft agree.
    const status = await s.api('GET', `${base}/source/status`)
    expect(status.body).toMatchObject({ health: 'ok', warnings: [], runs_from: 'draft' })
    expect(status.body.clone_url).toMatch(new RegExp(`/git/${c}/hello\\.git$`))
    expect(status.body.draft_commit).toBe(git('rev-parse', 'draft').trim())
  })

  it('reads any ref: a branch, a commit id, and 404 for one that does not exist', async () => {
    const first = git('rev-list', '--max-parents=0', 'draft').trim()
    const old = await s.api('GET', `${base}/source?path=main.py&ref=${first}`)
    expect(old.body).toMatchObject({ commit: first, content: CODE })
    const none = await s.api('GET', `${base}/source?path=main.py&ref=nope`)
    expect(none.status).toBe(404)
    expect(none.body.error.code).toBe('SOURCE_REF_NOT_FOUND')
  })

  it('refuses paths outside the tree', async () => {
    for (const path of ['../x', 'a/../../x', '/etc/passwd', 'a//b']) {
      const r = await s.api('GET', `${base}/source?path=${encodeURIComponent(path)}`)
      expect(r.status, path).toBe(400)
      expect(r.body.error.code, path).toBe('SOURCE_PATH_INVALID')
    }
    // A NUL never reaches the operation: the query string is refused first.
    const nul = await s.api('GET', `${base}/source?path=a%00b`)
    expect(nul.status).toBe(400)
  })

  it('promotes draft → demo → live by fast-forward, tags releases, and refuses the rest', async () => {
    let r = await s.api('GET', `${base}/source/branches`)
    expect(r.body.branches).toMatchObject([
      { name: 'draft', promotes_to: 'demo', ahead_of_next: 3 },
      { name: 'demo', commit: null, promotes_to: 'live' },
      { name: 'live', commit: null },
    ])
    r = await s.api('POST', `${base}/source/promote`, { from: 'draft', to: 'live' }, { key })
    expect(r.status).toBe(400)
    expect(r.body.error.code).toBe('SOURCE_PROMOTION_INVALID')
    r = await s.api('POST', `${base}/source/promote`, { to: 'live' }, { key })
    expect(r.status).toBe(404)
    expect(r.body.error.code).toBe('SOURCE_REF_NOT_FOUND')
    r = await s.api('POST', `${base}/source/promote`, { to: 'demo' }, { key })
    expect(r.body).toMatchObject({ from: 'draft', to: 'demo', commits: 3, tag: null })
    r = await s.api('POST', `${base}/source/promote`, { to: 'live' }, { key })
    expect(r.body).toMatchObject({ from: 'demo', to: 'live', commits: 3, tag: 'v1' })
    expect(git('rev-parse', 'live').trim()).toBe(git('rev-parse', 'draft').trim())
    // Nothing new: no second release.
    r = await s.api('POST', `${base}/source/promote`, { to: 'live' }, { key })
    expect(r.body).toMatchObject({ commits: 0, tag: null })
    await s.api('PATCH', `/api/${c}/hello`, { spec: { timeout_ms: 20_000 } }, { key })
    await s.api('POST', `${base}/source/promote`, { to: 'demo' }, { key })
    r = await s.api('POST', `${base}/source/promote`, { to: 'live' }, { key })
    expect(r.body.tag).toBe('v2')
    r = await s.api('GET', `${base}/source/versions`)
    expect(r.body.versions.map((v: { version: string }) => v.version)).toEqual(['v2', 'v1'])
    expect((await s.api('GET', `${base}/source/status`)).body.runs_from).toBe('live')

    // live gains a commit demo lacks (as a bad actor on the disk could): no fast-forward.
    const store = s.platform.elements.source.store
    const live = git('rev-parse', 'live').trim()
    await store.commit(
      id,
      'live',
      { 'x.txt': 'x' },
      { parent: live, author: { name: 'x', email: 'x@x' }, message: 'x' },
    )
    await s.api('PATCH', `/api/${c}/hello`, { spec: { timeout_ms: 25_000 } }, { key })
    await s.api('POST', `${base}/source/promote`, { to: 'demo' }, { key })
    r = await s.api('POST', `${base}/source/promote`, { to: 'live' }, { key })
    expect(r.status).toBe(409)
    expect(r.body.error).toMatchObject({
      code: 'SOURCE_NOT_FAST_FORWARD',
      details: { from: 'demo', to: 'live' },
    })
  })

  it('needs the write scope to promote', async () => {
    const reader = await s.createKey(c, ['read'])
    const r = await s.api('POST', `${base}/source/promote`, { to: 'demo' }, { key: reader })
    expect(r.status).toBe(403)
  })

  it('clones over smart HTTP with an API key as the password, within the key’s circle only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'periodic-http-clone-'))
    const url = (k: string) => `${s.url.replace('://', `://periodic:${k}@`)}/git/${c}/hello.git`
    // Asynchronous: the server answering git runs in this process.
    const run = async (args: string[]) =>
      (await execFileAsync('git', args, { cwd: dir, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } }))
        .stdout
    try {
      await run(['clone', '-q', '--branch', 'draft', url(key), 'hello'])
      expect(readFileSync(join(dir, 'hello', 'main.py'), 'utf8')).toContain('def handler')
      expect((await run(['-C', 'hello', 'log', '--format=%s', '-1'])).trim()).toBe(
        git('log', '--format=%s', '-1', 'draft').trim(),
      )
      // Without a key git is asked for one; a key of another circle does not see the element.
      await expect(run(['clone', '-q', `${s.url}/git/${c}/hello.git`, 'anon'])).rejects.toThrow(
        /Authentication failed|could not read Username/,
      )
      await s.createCircle('other')
      const stranger = await s.createKey('other', ['read'])
      await expect(run(['clone', '-q', url(stranger), 'stranger'])).rejects.toThrow(/not found|404/)
      const r = await fetch(`${s.url}/git/${c}/hello.git/info/refs?service=git-upload-pack`, {
        headers: { authorization: `Bearer ${key}` },
      })
      expect(r.status).toBe(200)
      expect(r.headers.get('content-type')).toBe('application/x-git-upload-pack-advertisement')
      expect(await r.text()).toContain('refs/heads/draft')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('is plain git: stock git clones it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'periodic-clone-'))
    try {
      execFileSync('git', ['clone', '-q', '--branch', 'draft', gitdir(), join(dir, 'hello')])
      expect(readFileSync(join(dir, 'hello', 'README.md'), 'utf8')).toBe('# Hello\n')
      expect(readFileSync(join(dir, 'hello', '.periodic', 'spec.yaml'), 'utf8')).toContain(
        'timeout_ms: 25000',
      )
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('validates a branch, and repairs a draft that no longer holds what the element holds', async () => {
    expect((await s.api('POST', `${base}/source/validate`, {})).body).toMatchObject({
      branch: 'draft',
      valid: true,
    })
    // A hand-edited repository (or a crash between a commit and its row): draft drifts.
    const store = s.platform.elements.source.store
    const draft = git('rev-parse', 'draft').trim()
    const files = Object.fromEntries(
      Object.entries(await store.files(id, draft)).map(([p, b]) => [p, Buffer.from(b).toString('utf8')]),
    )
    await store.commit(
      id,
      'draft',
      {
        ...files,
        'main.py': 'def handler(i):\n    return 0\n',
        'key.pem': '-----BEGIN RSA PRIVATE KEY-----\n',
      },
      { parent: draft, author: { name: 'x', email: 'x@x' }, message: 'hand edit' },
    )
    const invalid = await s.api('POST', `${base}/source/validate`, { branch: 'draft' })
    expect(invalid.body).toMatchObject({ valid: false, problems: [{ path: 'key.pem', rule: 'secret' }] })
    const status = await s.api('GET', `${base}/source/status`)
    expect(status.body).toMatchObject({ health: 'diverged' })
    const dry = await s.api('POST', `${base}/source/repair`, {}, { key })
    expect(dry.body).toMatchObject({ dry_run: true, healthy: false, differs: ['main.py'] })
    expect(git('rev-parse', 'draft').trim()).not.toBe(draft)
    const fixed = await s.api('POST', `${base}/source/repair`, { dry_run: false }, { key })
    expect(fixed.body).toMatchObject({ dry_run: false, repaired: true, differs: ['main.py'] })
    expect((await s.api('GET', `${base}/source/status`)).body.health).toBe('ok')
    expect(git('show', 'draft:main.py')).toBe((await s.api('GET', `/api/${c}/hello`)).body.spec.source.code)
  })
  it('sweeps, on a circle, repositories a crash left without an element (older than ten minutes)', async () => {
    const store = s.platform.elements.source.store
    const circleId = (await s.api('GET', `/api/${c}`)).body.id
    const orphan = randomUUID()
    const fresh = randomUUID()
    for (const oid of [orphan, fresh])
      await store.commit(
        oid,
        'draft',
        { 'README.md': 'x' },
        { parent: null, author: { name: 'x', email: 'x@x' }, message: 'never committed', circleId },
      )
    const old = new Date(Date.now() - 3_600_000)
    utimesSync(join(store.gitdir(orphan), 'periodic-circle'), old, old)
    const dry = await s.api('POST', `/api/${c}/ops/source/repair`, {}, { key })
    expect(dry.status).toBe(200)
    expect(dry.body).toMatchObject({ dry_run: true, healthy: false, orphans: [orphan] })
    expect(await store.exists(orphan)).toBe(true)
    const swept = await s.api('POST', `/api/${c}/ops/source/repair`, { dry_run: false }, { key })
    expect(swept.body).toMatchObject({ dry_run: false, healthy: true, orphans: [orphan] })
    expect(await store.exists(orphan)).toBe(false)
    expect(await store.exists(fresh)).toBe(true)
    expect(await store.exists(id)).toBe(true)
  })
})
