// Pre-started generic sandboxes (python/warm-sandboxes.ts) over real HTTP with real bwrap
// sandboxes: a cold element takes one and only loads its code; what its code sees is what a
// freshly started worker sees; a sandbox serves one element only; elements that would start
// differently get a fresh one; waiting sandboxes give up their quota to real workers; and an
// element with a dependency layer cold-starts in a sandbox pre-started with that layer.
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeWheel } from '../../../bench/make-wheel.ts'
import { startTestServer, type TestServer } from '../../../test/test-server.ts'

const PROBE = [
  'import os, socket',
  'MARK = "/tmp/was-here"',
  'FOUND_AT_IMPORT = os.path.exists(MARK)',
  'open(MARK, "w").write(os.environ.get("WHO", ""))',
  'def handler(input):',
  '    return {',
  '        "env": dict(os.environ),',
  '        "code": sorted(os.listdir("/periodic/code")),',
  '        "cwd": os.getcwd(),',
  '        "uid": os.getuid(),',
  '        "hostname": socket.gethostname(),',
  '        "found_mark_at_import": FOUND_AT_IMPORT,',
  '        "routes": sorted(l.split()[0] for l in open("/proc/net/route").read().splitlines()[1:]),',
  '    }',
  '',
].join('\n')

type Warm = { size: number; ready: number; starting: number; served: number }

describe.skipIf(!existsSync('/usr/bin/bwrap'))('warm python sandboxes (bwrap)', () => {
  let s: TestServer

  const create = (circle: string, slug: string, spec: Record<string, unknown>) =>
    s.api('POST', `/api/${circle}`, {
      element_type: 'python',
      slug,
      spec: { source: { type: 'inline', code: PROBE }, ...spec },
    })
  const invoke = async (path: string) => {
    const r = await s.api('POST', `/api/${path}/ops/invoke?wait_for_completion=60`, {})
    expect(r.body.status, JSON.stringify(r.body)).toBe('succeeded')
    return r.body.output as Record<string, any>
  }
  const warm = async (path: string): Promise<Warm> =>
    (await s.api('GET', `/api/${path}/ops/diagnostics`)).body.warm_sandboxes
  /** Waits (without a deadline of its own: the test's timeout bounds it) until `n` are ready. */
  const ready = async (path: string, n: number): Promise<Warm> => {
    for (;;) {
      const w = await warm(path)
      if (w.ready >= n) return w
      await new Promise((r) => setTimeout(r, 50))
    }
  }

  beforeAll(async () => {
    s = await startTestServer({ env: { PERIODIC_SANDBOX: 'bwrap', PERIODIC_PYTHON_WARM_SANDBOXES: '2' } })
    await s.createCircle('acme')
    await s.createCircle('other')
    await create('acme', 'first', { environment: { WHO: 'acme' } })
    // The same code and environment, but 256 MB: it can never take a 128 MB warm sandbox.
    await create('acme', 'fresh', { environment: { WHO: 'acme' }, memory_mb: 256 })
    await create('other', 'second', { environment: { WHO: 'other' } })
    await create('acme', 'localized', { environment: { WHO: 'acme', LANG: 'C.UTF-8' } })
  })
  afterAll(() => s?.close())

  it('gives a cold element a pre-started sandbox that its code cannot tell from a fresh one', async () => {
    // The server's first pool starts the set (`fresh` never takes from it: 256 MB).
    const fresh = await invoke('acme/fresh')
    const before = await ready('acme/first', 2)
    expect(before.served).toBe(0)
    const pooled = await invoke('acme/first')
    expect((await warm('acme/first')).served).toBe(1)
    expect(pooled.env).toEqual(fresh.env)
    expect(pooled.env['WHO']).toBe('acme')
    expect(Object.keys(pooled.env).filter((k) => k.startsWith('PERIODIC_') && !k.endsWith('_DIR'))).toEqual(
      [],
    )
    for (const k of ['code', 'cwd', 'uid', 'hostname', 'routes'])
      expect([k, pooled[k]]).toEqual([k, fresh[k]])
    expect(pooled.found_mark_at_import).toBe(false)
  })

  it('never lets two elements of two circles share a sandbox', async () => {
    await ready('other/second', 2)
    const served = (await warm('other/second')).served
    const second = await invoke('other/second')
    expect((await warm('other/second')).served).toBe(served + 1)
    // The mark `first` left in its /tmp is not in this one.
    expect(second.found_mark_at_import).toBe(false)
    expect(second.env['WHO']).toBe('other')
  })

  it('starts an element that sets a variable read at process start in a fresh sandbox', async () => {
    await ready('acme/localized', 2)
    const served = (await warm('acme/localized')).served
    const out = await invoke('acme/localized')
    expect(out.env['LANG']).toBe('C.UTF-8')
    expect((await warm('acme/localized')).served).toBe(served)
  })
})

