// Turns a python element's source (inline, file or git) into a directory of code for one
// element version, written once and reused by every worker of that version.
import { execFile } from 'node:child_process'
import { createHash, randomUUID } from 'node:crypto'
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { basename, dirname, isAbsolute, join, normalize, relative, sep } from 'node:path'
import { promisify } from 'node:util'
import { PlatformError } from '../../errors.ts'
import { type OutboundLog, OutboundPolicy } from '../../net/outbound-policy.ts'
import type { ElementRow } from '../../storage/storage.ts'
import { checkRemote, type GitRemoteOptions, gitRemoteOf, pinnedClone, remoteHostPort } from './git-remote.ts'
import { PY, pythonSpecOf } from './spec.ts'

const run = promisify(execFile)

export interface MaterializedSource {
  /** Host directory mounted at /periodic/code. */
  dir: string
  /** The entry file, relative to dir. */
  entry: string
  /** Hash of the code (part of the worker pool key). */
  hash: string
}

function safeRelative(p: string, field: string): string {
  const n = normalize(p).replace(/^\/+/, '')
  if (!n || n.startsWith('..') || isAbsolute(n) || p.includes('\0')) {
    throw new PlatformError(
      PY.PYTHON_SOURCE_UNAVAILABLE,
      `${field} must be a relative path inside the workspace`,
      { field },
    )
  }
  return n
}

/** pytest's default test file names, and conftest.py: what a file source's tests look like. */
const TEST_FILE = /^(test_.*\.py|.*_test\.py|conftest\.py)$/

/** The real path of a workspace file, or null when it is missing or resolves outside. */
function workspaceFile(workspace: string, file: string): string | null {
  try {
    const real = realpathSync(file)
    const root = realpathSync(workspace)
    return real.startsWith(root + sep) && statSync(real).isFile() ? real : null
  } catch {
    return null
  }
}

export class SourceMaterializer {
  private readonly inflight = new Map<string, Promise<MaterializedSource>>()
  /**
   * Git sources resolved per element version (`id:version`): a ref is cloned once per version,
   * not per invoke, and two versions that both run (live's and draft's) do not evict each other.
   */
  private readonly gitSources = new Map<string, MaterializedSource>()

  private readonly git: GitRemoteOptions

  constructor(
    private readonly dataDir: string,
    git: Partial<GitRemoteOptions> = {},
    private readonly policy: OutboundPolicy = new OutboundPolicy(),
    private readonly log?: OutboundLog,
  ) {
    this.git = { allowLocal: git.allowLocal ?? false, allowSsh: git.allowSsh ?? false }
  }

  /** The circle's workspace: where `source.type = file` paths point. */
  workspaceDir(circleSlug: string): string {
    return join(this.dataDir, 'workspaces', circleSlug)
  }

  materialize(row: ElementRow, circleSlug: string): Promise<MaterializedSource> {
    const key = `${row.id}:${row.version}`
    const cached = this.gitSources.get(key)
    if (cached && existsSync(cached.dir)) return Promise.resolve(cached)
    let p = this.inflight.get(key)
    if (!p) {
      p = this.build(row, circleSlug).finally(() => this.inflight.delete(key))
      this.inflight.set(key, p)
    }
    return p
  }

  private async build(row: ElementRow, circleSlug: string): Promise<MaterializedSource> {
    const spec = pythonSpecOf(row)
    const base = join(this.dataDir, 'code', row.id)
    const source = spec.source
    if (source.type === 'inline') {
      const code = source.code ?? ''
      // The tests are part of the hash: a tests-only change must not reuse the old directory.
      const hash = createHash('sha256')
        .update(code)
        .update('\0')
        .update(source.tests ?? '')
        .digest('hex')
        .slice(0, 16)
      return this.writeOnce(join(base, hash), hash, 'main.py', (tmp) => {
        writeFileSync(join(tmp, 'main.py'), code)
        if (source.tests) writeFileSync(join(tmp, 'test_main.py'), source.tests)
      })
    }
    if (source.type === 'file') {
      const rel = safeRelative(source.path ?? '', 'spec.source.path')
      const workspace = this.workspaceDir(circleSlug)
      const file = join(workspace, rel)
      // realpath, so a symlink in the workspace cannot read host files outside it.
      if (!workspaceFile(workspace, file)) {
        throw new PlatformError(PY.PYTHON_SOURCE_UNAVAILABLE, `no file "${rel}" in the circle workspace`, {
          field: 'spec.source.path',
          path: rel,
        })
      }
      // The file keeps its name (its tests import it by that name) and brings the test files
      // beside it, for the test operation.
      const entry = basename(rel)
      const files: Array<[string, Buffer]> = [[entry, readFileSync(file)]]
      for (const name of readdirSync(dirname(file)).sort()) {
        if (name === entry || !TEST_FILE.test(name)) continue
        const real = workspaceFile(workspace, join(dirname(file), name))
        if (real) files.push([name, readFileSync(real)])
      }
      const h = createHash('sha256')
      for (const [name, content] of files) h.update(`${name}\0${content.length}\0`).update(content)
      const hash = h.digest('hex').slice(0, 16)
      return this.writeOnce(join(base, hash), hash, entry, (tmp) => {
        for (const [name, content] of files) writeFileSync(join(tmp, name), content)
      })
    }
    const fromGit = await this.fromGit(base, source.repository ?? '', source.ref, source.path)
    if (this.gitSources.size >= 1024) this.gitSources.delete(this.gitSources.keys().next().value as string)
    this.gitSources.set(`${row.id}:${row.version}`, fromGit)
    return fromGit
  }

