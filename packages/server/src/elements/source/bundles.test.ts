// Bundles between two installations (two test servers, two data dirs) over real HTTP, with stock
// git reading what was exported: an element keeps its files and history and gets a new id; a
// duplicate slug is skipped or, with overwrite, updated; a circle's envelope round-trips with a
// project and the elements inside it; bad bundles are refused whole, with codes.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../../../test/test-server.ts'

const CODE = 'def handler(input):\n    return {"hello": input.get("name")}\n'
const py = (slug: string, code = CODE) => ({
  element_type: 'python',
  slug,
  intention: `say hello (${slug})`,
  spec: { source: { type: 'inline', code } },
})

describe('git bundles', () => {
  let a: TestServer
  let b: TestServer
  let keyB: string
  const dir = mkdtempSync(join(tmpdir(), 'periodic-bundles-'))

  const exportBytes = async (s: TestServer, path: string) => {
    const r = await fetch(`${s.url}${path}/ops/export/bundle`, {
      headers: { authorization: `Bearer ${s.adminKey}` },
    })
    expect(r.status).toBe(200)
    return { type: r.headers.get('content-type'), bytes: Buffer.from(await r.arrayBuffer()) }
  }
  const gitLog = (s: TestServer, id: string, ref = 'draft') =>
    execFileSync(
      'git',
      ['--git-dir', join(s.platform.elements.source.store.root, `${id}.git`), 'log', '--format=%s', ref],
      { encoding: 'utf8' },
    )
      .trim()
      .split('\n')

  beforeAll(async () => {
    a = await startTestServer()
    b = await startTestServer()
    await a.createCircle('acme')
    await b.createCircle('beta')
    keyB = await b.createKey('beta', ['read', 'write'])
    expect((await a.api('POST', '/api/acme', py('hello'))).status).toBe(201)
    await a.api('POST', '/api/acme/hello/ops/readme_update', { content: '# Hello\n' })
    await a.api('PATCH', '/api/acme/hello', { spec: { timeout_ms: 20_000 } })
    await a.api('POST', '/api/acme/hello/ops/source/promote', { to: 'demo' })
    await a.api('POST', '/api/acme/hello/ops/source/promote', { to: 'live' })
  })
  afterAll(async () => {
    await a?.close()
    await b?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('exports an element as a git bundle that stock git clones', async () => {
    const { type, bytes } = await exportBytes(a, '/api/acme/hello')
    expect(type).toBe('application/octet-stream')
    const file = join(dir, 'hello.bundle')
    writeFileSync(file, bytes)
    const heads = execFileSync('git', ['bundle', 'list-heads', file], { encoding: 'utf8' })
    expect(heads).toMatch(/refs\/heads\/draft/)
    expect(heads).toMatch(/refs\/heads\/live/)
    expect(heads).toMatch(/refs\/tags\/v1/)
    execFileSync('git', ['clone', '-q', '--branch', 'draft', file, join(dir, 'hello')])
    expect(
      execFileSync('git', ['-C', join(dir, 'hello'), 'show', 'HEAD:main.py'], { encoding: 'utf8' }),
    ).toBe(CODE)
  })

  it('imports into another installation: same files and history, a new id', async () => {
    const original = (await a.api('GET', '/api/acme/hello')).body
    const { bytes } = await exportBytes(a, '/api/acme/hello')
    const r = await b.api(
      'POST',
      '/api/beta/ops/import/bundle',
      { bundle_base64: bytes.toString('base64') },
      { key: keyB },
    )
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({ imported: 1, skipped: 0, errors: [] })
    const copy = (await b.api('GET', '/api/beta/hello', undefined, { key: keyB })).body
    expect(copy.id).not.toBe(original.id)
    expect(copy).toMatchObject({ element_type: 'python', intention: original.intention })
    expect(copy.spec.timeout_ms).toBe(20_000)
    const main = await b.api('GET', '/api/beta/hello/ops/source?path=main.py', undefined, { key: keyB })
    expect(main.body.content).toBe(CODE)
    const readme = await b.api('GET', '/api/beta/hello/ops/readme', undefined, { key: keyB })
    expect(readme.body.content).toBe('# Hello\n')
    // The original three commits, then the import's.
    expect(gitLog(b, copy.id)).toEqual(['Imported from a bundle', 'Updated', 'README updated', 'Created'])
    expect(gitLog(b, copy.id, 'live')).toEqual(gitLog(a, original.id, 'live'))
    const versions = await b.api('GET', '/api/beta/hello/ops/source/versions', undefined, { key: keyB })
    expect(versions.body.versions.map((v: { version: string }) => v.version)).toEqual(['v1'])
  })

  it('skips a slug that exists, and updates it with overwrite', async () => {
    await a.api('PATCH', '/api/acme/hello', { spec: { source: { code: CODE.replace('hello', 'hi') } } })
    const { bytes } = await exportBytes(a, '/api/acme/hello')
    const body = { bundle_base64: bytes.toString('base64') }
    let r = await b.api('POST', '/api/beta/ops/import/bundle', body, { key: keyB })
    expect(r.body).toMatchObject({ imported: 0, skipped: 1, errors: [] })
    const before = (await b.api('GET', '/api/beta/hello', undefined, { key: keyB })).body
    r = await b.api('POST', '/api/beta/ops/import/bundle', { ...body, overwrite: true }, { key: keyB })
    expect(r.body).toMatchObject({ imported: 1, skipped: 0, errors: [] })
    expect(r.body.elements).toEqual([expect.objectContaining({ id: before.id, action: 'updated' })])
    const main = await b.api('GET', '/api/beta/hello/ops/source?path=main.py', undefined, { key: keyB })
    expect(main.body.content).toContain('"hi"')
    const after = (await b.api('GET', '/api/beta/hello', undefined, { key: keyB })).body
    expect(after.version).toBe(before.version + 1)
    expect(gitLog(b, before.id)[0]).toBe('Imported from a bundle')
  })

  it('round-trips a circle as an envelope of bundles, projects before their members', async () => {
    await a.createCircle('team')
    expect((await a.api('POST', '/api/team', { element_type: 'project', slug: 'proj' })).status).toBe(201)
    expect((await a.api('POST', '/api/team/proj', py('inner'))).status).toBe(201)
    expect((await a.api('POST', '/api/team', py('outer'))).status).toBe(201)
    for (const to of ['demo', 'live'])
      expect((await a.api('POST', '/api/team/proj/ops/promote', { to })).status).toBe(200)
    const env = await a.api('GET', '/api/team/ops/export/bundle')
    expect(env.status).toBe(200)
    expect(env.body).toMatchObject({ format: 'periodic.bundles.v1', circle: 'team', count: 3 })
    expect(env.body.bundles.map((x: { path: string }) => x.path)).toEqual(['outer', 'proj', 'proj/inner'])
    await b.createCircle('team2')
    const r = await b.api('POST', '/api/team2/ops/import/bundle', env.body)
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({ imported: 3, skipped: 0, errors: [] })
    const inner = await b.api('GET', '/api/team2/proj/inner/ops/source?path=main.py')
    expect(inner.body.content).toBe(CODE)
    expect((await b.api('GET', '/api/team2/proj/inner')).body.intention).toBe('say hello (inner)')
    // The project's environments name the imported member, which runs its frozen commit.
    const innerId = (await b.api('GET', '/api/team2/proj/inner')).body.id
    const live = (await b.api('GET', '/api/team2/proj')).body.spec.environments.live
    expect(live.members).toMatchObject([{ path: 'inner', element_id: innerId }])
    const run = await b.api('POST', '/api/team2/proj/inner/ops/invoke?wait_for_completion=60', {})
    expect(run.body).toMatchObject({ status: 'succeeded', source_ref: 'environments/live' })
  })

  it('reports an element of an unknown type and imports the rest', async () => {
    const env = (await a.api('GET', '/api/team/ops/export/bundle')).body
    // Rewrite one bundle's element.yaml to an unknown type, with stock git.
    const repo = join(dir, 'odd')
    const file = join(dir, 'outer.bundle')
    writeFileSync(file, Buffer.from(env.bundles[0].bundle_base64, 'base64'))
    execFileSync('git', ['clone', '-q', '--branch', 'draft', file, repo])
    const yaml = join(repo, '.periodic', 'element.yaml')
    writeFileSync(yaml, 'element_type: quantum\nslug: odd\n')
    execFileSync('git', ['-C', repo, '-c', 'user.name=a', '-c', 'user.email=a@a', 'commit', '-qam', 'odd'])
    execFileSync('git', ['-C', repo, 'bundle', 'create', join(dir, 'odd.bundle'), 'draft'], {
      stdio: 'ignore',
    })
    const odd = execFileSync('base64', ['-w0', join(dir, 'odd.bundle')], { encoding: 'utf8' })
    await b.createCircle('team3')
    const before = readdirSync(b.platform.elements.source.store.root).length
    const r = await b.api('POST', '/api/team3/ops/import/bundle', {
      bundles: [{ path: 'odd', bundle_base64: odd }, env.bundles[1]],
    })
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({
      imported: 1,
      errors: [{ slug: 'odd', code: 'UNKNOWN_ELEMENT_TYPE' }],
      // The project came without its member: its environments leave it out, and say so.
      warnings: [{ slug: 'proj', message: expect.stringContaining('"inner" was not imported') }],
    })
    expect((await b.api('GET', '/api/team3/odd')).status).toBe(404)
    // Nothing of the refused element is left on disk: one repository more, the project's.
    expect(readdirSync(b.platform.elements.source.store.root).length).toBe(before + 1)
  })

  it('refuses garbage, non-base64 and truncated bundles whole, with codes', async () => {
    const { bytes } = await exportBytes(a, '/api/acme/hello')
    await b.createCircle('bad')
    const cases: Array<[string, string]> = [
      ['not base64', '%%% not base64 %%%'],
      ['garbage', Buffer.from('hello, this is not a bundle\n').toString('base64')],
      ['truncated', bytes.subarray(0, bytes.length - 40).toString('base64')],
      ['header only', bytes.subarray(0, bytes.indexOf('\n\n') + 2).toString('base64')],
    ]
    for (const [what, bundle_base64] of cases) {
      const r = await b.api('POST', '/api/bad/ops/import/bundle', { bundle_base64 })
      expect(r.status, what).toBe(400)
      expect(r.body.error.code, what).toBe('SOURCE_BUNDLE_INVALID')
    }
    // A good bundle beside a bad one: nothing is imported.
    const r = await b.api('POST', '/api/bad/ops/import/bundle', {
      bundles: [
        { path: 'hello', bundle_base64: bytes.toString('base64') },
        { path: 'x', bundle_base64: Buffer.from('junk').toString('base64') },
      ],
    })
    expect(r.status).toBe(400)
    expect(r.body.error).toMatchObject({ code: 'SOURCE_BUNDLE_INVALID', details: { index: 1 } })
    expect((await b.api('GET', '/api/bad/hello')).status).toBe(404)
    const none = await b.api('POST', '/api/bad/ops/import/bundle', {})
    expect(none.body.error.code).toBe('VALIDATION_FAILED')
  })

  it('imports only into a container, and only with the write scope', async () => {
    const { bytes } = await exportBytes(a, '/api/acme/hello')
    const body = { bundle_base64: bytes.toString('base64') }
    const reader = await b.createKey('beta', ['read'])
    const r = await b.api('POST', '/api/beta/ops/import/bundle', body, { key: reader })
    expect(r.status).toBe(403)
    const leaf = await b.api('POST', '/api/beta/hello/ops/import/bundle', body, { key: keyB })
    expect(leaf.status).toBe(400)
    expect(leaf.body.error.code).toBe('NOT_A_CONTAINER')
  })

  it('exports only within the key’s circle, and refuses a body over the limit', async () => {
    await b.createCircle('other')
    const stranger = await b.createKey('other', ['read', 'write'])
    const r = await b.api('GET', '/api/beta/hello/ops/export/bundle', undefined, { key: stranger })
    expect(r.status).toBe(404)
    // Overwrite looks for the slug in the target circle only: beta's hello stays as it was.
    const { bytes } = await exportBytes(a, '/api/acme/hello')
    const before = (await b.api('GET', '/api/beta/hello')).body.version
    const into = await b.api(
      'POST',
      '/api/other/ops/import/bundle',
      { bundle_base64: bytes.toString('base64'), overwrite: true },
      { key: stranger },
    )
    expect(into.body).toMatchObject({ imported: 1, elements: [{ action: 'created' }] })
    expect((await b.api('GET', '/api/beta/hello')).body.version).toBe(before)
    // The body limit (10 MiB by default) comes before the bundle limit (64 MiB decoded).
    const big = await b.api('POST', '/api/beta/ops/import/bundle', {
      bundle_base64: 'A'.repeat(11 * 1024 * 1024),
    })
    expect(big.status).toBe(413)
    expect(big.body.error.code).toBe('PAYLOAD_TOO_LARGE')
  })
})
