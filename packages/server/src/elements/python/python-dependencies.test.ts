// Dependency layers over real HTTP: requirements become a pip-built layer keyed by the
// requirement set, shared between elements, built once under concurrency, rebuilt on force,
// built on first invoke, and a bad requirement fails with pip's output and a catalogue code.
// No package index is reachable: the wheels are made here and served with --find-links.
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeWheel } from '../../../bench/make-wheel.ts'
import { startTestServer, type TestServer } from '../../../test/test-server.ts'

const C = 'deps'
const DEADLINE_MS = 60_000

interface Build {
  build_id: string
  layer_key: string | null
  requirements: string[]
  status: 'building' | 'succeeded' | 'failed'
  cached: boolean
  output?: string
}

describe('python dependency layers', () => {
  let s: TestServer
  let wheels: string
  let n = 0

  beforeAll(async () => {
    wheels = mkdtempSync(join(tmpdir(), 'periodic-wheels-'))
    // Like any find-links directory, readable by the unprivileged uid pip runs as under root.
    chmodSync(wheels, 0o755)
    makeWheel(wheels, 'pkga', '1.0', 'VALUE = "a-1.0"\n')
    makeWheel(wheels, 'pkga', '2.0', 'VALUE = "a-2.0"\n')
    makeWheel(wheels, 'pkgb', '1.0', 'VALUE = "b-1.0"\n')
    makeWheel(wheels, 'pkgc', '1.0', 'VALUE = "c-1.0"\n')
    makeWheel(wheels, 'pkgd', '1.0', 'VALUE = "d-1.0"\n')
    s = await startTestServer({ env: { PERIODIC_PIP_FIND_LINKS: wheels } })
    await s.createCircle(C)
  })
  afterAll(async () => {
    await s?.close()
    if (wheels) rmSync(wheels, { recursive: true, force: true })
  })

  /** Creates a python element returning the VALUE of each module it imports. */
  async function fn(modules: string[], spec: Record<string, unknown> = {}, source = {}): Promise<string> {
    const slug = `fn-${++n}`
    const code = [
      ...modules.map((m) => `import ${m}`),
      'def handler(input):',
      `    return {${modules.map((m) => `"${m}": ${m}.VALUE`).join(', ')}}`,
    ].join('\n')
    const r = await s.api('POST', `/api/${C}`, {
      element_type: 'python',
      slug,
      spec: { ...spec, source: { type: 'inline', code, ...source } },
    })
    expect(r.status, JSON.stringify(r.body)).toBe(201)
    return slug
  }

  async function build(slug: string, body: Record<string, unknown> = {}): Promise<Build> {
    const r = await s.api<Build>('POST', `/api/${C}/${slug}/ops/build`, body)
    expect([200, 202], JSON.stringify(r.body)).toContain(r.status)
    expect(r.body.build_id).toMatch(/^[0-9a-f-]{36}$/)
    return r.body
  }

  /** Polls build_status until the build leaves `building`, failing the test at the deadline. */
  async function settled(slug: string, id: string): Promise<Build> {
    const deadline = Date.now() + DEADLINE_MS
    for (;;) {
      const r = await s.api<Build>('GET', `/api/${C}/${slug}/ops/build/${id}`)
      expect(r.status, JSON.stringify(r.body)).toBe(200)
      if (r.body.status !== 'building') return r.body
      if (Date.now() > deadline) throw new Error(`build ${id} still building at the deadline`)
      await new Promise((res) => setTimeout(res, 100))
    }
  }

  async function invoke(slug: string) {
    const r = await s.api('POST', `/api/${C}/${slug}/ops/invoke?wait_for_completion=60`, {})
    expect(r.status, JSON.stringify(r.body)).not.toBe(500)
    expect(r.body.status, JSON.stringify(r.body)).not.toMatch(/queued|running/)
    return r.body
  }

  it('builds a layer from source.requirements with pip output in build_status, then imports it', async () => {
    const slug = await fn(['pkga'], {}, { requirements: ['pkga==1.0'] })
    const started = await build(slug)
    expect(started.requirements).toEqual(['pkga==1.0'])
    expect(started.layer_key).toMatch(/^[0-9a-f]{20}$/)
    const done = await settled(slug, started.build_id)
    expect(done).toMatchObject({ status: 'succeeded', cached: false, layer_key: started.layer_key })
    expect(done.output).toContain('Successfully installed pkga-1.0')
    expect(existsSync(join(s.dataDir, 'layers', started.layer_key!, '.complete'))).toBe(true)
    const run = await invoke(slug)
    expect(run).toMatchObject({ status: 'succeeded', output: { pkga: 'a-1.0' } })
  })

  it('shares one layer between elements with the same set, whether written as a list or a map', async () => {
    const first = await fn(['pkga'], {}, { requirements: ['pkga==1.0'] })
    const a = await settled(first, (await build(first)).build_id)
    expect(a.status).toBe('succeeded')
    // {"pkga": "1.0"} means pkga==1.0: the same set, so the same layer and a cache hit.
    const mapped = await fn(['pkga'], { requirements: { pkga: '1.0' } })
    const b = await build(mapped)
    expect(b).toMatchObject({ status: 'succeeded', cached: true, layer_key: a.layer_key })
    expect(b.requirements).toEqual(['pkga==1.0'])
    // Order and whitespace do not change the set.
    const reordered = await fn(['pkga', 'pkgb'], {}, { requirements: [' pkgb==1.0', 'pkga==1.0'] })
    const both = await fn(
      ['pkga', 'pkgb'],
      { requirements: { pkgb: '==1.0' } },
      { requirements: ['pkga==1.0'] },
    )
    const c = await settled(reordered, (await build(reordered)).build_id)
    const d = await build(both)
    expect(c.status).toBe('succeeded')
    expect(d).toMatchObject({ status: 'succeeded', cached: true, layer_key: c.layer_key })
    expect(c.layer_key).not.toBe(a.layer_key)
    expect((await invoke(both)).output).toEqual({ pkga: 'a-1.0', pkgb: 'b-1.0' })
  })

  it('keeps different versions of one package in different layers', async () => {
    const v1 = await fn(['pkga'], { requirements: { pkga: '==1.0' } })
    const v2 = await fn(['pkga'], { requirements: { pkga: '==2.0' } })
    const [b1, b2] = await Promise.all([build(v1), build(v2)])
    expect(b1.layer_key).not.toBe(b2.layer_key)
    const [r1, r2] = await Promise.all([invoke(v1), invoke(v2)])
    expect(r1.output).toEqual({ pkga: 'a-1.0' })
    expect(r2.output).toEqual({ pkga: 'a-2.0' })
  })

  it('rebuilds an existing layer when forced, running pip again', async () => {
    const slug = await fn(['pkga'], {}, { requirements: ['pkga==2.0'] })
    const first = await settled(slug, (await build(slug)).build_id)
    expect(first.status).toBe('succeeded')
    const cached = await build(slug)
    expect(cached).toMatchObject({ status: 'succeeded', cached: true })
    const forced = await build(slug, { force: true })
    expect(forced.build_id).not.toBe(first.build_id)
    const done = await settled(slug, forced.build_id)
    expect(done).toMatchObject({ status: 'succeeded', cached: false, layer_key: first.layer_key })
    expect(done.output).toContain('Successfully installed pkga-2.0')
    expect((await invoke(slug)).output).toEqual({ pkga: 'a-2.0' })
  })

  it('waits for the build within the request when asked to', async () => {
    const slug = await fn(['pkgd'], { requirements: { pkgd: '*' } })
    const r = await s.api<Build>('POST', `/api/${C}/${slug}/ops/build`, { wait_for_completion: 60 })
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({ status: 'succeeded', requirements: ['pkgd'] })
  })

  it('builds the layer on the first invoke when nobody built it', async () => {
    const slug = await fn(['pkgb'], {}, { requirements: ['pkgb'] })
    const run = await invoke(slug)
    expect(run).toMatchObject({ status: 'succeeded', output: { pkgb: 'b-1.0' } })
    // The layer now exists: an explicit build is a cache hit.
    expect(await build(slug)).toMatchObject({ status: 'succeeded', cached: true })
  })

  it('runs pip once for concurrent builds and invokes of the same layer', async () => {
    const slugs = await Promise.all([1, 2, 3].map(() => fn(['pkgc'], {}, { requirements: ['pkgc==1.0'] })))
    // Three builds at once, then three invokes while they may still be running.
    const builds = await Promise.all(slugs.map((slug) => build(slug)))
    const runs = await Promise.all(slugs.map((slug) => invoke(slug)))
    expect(new Set(builds.map((b) => b.layer_key)).size).toBe(1)
    for (const run of runs) expect(run).toMatchObject({ status: 'succeeded', output: { pkgc: 'c-1.0' } })
    const outputs = await Promise.all(builds.map((b, i) => settled(slugs[i]!, b.build_id)))
    for (const o of outputs) expect(o.status).toBe('succeeded')
    // Exactly one build ran pip; the others joined it or found it finished.
    const ranPip = outputs.filter((o) => o.output?.includes('Successfully installed pkgc-1.0'))
    expect(ranPip).toHaveLength(1)
    for (const o of outputs.filter((x) => !ranPip.includes(x)))
      expect(o.output).toMatch(/joined a build|cache hit/)
    expect(readdirSync(join(s.dataDir, 'layers')).filter((d) => d.includes('.build-'))).toEqual([])
  })

  it('fails a build for a package the index lacks with pip’s error, and the invoke with PYTHON_BUILD_FAILED', async () => {
    const slug = await fn(['nosuchpkg'], {}, { requirements: ['nosuchpkg==9.9'] })
    const done = await settled(slug, (await build(slug)).build_id)
    expect(done.status).toBe('failed')
    expect(done.output).toMatch(/No matching distribution found for nosuchpkg==9\.9/)
    expect(done.output).toMatch(/pip install failed/)
    const run = await invoke(slug)
    expect(run.status).toBe('failed')
    expect(run.error).toMatchObject({ code: 'PYTHON_BUILD_FAILED', class: 'internal', retryable: false })
    expect(run.error.message).toContain('nosuchpkg')
    // No half-built layer is left behind to be mistaken for a finished one.
    expect(existsSync(join(s.dataDir, 'layers', done.layer_key!))).toBe(false)
  })

  it('refuses a requirement that looks like a pip option when the spec is written; pip never sees it', async () => {
    const r = await s.api('POST', `/api/${C}`, {
      element_type: 'python',
      slug: 'pip-option',
      spec: {
        source: {
          type: 'inline',
          code: 'def handler(input):\n    return 1\n',
          requirements: ['--index-url=http://127.0.0.1:9/simple'],
        },
      },
    })
    expect(r.status).toBe(400)
    expect(r.body.error).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { field: 'spec.source.requirements', line: 1, rule: 'pep508' },
    })
    expect(r.body.error.message).toContain('pip options')
  })

  it('reports a build with no requirements as an immediate success without a layer', async () => {
    const slug = await fn([])
    expect(await build(slug)).toMatchObject({ status: 'succeeded', layer_key: null, requirements: [] })
  })

  it('answers BUILD_NOT_FOUND for an unknown build id and refuses unknown build options', async () => {
    const slug = await fn([])
    const missing = await s.api('GET', `/api/${C}/${slug}/ops/build/00000000-0000-4000-8000-000000000000`)
    expect(missing.status).toBe(404)
    expect(missing.body.error.code).toBe('BUILD_NOT_FOUND')
    // A build id is only readable through the element that started it.
    const other = await fn(['pkga'], { requirements: { pkga: '1.0' } })
    const theirs = await build(other)
    const peek = await s.api('GET', `/api/${C}/${slug}/ops/build/${theirs.build_id}`)
    expect(peek.status).toBe(404)
    expect(peek.body.error.code).toBe('BUILD_NOT_FOUND')
    const bad = await s.api('POST', `/api/${C}/${slug}/ops/build`, { force: 'yes', upgrade: true })
    expect(bad.status).toBe(400)
    expect(bad.body.error.code).toBe('VALIDATION_FAILED')
  })
})