describe.skipIf(!existsSync('/usr/bin/bwrap'))('warm python sandboxes under a tight budget', () => {
  let s: TestServer
  beforeAll(async () => {
    // Room for two workers on the server: the two waiting sandboxes fill it.
    s = await startTestServer({
      env: {
        PERIODIC_SANDBOX: 'bwrap',
        PERIODIC_PYTHON_WARM_SANDBOXES: '2',
        PERIODIC_QUOTA_WORKERS: '2',
        PERIODIC_QUOTA_CIRCLE_WORKERS: '2',
      },
    })
    await s.createCircle('acme')
    for (const slug of ['a', 'b'])
      await s.api('POST', '/api/acme', {
        element_type: 'python',
        slug,
        spec: { source: { type: 'inline', code: 'def handler(i):\n    return i' }, memory_mb: 256 },
      })
  })
  afterAll(() => s?.close())

  it('gives the quota of waiting sandboxes to workers that need it', async () => {
    // A first pool starts the set; then both sandboxes wait, holding the server's two workers.
    const first = await s.api('POST', '/api/acme/a/ops/invoke?wait_for_completion=60', {})
    expect(first.body.status).toBe('succeeded')
    for (;;) {
      const w = (await s.api('GET', '/api/acme/a/ops/diagnostics')).body.warm_sandboxes
      const used = (await s.api('GET', '/api/acme/ops/stats')).body.quotas.server.workers.in_use
      if (w.ready + w.starting === 2 || used === 2) break
      await new Promise((r) => setTimeout(r, 50))
    }
    for (const slug of ['a', 'b']) {
      const r = await s.api('POST', `/api/acme/${slug}/ops/invoke?wait_for_completion=60`, { n: slug })
      expect(r.body, JSON.stringify(r.body)).toMatchObject({ status: 'succeeded', output: { n: slug } })
    }
    const stats = await s.api('GET', '/api/acme/ops/stats')
    expect(stats.body.quotas.server.workers.in_use).toBeLessThanOrEqual(2)
  })
})

describe.skipIf(!existsSync('/usr/bin/bwrap'))('warm python sandboxes with a dependency layer', () => {
  let s: TestServer
  let wheels: string
  const code = (v: number) =>
    `import os, pkgw\ndef handler(i):\n    return {"v": ${v}, "pkgw": pkgw.VALUE, "who": os.environ.get("WHO")}\n`
  const layered = async () =>
    (await s.api('GET', '/api/acme/dep/ops/diagnostics')).body.warm_sandboxes.layered as Warm[]

  beforeAll(async () => {
    wheels = mkdtempSync(join(tmpdir(), 'periodic-wheels-'))
    chmodSync(wheels, 0o755)
    makeWheel(wheels, 'pkgw', '1.0', 'VALUE = "w-1.0"\n')
    s = await startTestServer({
      env: {
        PERIODIC_SANDBOX: 'bwrap',
        PERIODIC_PYTHON_WARM_SANDBOXES: '1',
        PERIODIC_PIP_FIND_LINKS: wheels,
      },
    })
    await s.createCircle('acme')
    const made = await s.api('POST', '/api/acme', {
      element_type: 'python',
      slug: 'dep',
      spec: {
        source: { type: 'inline', code: code(1), requirements: ['pkgw==1.0'] },
        environment: { WHO: 'one' },
      },
    })
    expect(made.status, JSON.stringify(made.body)).toBe(201)
  })
  afterAll(async () => {
    await s?.close()
    rmSync(wheels, { recursive: true, force: true })
  })

  it('starts the next cold start of the same layers in a sandbox pre-started with them', async () => {
    const first = await s.api('POST', '/api/acme/dep/ops/invoke?wait_for_completion=120', {})
    expect(first.body, JSON.stringify(first.body)).toMatchObject({
      status: 'succeeded',
      cold_start: true,
      output: { v: 1, pkgw: 'w-1.0', who: 'one' },
    })
    // The first cold start was fresh; it started a sandbox with the layer for the next one.
    let sets = await layered()
    expect(sets).toHaveLength(1)
    expect(sets[0]!.served).toBe(0)
    while (sets[0]!.ready < 1) {
      await new Promise((r) => setTimeout(r, 50))
      sets = await layered()
    }
    // A new version: a new pool, whose first worker takes the waiting sandbox.
    const up = await s.api('PATCH', '/api/acme/dep/ops/update', {
      spec: { source: { code: code(2) }, environment: { WHO: 'two' } },
    })
    expect(up.status, JSON.stringify(up.body)).toBe(200)
    const second = await s.api('POST', '/api/acme/dep/ops/invoke?wait_for_completion=120', {})
    expect(second.body, JSON.stringify(second.body)).toMatchObject({
      status: 'succeeded',
      cold_start: true,
      output: { v: 2, pkgw: 'w-1.0', who: 'two' },
    })
    expect((await layered())[0]!.served).toBe(1)
  })
})
