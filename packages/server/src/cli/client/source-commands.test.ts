// `periodic source` against a real server, in-process with captured output: status, branches,
// read, promote (with its release tag), validate, and a bundle exported by one server and imported
// into another; usage mistakes exit 2.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cliAgainst } from '../../../test/cli-harness.ts'
import { startTestServer, type TestServer } from '../../../test/test-server.ts'

const CODE = 'def handler(input):\n    return input\n'

describe('periodic source', () => {
  let s: TestServer
  let other: TestServer
  const dir = mkdtempSync(join(tmpdir(), 'periodic-cli-source-'))
  beforeAll(async () => {
    ;[s, other] = await Promise.all([startTestServer(), startTestServer()])
    await s.createCircle('cli')
    await other.createCircle('cli')
    const r = await s.api('POST', '/api/cli', {
      element_type: 'python',
      slug: 'fn',
      spec: { source: { type: 'inline', code: CODE } },
    })
    expect(r.status).toBe(201)
  })
  afterAll(async () => Promise.all([s?.close(), other?.close()]))

  const cli = cliAgainst(() => s)
  const cliOther = cliAgainst(() => other)

  it('shows status and branches, reads a file, promotes to live with a release tag, validates', async () => {
    const status = await cli('source', 'status', 'cli/fn')
    expect(status.code).toBe(0)
    expect(status.out).toMatch(/clone_url\s+http:\/\/.*\/git\/cli\/fn\.git/)
    expect(status.out).toMatch(/health\s+ok/)
    const read = await cli('source', 'read', 'cli/fn', 'main.py')
    expect(read.out).toBe(CODE)
    expect((await cli('source', 'promote', 'cli/fn', '--to', 'demo')).code).toBe(0)
    const live = await cli('source', 'promote', 'cli/fn', '--to', 'live', '--json')
    expect(JSON.parse(live.out)).toMatchObject({ from: 'demo', to: 'live', tag: 'v1' })
    const branches = await cli('source', 'branches', 'cli/fn', '--json')
    expect(JSON.parse(branches.out).map((b: { name: string }) => b.name)).toEqual(['draft', 'demo', 'live'])
    const valid = await cli('source', 'validate', 'cli/fn', '--branch', 'live')
    expect(valid).toMatchObject({ code: 0 })
    expect(valid.out).toMatch(/^live \(\w{12}\) is valid/)
  })

  it('exports a bundle and imports it into another installation', async () => {
    const file = join(dir, 'fn.bundle')
    expect((await cli('source', 'export', 'cli/fn', '-o', file)).code).toBe(0)
    const imported = await cliOther('source', 'import', 'cli', '--file', file, '--json')
    expect(imported.code).toBe(0)
    expect(JSON.parse(imported.out)).toMatchObject({ imported: 1, skipped: 0, errors: [] })
    expect((await other.api('GET', '/api/cli/fn/ops/source?path=main.py')).body.content).toBe(CODE)
  })

  it('promotes a project’s environments and dry-runs a data element’s fixtures', async () => {
    expect((await s.api('POST', '/api/cli', { element_type: 'project', slug: 'shop' })).status).toBe(201)
    const member = { element_type: 'python', slug: 'web', spec: { source: { type: 'inline', code: CODE } } }
    expect((await s.api('POST', '/api/cli/shop', member)).status).toBe(201)
    const demo = await cli('promote', 'cli/shop', '--to', 'demo')
    expect(demo.code, demo.err).toBe(0)
    expect(demo.out).toMatch(/snapshot\s+1/)
    expect(demo.out).toMatch(/web\s+python\s+1\s+[0-9a-f]{40}/)
    const live = await cli('promote', 'cli/shop', '--to', 'live', '--json')
    expect(JSON.parse(live.out)).toMatchObject({ from: 'demo', to: 'live', environment: { snapshot: 1 } })
    expect((await cli('promote', 'cli/fn', '--to', 'demo')).code).toBe(1)

    expect(
      (await s.api('POST', '/api/cli', { element_type: 'variable', slug: 'v', spec: { value: 1 } })).status,
    ).toBe(201)
    const dry = await cli('source', 'fixtures', 'cli/v', '--json')
    expect(dry.code, dry.err).toBe(0)
    expect(JSON.parse(dry.out)).toMatchObject({ dry_run: true, valid: true, manifests: [], applied: 0 })
  })

  it('refuses usage mistakes with exit code 2', async () => {
    expect((await cli('promote', 'cli/shop', '--to', 'prod')).code).toBe(2)
    expect((await cli('source', 'promote', 'cli/fn', '--to', 'prod')).code).toBe(2)
    expect((await cli('source', 'export', 'cli/fn')).code).toBe(2)
    expect((await cli('source', 'status', 'cli/fn', '--wait')).code).toBe(2)
  })
})
