// Pushes over smart HTTP with stock git: a push to draft is validated and applied to the element
// as an update (its commit becomes the version's), everything else is refused with nothing
// changed — demo/live, secrets, oversize files, links, force pushes, invalid specs, read-only keys,
// and the loser of two concurrent pushes.
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../../../test/test-server.ts'

const execFileAsync = promisify(execFile)
const CODE = 'def handler(input):\n    return {"v": 1}\n'

describe('pushing to an element’s Source', () => {
  let s: TestServer
  let key: string
  let dir: string
  const c = 'push'
  const url = (k: string) => `${s.url.replace('://', `://periodic:${k}@`)}/git/${c}/fn.git`
  // Asynchronous: the server answering git runs in this process.
  const git = async (cwd: string, ...args: string[]) =>
    (
      await execFileAsync('git', ['-c', 'user.name=Ada', '-c', 'user.email=ada@example.com', ...args], {
        cwd,
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
      })
    ).stdout
  const element = async () => (await s.api('GET', `/api/${c}/fn`)).body
  const draftHead = async () =>
    (await s.api('GET', `/api/${c}/fn/ops/source/status`)).body.draft_commit as string
  const clone = async (name: string, k = key) => {
    await git(dir, 'clone', '-q', '--branch', 'draft', url(k), name)
    return join(dir, name)
  }
  const refused = async (repo: string, pattern: RegExp, ...pushArgs: string[]) => {
    const before = { version: (await element()).version, head: await draftHead() }
    await expect(
      git(repo, 'push', '-q', 'origin', ...(pushArgs.length ? pushArgs : ['draft'])),
    ).rejects.toThrow(pattern)
    expect({ version: (await element()).version, head: await draftHead() }).toEqual(before)
  }

  beforeAll(async () => {
    s = await startTestServer()
    await s.createCircle(c)
    key = await s.createKey(c, ['read', 'write', 'execute'])
    const r = await s.api('POST', `/api/${c}`, {
      element_type: 'python',
      slug: 'fn',
      spec: { source: { type: 'inline', code: CODE } },
    })
    expect(r.status).toBe(201)
    dir = mkdtempSync(join(tmpdir(), 'periodic-push-'))
  })
  afterAll(async () => {
    await s?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('applies a push to draft to the element as an update, its commit the version’s', async () => {
    const repo = await clone('a')
    const code = CODE.replace('"v": 1', '"v": 2')
    writeFileSync(join(repo, 'main.py'), code)
    writeFileSync(join(repo, 'README.md'), '# fn\n')
    const spec = (await git(repo, 'show', 'HEAD:.periodic/spec.yaml')).replace(
      'memory_mb: 128',
      'memory_mb: 256',
    )
    writeFileSync(join(repo, '.periodic', 'spec.yaml'), spec)
    await git(repo, 'commit', '-qam', 'faster parse')
    const before = (await element()).version
    await git(repo, 'push', '-q', 'origin', 'draft')
    const el = await element()
    expect(el.version).toBe(before + 1)
    expect(el.spec.source.code).toBe(code)
    expect(el.spec.memory_mb).toBe(256)
    expect((await s.api('GET', `/api/${c}/fn/ops/readme`)).body.content).toBe('# fn\n')
    expect(await draftHead()).toBe((await git(repo, 'rev-parse', 'HEAD')).trim())
    const history = (await s.api('GET', `/api/${c}/fn/ops/version?history=true&limit=1`)).body
    expect(JSON.stringify(history)).toContain('faster parse')
    const run = await s.api('POST', `/api/${c}/fn/ops/invoke?wait_for_completion=60`, { input: {} })
    expect(run.body.output).toEqual({ v: 2 })
    // Status agrees: the element and its draft are one truth.
    expect((await s.api('GET', `/api/${c}/fn/ops/source/status`)).body.health).toBe('ok')
  })

  it('refuses pushes to demo and live, and force pushes', async () => {
    const repo = await clone('b')
    await git(repo, 'commit', '-q', '--allow-empty', '-m', 'x')
    await refused(repo, /moves only by promotion/, 'HEAD:live')
    await refused(repo, /moves only by promotion/, 'HEAD:demo')
    await git(repo, 'reset', '-q', '--hard', 'HEAD~2')
    await git(repo, 'commit', '-q', '--allow-empty', '-m', 'rewritten')
    await refused(repo, /draft has moved|no force pushes/, '--force', 'draft')
  })

  it('refuses secrets, oversize files, links and generated output, naming them', async () => {
    const cases: Array<[string, (repo: string) => void, RegExp]> = [
      [
        'key',
        (r) => writeFileSync(join(r, 'id_rsa'), '-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n'),
        /id_rsa: .*private key/,
      ],
      [
        'token',
        (r) => writeFileSync(join(r, 'conf.py'), `TOKEN = "ghp_${'a'.repeat(36)}"\n`),
        /GitHub token/,
      ],
      [
        'big',
        (r) => writeFileSync(join(r, 'big.bin'), Buffer.alloc(6 * 1024 * 1024, 1)),
        /big\.bin: .*at most/,
      ],
      ['link', (r) => symlinkSync('/etc/passwd', join(r, 'passwd')), /passwd: symbolic links/],
      ['pyc', (r) => writeFileSync(join(r, 'main.cpython-311.pyc'), 'x'), /generated output/],
    ]
    for (const [name, plant, pattern] of cases) {
      const repo = await clone(`bad-${name}`)
      plant(repo)
      await git(repo, 'add', '-A')
      await git(repo, 'commit', '-qm', name)
      await refused(repo, pattern)
    }
  })

  it('refuses a spec the schema refuses, with its reason', async () => {
    const repo = await clone('invalid')
    writeFileSync(join(repo, '.periodic', 'spec.yaml'), 'memory_mb: 1\n')
    await git(repo, 'commit', '-qam', 'too small')
    await refused(repo, /VALIDATION_FAILED/)
  })

  it('needs the write scope to push', async () => {
    const reader = await s.createKey(c, ['read'])
    const repo = await clone('reader', reader)
    await git(repo, 'commit', '-q', '--allow-empty', '-m', 'x')
    await refused(repo, /403/)
  })

  it('lets one of two concurrent pushes win and tells the other to fetch', async () => {
    const [x, y] = [await clone('x'), await clone('y')]
    writeFileSync(join(x, 'main.py'), CODE.replace('"v": 1', '"v": 3'))
    writeFileSync(join(y, 'main.py'), CODE.replace('"v": 1', '"v": 4'))
    await git(x, 'commit', '-qam', 'x')
    await git(y, 'commit', '-qam', 'y')
    const results = await Promise.allSettled([
      git(x, 'push', '-q', 'origin', 'draft'),
      git(y, 'push', '-q', 'origin', 'draft'),
    ])
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    const loser = results.find((r) => r.status === 'rejected') as PromiseRejectedResult
    expect(String(loser.reason)).toMatch(/draft has moved since you fetched|fetch first|rejected/)
    const winner = results[0]!.status === 'fulfilled' ? x : y
    expect(await draftHead()).toBe((await git(winner, 'rev-parse', 'HEAD')).trim())
    expect((await element()).spec.source.code).toContain(winner === x ? '"v": 3' : '"v": 4')
  })
})
