// Which definition a python run executes, over real HTTP with a real sandbox: live once the
// element has been promoted (draft before), `?ref=` / the runs API's `version` pick a branch,
// tag or commit, and every run records the commit it ran (`git rev-parse` agrees).
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { PeriodicClient } from '@periodic/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cliAgainst } from '../../../test/cli-harness.ts'
import { startTestServer, type TestServer } from '../../../test/test-server.ts'

const c = 'refs'
const code = (word: string, env = '') =>
  `import os\ndef handler(input):\n    return {"word": "${word}"${env ? `, "env": os.environ.get("${env}")` : ''}}\n`

describe('python runs at a Source ref', () => {
  let s: TestServer
  let key: string
  let id = ''
  const base = `/api/${c}/pick/ops`
  const git = (...args: string[]) =>
    execFileSync('git', ['--git-dir', join(s.platform.elements.source.store.root, `${id}.git`), ...args], {
      encoding: 'utf8',
    }).trim()
  const invoke = async (query = '', body: object = {}) => {
    const r = await s.api('POST', `${base}/invoke?wait_for_completion=60${query}`, body, { key })
    expect(r.status, JSON.stringify(r.body)).toBe(200)
    expect(r.body.status, JSON.stringify(r.body.error)).toBe('succeeded')
    return r.body
  }
  const promote = async (to: string) =>
    expect((await s.api('POST', `${base}/source/promote`, { to }, { key })).status).toBe(200)

  beforeAll(async () => {
    s = await startTestServer()
    await s.createCircle(c)
    key = await s.createKey(c, ['read', 'write', 'execute'])
    const r = await s.api(
      'POST',
      `/api/${c}`,
      {
        element_type: 'python',
        slug: 'pick',
        spec: { source: { type: 'inline', code: code('one', 'MOOD') }, environment: { MOOD: 'calm' } },
      },
      { key },
    )
    expect(r.status).toBe(201)
    id = r.body.id
  })
  afterAll(async () => s?.close())

  it('runs draft before the first promotion and records draft’s commit', async () => {
    const run = await invoke()
    expect(run.output).toEqual({ word: 'one', env: 'calm' })
    expect(run).toMatchObject({ source_ref: 'draft', source_commit: git('rev-parse', 'draft') })
  })

  it('runs live’s code by default once promoted, the draft with ref=draft, a tag and a commit id', async () => {
    await promote('demo')
    await promote('live')
    const liveCommit = git('rev-parse', 'live')
    const patch = await s.api(
      'PATCH',
      `/api/${c}/pick`,
      { spec: { source: { code: code('two', 'MOOD') }, environment: { MOOD: 'bold' } } },
      { key },
    )
    expect(patch.status).toBe(200)
    const draftCommit = git('rev-parse', 'draft')
    expect(draftCommit).not.toBe(liveCommit)

    // Alternating keeps each definition's own code and environment (no pool or cache mix-up).
    for (let i = 0; i < 2; i++) {
      const live = await invoke()
      expect(live.output).toEqual({ word: 'one', env: 'calm' })
      expect(live).toMatchObject({ source_ref: 'live', source_commit: liveCommit, element_version: 1 })
      const draft = await invoke('&ref=draft')
      expect(draft.output).toEqual({ word: 'two', env: 'bold' })
      expect(draft).toMatchObject({ source_ref: 'draft', source_commit: draftCommit, element_version: 2 })
    }
    const tagged = await invoke('&ref=v1')
    expect(tagged).toMatchObject({ output: { word: 'one' }, source_ref: 'v1', source_commit: liveCommit })
    const byId = await invoke(`&ref=${draftCommit}`)
    expect(byId).toMatchObject({ output: { word: 'two' }, source_commit: draftCommit })

    // The run keeps what it recorded.
    const got = await s.api('GET', `${base}/runs/${tagged.id}`, undefined, { key })
    expect(got.body).toMatchObject({ source_ref: 'v1', source_commit: liveCommit })
  })

  it('runs a ref on measure and apply too', async () => {
    const r = await s.api('POST', `${base}/measure?ref=draft`, { x: 1 }, { key })
    expect(r.status).toBe(200)
    expect(r.body).toEqual({ word: 'two', env: 'bold' })
    const live = await s.api('POST', `${base}/apply`, { x: 1 }, { key })
    expect(live.body).toEqual({ word: 'one', env: 'calm' })
    const run = await s.api('GET', `${base}/runs/${live.headers.get('x-run-id')}`, undefined, { key })
    expect(run.body).toMatchObject({
      trigger: 'apply',
      source_ref: 'live',
      source_commit: git('rev-parse', 'live'),
    })
  })

  it('answers 404 SOURCE_REF_NOT_FOUND for a ref that does not exist, 400 for a malformed one', async () => {
    for (const ref of ['nope', 'v9', 'a'.repeat(40)]) {
      const r = await s.api('POST', `${base}/invoke?wait_for_completion=5&ref=${ref}`, {}, { key })
      expect(r.status).toBe(404)
      expect(r.body.error).toMatchObject({ code: 'SOURCE_REF_NOT_FOUND', details: { ref } })
    }
    const bad = await s.api('POST', `${base}/measure?ref=${encodeURIComponent('a b')}`, {}, { key })
    expect(bad.status).toBe(400)
  })

  it('picks a ref on POST /api/v1/runs (`version`, or `ref`) and reruns the original commit', async () => {
    const target = `${c}/pick`
    const run = (body: object) =>
      s.api('POST', '/api/v1/runs?wait_for_completion=60', { target, operation: 'invoke', ...body }, { key })
    let r = await run({ version: 'draft' })
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({
      output: { word: 'two' },
      source_ref: 'draft',
      source_commit: git('rev-parse', 'draft'),
    })
    r = await run({ ref: 'v1' })
    expect(r.body).toMatchObject({ output: { word: 'one' }, source_ref: 'v1' })
    r = await run({})
    expect(r.body).toMatchObject({
      output: { word: 'one' },
      source_ref: 'live',
      source_commit: git('rev-parse', 'live'),
    })
    const missing = await run({ version: 'nope' })
    expect(missing.status).toBe(404)
    expect(missing.body.error.code).toBe('SOURCE_REF_NOT_FOUND')

    // A draft run rerun as `original` runs the same commit; as `latest` the default branch.
    const drafted = await run({ version: 'draft' })
    const original = await s.api(
      'POST',
      `/api/v1/runs/${drafted.body.id}/rerun`,
      { version: 'original' },
      { key },
    )
    expect(original.status).toBe(201)
    expect(original.body).toMatchObject({ source_commit: drafted.body.source_commit })
    const latest = await s.api(
      'POST',
      `/api/v1/runs/${drafted.body.id}/rerun`,
      { version: 'latest' },
      { key },
    )
    expect(latest.body).toMatchObject({ source_ref: 'live', source_commit: git('rev-parse', 'live') })
    const done = await s.api('GET', `/api/v1/runs/${original.body.id}?wait=30`, undefined, { key })
    expect(done.body).toMatchObject({ status: 'succeeded', output: { word: 'two' } })
  })

  it('takes the ref from the SDK (invoke ref, client.run version) and the CLI (--ref)', async () => {
    const client = new PeriodicClient({ baseUrl: s.url, apiKey: key })
    const tagged = await client.python(`${c}/pick`).invoke({}, { ref: 'v1', waitForCompletion: 30 })
    expect(tagged).toMatchObject({ output: { word: 'one' }, source_ref: 'v1' })
    const measured = await client.python(`${c}/pick`).measure({}, { ref: 'draft' })
    expect(measured.output).toEqual({ word: 'two', env: 'bold' })
    const run = await client.run(`${c}/pick`, {}, { version: 'draft', waitForCompletion: 30 })
    expect(run).toMatchObject({ output: { word: 'two' }, source_commit: git('rev-parse', 'draft') })

    const cli = cliAgainst(() => s)
    const ok = await cli('invoke', `${c}/pick`, '--ref', 'draft', '--wait', '30', '--json')
    expect(ok.code).toBe(0)
    expect(JSON.parse(ok.out)).toMatchObject({ output: { word: 'two' }, source_ref: 'draft' })
    const missing = await cli('invoke', `${c}/pick`, '--ref', 'nope', '--wait')
    expect(missing.code).toBe(1)
    expect(missing.err).toContain('SOURCE_REF_NOT_FOUND')
  })

  it('refuses a commit Periodic did not write (409 SOURCE_REF_NOT_RUNNABLE) and a ref with `..`', async () => {
    const store = s.platform.elements.source.store
    const demo = git('rev-parse', 'demo')
    const files = { '.periodic/spec.yaml': 'source:\n  type: inline\n', 'main.py': code('odd') }
    const author = { name: 'someone', email: 'someone@example.test' }
    await store.commit(id, 'demo', files, { parent: demo, author, message: 'written by hand' })
    const r = await s.api('POST', `${base}/invoke?wait_for_completion=5&ref=demo`, {}, { key })
    expect(r.status).toBe(409)
    expect(r.body.error).toMatchObject({ code: 'SOURCE_REF_NOT_RUNNABLE', details: { ref: 'demo' } })
    const dots = await s.api('POST', `${base}/invoke?ref=${encodeURIComponent('../HEAD')}`, {}, { key })
    expect(dots.status).toBe(400)
  })
})
