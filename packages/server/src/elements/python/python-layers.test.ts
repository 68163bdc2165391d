// spec.layers over real HTTP and real sandboxes: python elements import modules of python-layer
// elements of their circle (files and built requirements, read-only on sys.path), follow an
// unpinned layer's updates (warm workers recycled) or keep a pinned version, and a reference
// that names no layer is a 400 with a catalogue code when written. No package index: the
// wheels are made here and served with --find-links.
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeWheel } from '../../../bench/make-wheel.ts'
import { startTestServer, type TestServer } from '../../../test/test-server.ts'
import { SYSTEM_ACTOR } from '../../auth/actor.ts'

const C = 'layers'

/** A handler returning `expr` (Python) after `imports`. */
const handler = (imports: string[], expr: string) =>
  [...imports.map((m) => `import ${m}`), 'def handler(input):', `    return ${expr}`, ''].join('\n')

describe('python layers', () => {
  let s: TestServer
  let wheels: string

  async function layer(slug: string, spec: Record<string, unknown>, parent = C) {
    const r = await s.api('POST', `/api/${parent}`, { element_type: 'python-layer', slug, spec })
    expect(r.status, JSON.stringify(r.body)).toBe(201)
    return r.body
  }
  async function fn(slug: string, code: string, spec: Record<string, unknown> = {}) {
    const r = await s.api('POST', `/api/${C}`, {
      element_type: 'python',
      slug,
      spec: { source: { type: 'inline', code }, ...spec },
    })
    expect(r.status, JSON.stringify(r.body)).toBe(201)
    return r.body
  }
  async function invoke(slug: string) {
    const r = await s.api('POST', `/api/${C}/${slug}/ops/invoke?wait_for_completion=60`, {})
    expect(r.status, JSON.stringify(r.body)).not.toBe(500)
    expect(r.body.status, JSON.stringify(r.body)).not.toMatch(/queued|running/)
    return r.body
  }
  async function pools(slug: string): Promise<Array<{ key: string }>> {
    return (await s.api('GET', `/api/${C}/${slug}/ops/diagnostics`)).body.pools
  }
  function expectError(r: { status: number; body: any }, status: number, code: string) {
    expect(r.status, JSON.stringify(r.body)).toBe(status)
    expect(r.body.error.code, JSON.stringify(r.body)).toBe(code)
    return r.body.error
  }

  beforeAll(async () => {
    wheels = mkdtempSync(join(tmpdir(), 'periodic-layer-wheels-'))
    chmodSync(wheels, 0o755)
    makeWheel(wheels, 'layerdep', '1.0', 'VALUE = "dep-1.0"\n')
    makeWheel(wheels, 'layerdep', '2.0', 'VALUE = "dep-2.0"\n')
    s = await startTestServer({ env: { PERIODIC_PIP_FIND_LINKS: wheels } })
    await s.createCircle(C)
    await s.createCircle('elsewhere')
    expect((await s.api('POST', `/api/${C}`, { element_type: 'project', slug: 'libs' })).status).toBe(201)
    await layer(
      'common',
      {
        description: 'text helpers',
        files: {
          'textutils.py': 'VALUE = "v1"\ndef shout(s):\n    return s.upper() + "!"\n',
          'acme/__init__.py': 'from acme.names import NAME\n',
          'acme/names.py': 'NAME = "acme"\n',
        },
      },
      `${C}/libs`,
    )
  })
  afterAll(async () => {
    await s?.close()
    if (wheels) rmSync(wheels, { recursive: true, force: true })
  })

  it('a handler imports modules and packages of a layer named by its path', async () => {
    await fn(
      'uses-common',
      handler(
        ['textutils', 'acme'],
        '{"value": textutils.VALUE, "shout": textutils.shout("hi"), "name": acme.NAME}',
      ),
      { layers: ['libs/common'] },
    )
    const run = await invoke('uses-common')
    expect(run).toMatchObject({ status: 'succeeded', output: { value: 'v1', shout: 'HI!', name: 'acme' } })
    // The flat slug resolves too (slugs are unique per circle), to the same layer.
    await fn('uses-flat', handler(['textutils'], 'textutils.VALUE'), { layers: ['common'] })
    expect(await invoke('uses-flat')).toMatchObject({ status: 'succeeded', output: 'v1' })
  })

  it('an unpinned layer follows updates and restores (warm workers recycled); a pinned one keeps its version', async () => {
    await layer('shared', { files: { 'shared_mod.py': 'VALUE = "one"\n' } })
    await fn('follows', handler(['shared_mod'], 'shared_mod.VALUE'), { layers: ['shared'] })
    await fn('pinned', handler(['shared_mod'], 'shared_mod.VALUE'), { layers: ['shared@1'] })
    expect(await invoke('follows')).toMatchObject({ status: 'succeeded', output: 'one', cold_start: true })
    expect(await invoke('follows')).toMatchObject({ output: 'one', cold_start: false })
    expect(await invoke('pinned')).toMatchObject({ output: 'one', cold_start: true })

    const up = await s.api('PATCH', `/api/${C}/shared`, {
      spec: { files: { 'shared_mod.py': 'VALUE = "two"\n' } },
    })
    expect(up.status, JSON.stringify(up.body)).toBe(200)
    expect(up.body.version).toBe(2)
    expect(await invoke('follows')).toMatchObject({ status: 'succeeded', output: 'two', cold_start: true })
    // The pool that mounted version 1 was retired, not kept warm beside the new one.
    expect(await pools('follows')).toHaveLength(1)
    // The pinned element's workers were not touched: same version, still warm.
    expect(await invoke('pinned')).toMatchObject({ status: 'succeeded', output: 'one', cold_start: false })
    const d = await s.api('GET', `/api/${C}/pinned/ops/diagnostics`)
    expect(d.body.layers).toEqual([
      expect.objectContaining({
        layer: 'shared@1',
        version: 1,
        pinned: true,
        latest_version: 2,
        files: ['shared_mod.py'],
      }),
    ])

    const restored = await s.api('POST', `/api/${C}/shared/ops/restore`, { version: 1 })
    expect(restored.status, JSON.stringify(restored.body)).toBe(200)
    expect(await invoke('follows')).toMatchObject({ output: 'one', cold_start: true })
    // A pin to the second version names the content it had then.
    await fn('pinned-two', handler(['shared_mod'], 'shared_mod.VALUE'), { layers: ['shared@2'] })
    expect(await invoke('pinned-two')).toMatchObject({ status: 'succeeded', output: 'two' })
  })

  it('refuses entries that name no layer of the circle, with a catalogue code, and writes nothing', async () => {
    await fn('not-a-layer', handler([], '1'))
    await layer('foreign', { files: { 'f.py': '' } }, 'elsewhere')
    const cases: Array<[string[], string, Record<string, unknown>]> = [
      [['nope'], 'PYTHON_LAYER_NOT_FOUND', { layer: 'nope', field: 'spec.layers[0]' }],
      [['common', 'libs/nope'], 'PYTHON_LAYER_NOT_FOUND', { layer: 'libs/nope', field: 'spec.layers[1]' }],
      // A path goes through the layer's ancestors: "shared" is not under libs.
      [['libs/shared'], 'PYTHON_LAYER_NOT_FOUND', { layer: 'libs/shared' }],
      // Another circle's layer is out of reach: paths never leave the element's circle.
      [['foreign'], 'PYTHON_LAYER_NOT_FOUND', { layer: 'foreign' }],
      [['libs/common@99'], 'PYTHON_LAYER_NOT_FOUND', { version: 99, latest_version: 1 }],
      [['not-a-layer'], 'PYTHON_LAYER_INVALID', { element_type: 'python' }],
      [['libs'], 'PYTHON_LAYER_INVALID', { element_type: 'project' }],
      // Two paths to one layer.
      [['libs/common', 'common'], 'PYTHON_LAYER_INVALID', { field: 'spec.layers[1]' }],
    ]
    for (const [layers, code, details] of cases) {
      const created = await s.api('POST', `/api/${C}`, {
        element_type: 'python',
        slug: 'refused',
        spec: { source: { type: 'inline', code: handler([], '1') }, layers },
      })
      expect(expectError(created, 400, code).details, JSON.stringify(layers)).toMatchObject(details)
      const updated = await s.api('PATCH', `/api/${C}/not-a-layer`, { spec: { layers } })
      expectError(updated, 400, code)
    }
    expect((await s.api('GET', `/api/${C}/refused`)).status).toBe(404)
    expect((await s.api('GET', `/api/${C}/not-a-layer`)).body).toMatchObject({
      version: 1,
      spec: { layers: [] },
    })
    // Itself: a python element is no layer, and the message says why.
    const self = expectError(
      await s.api('PATCH', `/api/${C}/not-a-layer`, { spec: { layers: ['not-a-layer'] } }),
      400,
      'PYTHON_LAYER_INVALID',
    )
    expect(self.message).toContain('its own layer')
    // Not a path at all: the schema's pattern.
    for (const bad of ['Bad Ref', 'common@0', '/common', 'common@x'])
      expectError(
        await s.api('PATCH', `/api/${C}/not-a-layer`, { spec: { layers: [bad] } }),
        400,
        'VALIDATION_FAILED',
      )
    // Layers do not nest, so they cannot form a cycle: a layer has no spec.layers.
    expectError(
      await s.api('POST', `/api/${C}`, {
        element_type: 'python-layer',
        slug: 'nested',
        spec: { layers: ['common'] },
      }),
      400,
      'VALIDATION_FAILED',
    )
  })

  it('naming a new layer needs the read scope, and a layer in use cannot be deleted', async () => {
    await layer('doomed', { files: { 'doomed_mod.py': 'VALUE = "here"\n' } })
    await fn('uses-doomed', handler(['doomed_mod'], 'doomed_mod.VALUE'))
    const writeOnly = await s.createKey(C, ['write'])
    const denied = await s.api(
      'PATCH',
      `/api/${C}/uses-doomed`,
      { spec: { layers: ['doomed'] } },
      { key: writeOnly },
    )
    expectError(denied, 403, 'FORBIDDEN')
    const ok = await s.api('PATCH', `/api/${C}/uses-doomed`, { spec: { layers: ['doomed'] } })
    expect(ok.status, JSON.stringify(ok.body)).toBe(200)
    // A write that leaves the layers alone needs no read.
    const mem = await s.api(
      'PATCH',
      `/api/${C}/uses-doomed`,
      { spec: { memory_mb: 256 } },
      { key: writeOnly },
    )
    expect(mem.status, JSON.stringify(mem.body)).toBe(200)
    expect(await invoke('uses-doomed')).toMatchObject({ status: 'succeeded', output: 'here' })

    const refused = await s.api('DELETE', `/api/${C}/doomed`, { confirm: true })
    expect(expectError(refused, 409, 'PYTHON_LAYER_IN_USE').details.used_by).toEqual(['uses-doomed'])
    expect(await invoke('uses-doomed')).toMatchObject({ status: 'succeeded', output: 'here' })
    // Without users it goes.
    await s.api('PATCH', `/api/${C}/uses-doomed`, { spec: { layers: [] } })
    expect((await s.api('DELETE', `/api/${C}/doomed`, { confirm: true })).status).toBe(200)
  })

  it('a layer deleted anyway fails runs and restores with PYTHON_LAYER_NOT_FOUND', async () => {
    const gone = await layer('gone', { files: { 'gone_mod.py': 'VALUE = "here"\n' } })
    await fn('uses-gone', handler(['gone_mod'], 'gone_mod.VALUE'), { layers: ['gone@1'] })
    expect(await invoke('uses-gone')).toMatchObject({ status: 'succeeded', output: 'here' })
    // A reference written at the moment of a delete slips past its 409: the service-level delete
    // stands for that race here.
    const row = await s.platform.storage.getElement(gone.id)
    await s.platform.elements.softDelete(row!, SYSTEM_ACTOR)
    // Pinned or not, a deleted layer retires the workers that mount it.
    expect(await pools('uses-gone')).toHaveLength(0)
    const run = await invoke('uses-gone')
    expect(run).toMatchObject({ status: 'failed', error: { code: 'PYTHON_LAYER_NOT_FOUND' } })
    const d = await s.api('GET', `/api/${C}/uses-gone/ops/diagnostics`)
    expect(d.body.layers).toEqual([
      { layer: 'gone@1', error: expect.objectContaining({ code: 'PYTHON_LAYER_NOT_FOUND' }) },
    ])
    // Restoring a version that names it is refused like writing it anew.
    expect((await s.api('PATCH', `/api/${C}/uses-gone`, { spec: { layers: [] } })).status).toBe(200)
    const r = await s.api('POST', `/api/${C}/uses-gone/ops/restore`, { version: 1 })
    expectError(r, 400, 'PYTHON_LAYER_NOT_FOUND')
  })

  it('mounts a layer read-only: the handler cannot change its files', async () => {
    const code = [
      'import errno, os, textutils',
      'def handler(input):',
      '    root = os.path.dirname(textutils.__file__)',
      '    out = {}',
      '    for name, mode in (("textutils.py", "a"), ("new.py", "w")):',
      '        try:',
      '            with open(os.path.join(root, name), mode) as f:',
      '                f.write("VALUE = 1\\n")',
      '            out[name] = "written"',
      '        except OSError as e:',
      '            out[name] = errno.errorcode.get(e.errno, str(e.errno))',
      '    return out',
      '',
    ].join('\n')
    await fn('writes-layer', code, { layers: ['libs/common'] })
    const run = await invoke('writes-layer')
    expect(run.status, JSON.stringify(run)).toBe('succeeded')
    for (const name of ['textutils.py', 'new.py'])
      expect(['EROFS', 'EACCES', 'EPERM']).toContain(run.output[name])
    expect(await invoke('uses-common')).toMatchObject({ output: { value: 'v1' } })
  })

  it('builds a layer’s requirements like a dependency layer, after the element’s own on sys.path', async () => {
    await layer('with-deps', {
      files: { 'wrap.py': 'import layerdep\nVALUE = "wrapped " + layerdep.VALUE\n' },
      requirements: 'layerdep==1.0  # the layer’s own pin\n',
    })
    await fn('uses-deps', handler(['wrap'], 'wrap.VALUE'), { layers: ['with-deps'] })
    // build covers the layers' requirements too, each build readable with build_status.
    const b = await s.api('POST', `/api/${C}/uses-deps/ops/build`, { wait_for_completion: 60 })
    expect(b.status, JSON.stringify(b.body)).toBe(200)
    expect(b.body).toMatchObject({ layer_key: null, status: 'succeeded' })
    expect(b.body.layers).toEqual([
      expect.objectContaining({ layer: 'with-deps', requirements: ['layerdep==1.0'], status: 'succeeded' }),
    ])
    const status = await s.api('GET', `/api/${C}/uses-deps/ops/build/${b.body.layers[0].build_id}`)
    expect(status.body, JSON.stringify(status.body)).toMatchObject({ status: 'succeeded' })
    expect(status.body.output).toContain('Successfully installed layerdep-1.0')
    const run = await invoke('uses-deps')
    expect(run, JSON.stringify(run)).toMatchObject({ status: 'succeeded', output: 'wrapped dep-1.0' })
    // Built once, in the dependency-layer cache.
    const built = readdirSync(join(s.dataDir, 'layers')).filter((d) =>
      existsSync(join(s.dataDir, 'layers', d, '.complete')),
    )
    expect(built.length).toBeGreaterThanOrEqual(1)
    // The element's own requirement comes first on sys.path, so its pin wins over the layer's.
    await fn('own-pin', handler(['layerdep', 'wrap'], '[layerdep.VALUE, wrap.VALUE]'), {
      layers: ['with-deps'],
      requirements: { layerdep: '2.0' },
    })
    expect(await invoke('own-pin')).toMatchObject({
      status: 'succeeded',
      output: ['dep-2.0', 'wrapped dep-2.0'],
    })
  })

  it('puts earlier layers first, and the test operation sees the layers too', async () => {
    await layer('first', { files: { 'which.py': 'VALUE = "first"\n' } })
    await layer('second', { files: { 'which.py': 'VALUE = "second"\n', 'only_second.py': 'VALUE = 2\n' } })
    await fn('ordered', handler(['which', 'only_second'], '[which.VALUE, only_second.VALUE]'), {
      layers: ['first', 'second'],
      source: {
        type: 'inline',
        code: handler(['which', 'only_second'], '[which.VALUE, only_second.VALUE]'),
        tests: 'import which\n\ndef test_layer_on_path():\n    assert which.VALUE == "first"\n',
      },
    })
    expect(await invoke('ordered')).toMatchObject({ status: 'succeeded', output: ['first', 2] })
    const started = await s.api('POST', `/api/${C}/ordered/ops/test`, {})
    expect([200, 202], JSON.stringify(started.body)).toContain(started.status)
    const deadline = Date.now() + 60_000
    let t = started.body
    while (['queued', 'running'].includes(t.status)) {
      if (Date.now() > deadline) throw new Error('test run still running at the deadline')
      await new Promise((res) => setTimeout(res, 100))
      t = (await s.api('GET', `/api/${C}/ordered/ops/test/${started.body.test_run_id}`)).body
    }
    expect(t, JSON.stringify(t)).toMatchObject({ status: 'succeeded' })
  })
})