  /**
   * Write-time check of a git source's host against the outbound policy. Other problems (a form
   * switched off, a bad ref) are reported when the source is used, as before.
   */
  async verifyGitSource(repository: string): Promise<void> {
    let hp: { host: string; port: number } | null
    try {
      hp = remoteHostPort(gitRemoteOf(repository, this.git))
    } catch {
      return
    }
    if (hp) await this.policy.checkHostAtWrite(hp.host, hp.port)
  }

  private async fromGit(
    base: string,
    repository: string,
    ref: string | undefined,
    path: string | undefined,
  ): Promise<MaterializedSource> {
    const remote = gitRemoteOf(repository, this.git)
    // No leading "-": git would read the ref as an option.
    if (ref && !/^(?!-)[\w./-]{1,256}$/.test(ref)) {
      throw new PlatformError(
        PY.PYTHON_SOURCE_UNAVAILABLE,
        'spec.source.ref is not a branch, tag or commit',
        { field: 'spec.source.ref' },
      )
    }
    const entry = safeRelative(path || 'main.py', 'spec.source.path')
    // Resolved and checked now, and git pinned to what was checked (no second lookup to rebind).
    const target = await checkRemote(remote, this.policy).catch((err: unknown) => {
      if (err instanceof PlatformError) throw err
      this.log?.warn({ err: String(err), repository }, 'git source: the host did not resolve')
      throw cloneFailed()
    })
    const pinned = pinnedClone(remote, repository, target, this.git)
    const tmp = join(base, `git-tmp-${randomUUID()}`)
    mkdirSync(base, { recursive: true })
    const env = { ...withoutProxies(process.env), ...pinned.env }
    try {
      const config = pinned.config.flatMap((c) => ['-c', c])
      try {
        await run('git', [...config, 'clone', '--quiet', '--no-checkout', '--', pinned.repository, tmp], {
          timeout: 120_000,
          env,
        })
      } catch (err) {
        // What git says tells a refused port from a silent one from a non-git server: the
        // caller gets one message, the log gets git's words.
        this.log?.warn({ repository, stderr: stderrOf(err) }, 'git source: clone failed')
        throw cloneFailed()
      }
      try {
        await run('git', ['-C', tmp, 'checkout', '--quiet', ref || 'HEAD', '--'], { timeout: 60_000, env })
      } catch (err) {
        this.log?.warn({ repository, ref, stderr: stderrOf(err) }, 'git source: checkout failed')
        throw new PlatformError(
          PY.PYTHON_SOURCE_UNAVAILABLE,
          `git source failed: no ref "${ref || 'HEAD'}" in the repository`,
          { field: 'spec.source.ref' },
        )
      }
      const { stdout } = await run('git', ['-C', tmp, 'rev-parse', 'HEAD'])
      const commit = stdout.trim()
      if (!existsSync(join(tmp, entry)))
        throw new PlatformError(
          PY.PYTHON_SOURCE_UNAVAILABLE,
          `git source failed: no ${entry} at ${commit.slice(0, 12)}`,
          {
            field: 'spec.source.path',
          },
        )
      rmSync(join(tmp, '.git'), { recursive: true, force: true })
      const dir = join(base, `git-${commit}`)
      if (!existsSync(dir)) renameSync(tmp, dir)
      return { dir, entry, hash: commit.slice(0, 16) }
    } finally {
      rmSync(tmp, { recursive: true, force: true })
    }
  }

  private writeOnce(
    dir: string,
    hash: string,
    entry: string,
    write: (tmp: string) => void,
  ): MaterializedSource {
    if (!existsSync(dir)) {
      const tmp = `${dir}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`
      mkdirSync(tmp, { recursive: true })
      write(tmp)
      try {
        renameSync(tmp, dir)
      } catch {
        rmSync(tmp, { recursive: true, force: true })
      }
    }
    return { dir, entry, hash }
  }
}

const cloneFailed = () =>
  new PlatformError(
    PY.PYTHON_SOURCE_UNAVAILABLE,
    'git source failed: the repository could not be cloned (the server log has the detail)',
    { field: 'spec.source.repository' },
  )

const stderrOf = (err: unknown) =>
  ((err as { stderr?: string }).stderr?.trim() || (err as Error).message || '').slice(0, 2000)

/** The environment without proxy settings: a proxy would resolve the host itself, unchecked. */
function withoutProxies(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(env))
    if (v !== undefined && !/^(https?|all|no|ftp)_proxy$/i.test(k)) out[k] = v
  return out
}

/** Copies a workspace tree (tests use it to stage `file` sources). */
export function copyIntoWorkspace(workspace: string, from: string, to: string): void {
  const target = join(workspace, safeRelative(relative(workspace, join(workspace, to)), 'path'))
  cpSync(from, target, { recursive: true })
}
