// Requirements as text over real HTTP (one per line, comments and blank lines ignored, each line
// a PEP 508 requirement checked at write time), beside the list and map forms; and the PEP 508
// check itself on the forms pip users write.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../../../test/test-server.ts'
import { pep508Problem, requirementEntries } from './requirement-lines.ts'

const c = 'reqs'
const CODE = 'def handler(e):\n    return 1\n'

describe('PEP 508 requirement check', () => {
  it.each([
    'requests',
    'requests==2.31.0',
    'numpy>=1.26',
    'Django>=4,<5',
    'pkg~=1.4.2',
    'pkg===1.0+local',
    'pkg==1.*',
    'pkg (>=1.0, <2)',
    'requests[security,socks]>=2.8.1',
    'pywin32>=1.0 ; sys_platform == "win32"',
    'name; python_version < "3.8" and (os_name == "posix" or extra == "test")',
    'pip @ https://github.com/pypa/pip/archive/1.3.1.zip#sha1=da9234ee',
    'pkg @ file:///wheels/pkg-1.0-py3-none-any.whl ; python_version >= "3.8"',
  ])('accepts %s', (req) => expect(pep508Problem(req)).toBeNull())

  it.each([
    ['-r other.txt', 'pip options'],
    ['--index-url=http://x/simple', 'pip options'],
    ['requests latest', 'unexpected "latest"'],
    ['requests==', 'unexpected "=="'],
    ['requests[sec', 'malformed extras'],
    ['pkg @ not-a-url', 'direct reference'],
    ['pkg @ https://x/p.zip; python_version > "3"', 'URL must be followed'],
    ['pkg ; python_version >>> "3"', 'marker'],
    ['pkg ; colour == "red"', 'marker'],
    ['pkg ; python_version >= "3.8" and', 'marker'],
    ['!bad', 'package name'],
  ])('refuses %s', (req, why) => expect(pep508Problem(req)).toContain(why))

  it('numbers the lines of text as written, skipping comments and blank lines', () => {
    const text = '# deps\n\nrequests==2.31  # http\r\nnumpy>=1.26\n   \npkg @ https://x/p.zip#egg=pkg\n'
    expect(requirementEntries('source.requirements', text).map((e) => [e.line, e.text])).toEqual([
      [3, 'requests==2.31'],
      [4, 'numpy>=1.26'],
      [6, 'pkg @ https://x/p.zip#egg=pkg'],
    ])
  })
})

describe('python requirements as text', () => {
  let s: TestServer
  let emptyIndex: string

  async function create(slug: string, spec: object) {
    return s.api('POST', `/api/${c}`, {
      element_type: 'python',
      slug,
      spec: {
        ...spec,
        source: { type: 'inline', code: CODE, ...((spec as { source?: object }).source ?? {}) },
      },
    })
  }
  /** The requirement list the layer is built from, as the build record reports it (pip finds nothing). */
  async function built(slug: string): Promise<string[]> {
    const r = await s.api('POST', `/api/${c}/${slug}/ops/build`, { wait_for_completion: 60 })
    return r.body.requirements
  }

  beforeAll(async () => {
    // An empty --find-links directory and no index: pip fails at once, nothing leaves the machine.
    emptyIndex = mkdtempSync(join(tmpdir(), 'periodic-no-wheels-'))
    s = await startTestServer({ env: { PERIODIC_PIP_FIND_LINKS: emptyIndex } })
    await s.createCircle(c)
  })
  afterAll(async () => {
    await s?.close()
    rmSync(emptyIndex, { recursive: true, force: true })
  })

  it('accepts one requirement per line in source.requirements and keeps the text as written', async () => {
    const text = '# http\nrequests==2.31.0\n\nnumpy>=1.26 ; python_version >= "3.8"  # maths\n'
    const r = await create('text', { source: { requirements: text } })
    expect(r.status, JSON.stringify(r.body)).toBe(201)
    expect(r.body.spec.source.requirements).toBe(text)
    expect(await built('text')).toEqual(['numpy>=1.26 ; python_version >= "3.8"', 'requests==2.31.0'])
  })

  it('accepts text in spec.requirements too, and merges every form into one set', async () => {
    const r = await create('mixed', {
      requirements: 'pkgb>=1\npkga==1.0\n',
      source: { requirements: ['pkga==1.0', 'pkgc'] },
    })
    expect(r.status, JSON.stringify(r.body)).toBe(201)
    expect(await built('mixed')).toEqual(['pkga==1.0', 'pkgb>=1', 'pkgc'])
    const map = await create('map', { requirements: { pkga: '1.0', pkgb: '>=2,<3', pkgc: '*' } })
    expect(await built(map.body.slug)).toEqual(['pkga==1.0', 'pkgb>=2,<3', 'pkgc'])
  })

  it('refuses a bad line with VALIDATION_FAILED naming its number and text, on create and update', async () => {
    const r = await create('bad', { source: { requirements: 'requests\n# fine\nnumpy latest\n' } })
    expect(r.status).toBe(400)
    expect(r.body.error).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { field: 'spec.source.requirements', line: 3, text: 'numpy latest', rule: 'pep508' },
    })
    expect(r.body.error.message).toContain('line 3 "numpy latest"')
    const ok = await create('good', {})
    const upd = await s.api('PATCH', `/api/${c}/good/ops/update`, {
      spec: { requirements: 'ok\n-e ./local' },
    })
    expect(upd.status).toBe(400)
    expect(upd.body.error.details).toMatchObject({ field: 'spec.requirements', line: 2, text: '-e ./local' })
    expect((await s.api('GET', `/api/${c}/good`)).body.version).toBe(ok.body.version)
  })

  it('refuses a bad list item or map version, an oversize text and too many requirements', async () => {
    const item = await create('item', { source: { requirements: ['requests', 'requests latest'] } })
    expect(item.body.error.details).toMatchObject({ field: 'spec.source.requirements', line: 2 })
    expect(item.body.error.message).toContain('item 2')
    const version = await create('version', { requirements: { requests: 'latest' } })
    expect(version.status).toBe(400)
    expect(version.body.error.message).toContain('the version is')
    const long = await create('long', { source: { requirements: `${'a'.repeat(300)}\n` } })
    expect(long.body.error.message).toContain('longer than 256')
    const huge = await create('huge', { source: { requirements: 'a\n'.repeat(40_000) } })
    expect(huge.status).toBe(400)
    expect(huge.body.error.details.field).toBe('spec.source.requirements')
    const many = Array.from({ length: 201 }, (_, i) => `pkg${i}`).join('\n')
    const tooMany = await create('many', { source: { requirements: many } })
    expect(tooMany.status).toBe(400)
    expect(tooMany.body.error.message).toContain('at most 200')
  })

  it('counts requirements, not characters, for the cold-start advisory', async () => {
    const few = await create('few', {
      source: { requirements: 'a-very-long-package-name-indeed>=1.0\n'.repeat(1) },
    })
    const warn = (b: { warnings: Array<{ field: string }> }) =>
      b.warnings.filter((w) => w.field === 'spec.source.requirements')
    expect(warn(few.body)).toEqual([])
    const lots = await create('lots', {
      source: { requirements: Array.from({ length: 21 }, (_, i) => `p${i}`).join('\n') },
    })
    expect(warn(lots.body)).toHaveLength(1)
  })
})