// The same mounts on every isolating executor on this machine, chosen as an operator would.
for (const ex of [
  { name: 'bwrap', present: existsSync('/usr/bin/bwrap') },
  { name: 'gvisor', present: existsSync('/usr/bin/runsc') },
])
  describe.skipIf(!ex.present)(`python layers on the ${ex.name} executor`, () => {
    let s: TestServer
    beforeAll(async () => {
      s = await startTestServer({ env: { PERIODIC_SANDBOX: ex.name } })
      await s.createCircle(C)
    })
    afterAll(async () => s?.close())

    it('imports from a layer mounted read-only (ro in mountinfo) and cannot write to it', async () => {
      const lib = await s.api('POST', `/api/${C}`, {
        element_type: 'python-layer',
        slug: 'lib',
        spec: { files: { 'libmod.py': 'VALUE = "from the layer"\n' } },
      })
      expect(lib.status, JSON.stringify(lib.body)).toBe(201)
      const code = [
        'import errno, os, libmod',
        'def handler(input):',
        '    try:',
        '        open(os.path.join(os.path.dirname(libmod.__file__), "x.py"), "w").close()',
        '        wrote = "written"',
        '    except OSError as e:',
        '        wrote = errno.errorcode.get(e.errno, str(e.errno))',
        '    root = os.path.dirname(libmod.__file__)',
        '    # The mount options (6th field) of the mount at the layer root: read-only, not only unwritable.',
        '    opts = [l.split()[5] for l in open("/proc/self/mountinfo") if l.split()[4] == root]',
        '    return {"value": libmod.VALUE, "write": wrote, "mount": opts}',
        '',
      ].join('\n')
      const fnr = await s.api('POST', `/api/${C}`, {
        element_type: 'python',
        slug: 'reader',
        spec: { source: { type: 'inline', code }, layers: ['lib'] },
      })
      expect(fnr.status, JSON.stringify(fnr.body)).toBe(201)
      const r = await s.api('POST', `/api/${C}/reader/ops/invoke?wait_for_completion=60`, {})
      expect(r.body, JSON.stringify(r.body)).toMatchObject({
        status: 'succeeded',
        output: { value: 'from the layer' },
      })
      expect(['EROFS', 'EACCES', 'EPERM']).toContain(r.body.output.write)
      expect(r.body.output.mount).toHaveLength(1)
      expect(r.body.output.mount[0].split(',')).toContain('ro')
    })
  })
