// The python-layer spec over real HTTP: file paths that stay inside the layer, the size limit,
// requirements checked line by line, and versions that python elements can pin.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../../../test/test-server.ts'

const C = 'layer-spec'

describe('python-layer spec', () => {
  let s: TestServer
  let n = 0
  const create = (spec: unknown) =>
    s.api('POST', `/api/${C}`, { element_type: 'python-layer', slug: `l-${++n}`, spec })

  beforeAll(async () => {
    s = await startTestServer()
    await s.createCircle(C)
  })
  afterAll(async () => s?.close())

  it('stores files, requirements in any of the three forms, and a version per write', async () => {
    for (const requirements of [['attrs>=23'], 'attrs>=23\n# comment\n', { attrs: '>=23' }]) {
      const r = await create({ files: { 'a.py': 'A = 1\n', 'pkg/__init__.py': '' }, requirements })
      expect(r.status, JSON.stringify(r.body)).toBe(201)
      expect(r.body).toMatchObject({ element_type: 'python-layer', state: 'ready', version: 1 })
    }
    const empty = await create({})
    expect(empty.body.spec).toEqual({ description: '', files: {}, requirements: [] })
    const up = await s.api('PATCH', `/api/${C}/${empty.body.slug}`, {
      spec: { files: { 'b.py': 'B = 2\n' } },
    })
    expect(up.body).toMatchObject({ version: 2, spec: { files: { 'b.py': 'B = 2\n' } } })
  })

  it('refuses paths that could leave the layer or hide in it, with the field named', async () => {
    for (const path of [
      '../x.py',
      '/etc/x.py',
      'a/../../x.py',
      '.hidden.py',
      'a//b.py',
      'a/./b.py',
      '-x.py',
      'a\\b.py',
      'a/',
    ]) {
      const r = await create({ files: { [path]: 'x' } })
      expect(r.status, path).toBe(400)
      expect(r.body.error, path).toMatchObject({ code: 'VALIDATION_FAILED' })
      expect(r.body.error.details.field, path).toMatch(/^spec\.files/)
    }
    const both = await create({ files: { acme: 'x', 'acme/names.py': 'y' } })
    expect(both.status).toBe(400)
    expect(both.body.error.message).toContain('both a file and a directory')
    const deep = await create({ files: { 'a/b/c.py': 'x', a: 'y' } })
    expect(deep.status).toBe(400)
    // The root README.md of its Source tree is the element's README.
    const readme = await create({ files: { 'README.md': '# no' } })
    expect(readme.status).toBe(400)
    expect(readme.body.error.message).toContain('README')
    expect((await create({ files: { 'docs/README.md': '# yes' } })).status).toBe(201)
  })

  it('refuses more than 4 MiB of files and a requirement that is not PEP 508, naming the line', async () => {
    const mib = 'x'.repeat(1024 * 1024)
    const big = await create({ files: { 'a.py': mib, 'b.py': mib, 'c.py': mib, 'd.py': mib, 'e.py': 'x' } })
    expect(big.status).toBe(400)
    expect(big.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'spec.files' } })
    const bad = await create({ requirements: 'attrs>=23\nnot a requirement!\n' })
    expect(bad.status).toBe(400)
    expect(bad.body.error).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { field: 'spec.requirements', line: 2 },
    })
  })
})
