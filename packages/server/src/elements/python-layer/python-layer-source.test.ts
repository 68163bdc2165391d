// A python-layer's Source over smart HTTP with stock git: its files are real files at the root
// of the clone, and a push of edited, added and removed files is the layer's next version, which
// python elements naming it (unpinned) run next. A binary file is refused with nothing changed.
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../../../test/test-server.ts'

const execFileAsync = promisify(execFile)
const C = 'layer-src'

describe('python-layer Source', () => {
  let s: TestServer
  let key: string
  let dir: string
  // Asynchronous: the server answering git runs in this process.
  const git = async (cwd: string, ...args: string[]) =>
    (
      await execFileAsync('git', ['-c', 'user.name=Ada', '-c', 'user.email=ada@example.com', ...args], {
        cwd,
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
      })
    ).stdout
  const layer = async () => (await s.api('GET', `/api/${C}/lib`)).body
  const invoke = async () =>
    (await s.api('POST', `/api/${C}/user/ops/invoke?wait_for_completion=60`, {})).body

  beforeAll(async () => {
    s = await startTestServer()
    await s.createCircle(C)
    key = await s.createKey(C, ['read', 'write', 'execute'])
    dir = mkdtempSync(join(tmpdir(), 'periodic-layer-src-'))
    const l = await s.api('POST', `/api/${C}`, {
      element_type: 'python-layer',
      slug: 'lib',
      spec: { files: { 'libmod.py': 'VALUE = "one"\n', 'pkg/__init__.py': 'NAME = "pkg"\n' } },
    })
    expect(l.status, JSON.stringify(l.body)).toBe(201)
    const code = 'import libmod\ndef handler(input):\n    return libmod.VALUE\n'
    const u = await s.api('POST', `/api/${C}`, {
      element_type: 'python',
      slug: 'user',
      spec: { source: { type: 'inline', code }, layers: ['lib'] },
    })
    expect(u.status, JSON.stringify(u.body)).toBe(201)
  })
  afterAll(async () => {
    await s?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('clones as the layer directory and applies a push of edited, added and removed files', async () => {
    const url = `${s.url.replace('://', `://periodic:${key}@`)}/git/${C}/lib.git`
    await git(dir, 'clone', '-q', '--branch', 'draft', url, 'lib')
    const repo = join(dir, 'lib')
    expect(readFileSync(join(repo, 'libmod.py'), 'utf8')).toBe('VALUE = "one"\n')
    expect(readFileSync(join(repo, 'pkg/__init__.py'), 'utf8')).toBe('NAME = "pkg"\n')
    expect(readFileSync(join(repo, '.periodic/spec.yaml'), 'utf8')).not.toContain('libmod')
    expect(await invoke()).toMatchObject({ status: 'succeeded', output: 'one' })

    writeFileSync(join(repo, 'libmod.py'), 'from helpers import twice\nVALUE = twice("two")\n')
    writeFileSync(join(repo, 'helpers.py'), 'def twice(s):\n    return s + s\n')
    await git(repo, 'rm', '-q', 'pkg/__init__.py')
    await git(repo, 'add', '-A')
    await git(repo, 'commit', '-qm', 'helpers')
    await git(repo, 'push', '-q', 'origin', 'draft')
    const el = await layer()
    expect(el.version).toBe(2)
    expect(el.spec.files).toEqual({
      'libmod.py': 'from helpers import twice\nVALUE = twice("two")\n',
      'helpers.py': 'def twice(s):\n    return s + s\n',
    })
    expect(await invoke()).toMatchObject({ status: 'succeeded', output: 'twotwo' })

    // A layer holds text: a binary file is refused, nothing changes.
    writeFileSync(join(repo, 'blob.bin'), Buffer.from([0xff, 0xfe, 0x00, 0x80]))
    await git(repo, 'add', '-A')
    await git(repo, 'commit', '-qm', 'binary')
    await expect(git(repo, 'push', '-q', 'origin', 'draft')).rejects.toThrow(/not UTF-8/)
    expect((await layer()).version).toBe(2)
    expect(existsSync(join(repo, 'helpers.py'))).toBe(true)
  })
})
