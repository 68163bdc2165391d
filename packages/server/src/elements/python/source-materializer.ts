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
import type { ElementRow } from '../../storage/storage.ts'
import type { PythonSpec } from './spec.ts'
import { PY } from './spec.ts'

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
  /** Git sources resolved per element version: a ref is cloned once per version, not per invoke. */
  private readonly gitSources = new Map<string, { version: number; source: MaterializedSource }>()

  constructor(
    private readonly dataDir: string,
    private readonly gitAllowLocal = false,
  ) {}

  /** The circle's workspace: where `source.type = file` paths point. */
  workspaceDir(circleSlug: string): string {
    return join(this.dataDir, 'workspaces', circleSlug)
  }

  materialize(row: ElementRow, circleSlug: string): Promise<MaterializedSource> {
    const cached = this.gitSources.get(row.id)
    if (cached?.version === row.version && existsSync(cached.source.dir))
      return Promise.resolve(cached.source)
    const key = `${row.id}:${row.version}`
    let p = this.inflight.get(key)
    if (!p) {
      p = this.build(row, circleSlug).finally(() => this.inflight.delete(key))
      this.inflight.set(key, p)
    }
    return p
  }

  private async build(row: ElementRow, circleSlug: string): Promise<MaterializedSource> {
    const spec = row.spec as unknown as PythonSpec
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
    this.gitSources.set(row.id, { version: row.version, source: fromGit })
    return fromGit
  }

  private async fromGit(
    base: string,
    repository: string,
    ref: string | undefined,
    path: string | undefined,
  ): Promise<MaterializedSource> {
    if (repository.startsWith('-') || /[\s\0]/.test(repository)) {
      throw new PlatformError(
        PY.PYTHON_SOURCE_UNAVAILABLE,
        'spec.source.repository is not a repository URL or path',
        { field: 'spec.source.repository' },
      )
    }
    // A local path would let a circle read any repository the server's user can: network
    // remotes only, unless the operator allows local ones (PERIODIC_GIT_ALLOW_LOCAL).
    const remote = /^(https?|ssh|git):\/\//.test(repository) || /^[\w.-]+@[\w.-]+:/.test(repository)
    if (!remote && !this.gitAllowLocal) {
      throw new PlatformError(
        PY.PYTHON_SOURCE_UNAVAILABLE,
        'spec.source.repository must be an https://, ssh:// or git:// remote (local repositories are off; PERIODIC_GIT_ALLOW_LOCAL=1 allows them)',
        { field: 'spec.source.repository' },
      )
    }
    // No leading "-": git would read the ref as an option.
    if (ref && !/^(?!-)[\w./-]{1,256}$/.test(ref)) {
      throw new PlatformError(
        PY.PYTHON_SOURCE_UNAVAILABLE,
        'spec.source.ref is not a branch, tag or commit',
        { field: 'spec.source.ref' },
      )
    }
    const entry = safeRelative(path || 'main.py', 'spec.source.path')
    const tmp = join(base, `git-tmp-${randomUUID()}`)
    mkdirSync(base, { recursive: true })
    try {
      // Only the transports allowed above, also for whatever the repository redirects to.
      const protocols = ['https', 'http', 'ssh', 'git', ...(this.gitAllowLocal ? ['file'] : [])]
      const allow = [
        '-c',
        'protocol.allow=never',
        ...protocols.flatMap((p) => ['-c', `protocol.${p}.allow=always`]),
      ]
      await run('git', [...allow, 'clone', '--quiet', '--no-checkout', '--', repository, tmp], {
        timeout: 120_000,
      })
      await run('git', ['-C', tmp, 'checkout', '--quiet', ref || 'HEAD', '--'], { timeout: 60_000 })
      const { stdout } = await run('git', ['-C', tmp, 'rev-parse', 'HEAD'])
      const commit = stdout.trim()
      if (!existsSync(join(tmp, entry))) throw new Error(`no ${entry} at ${commit.slice(0, 12)}`)
      rmSync(join(tmp, '.git'), { recursive: true, force: true })
      const dir = join(base, `git-${commit}`)
      if (!existsSync(dir)) renameSync(tmp, dir)
      return { dir, entry, hash: commit.slice(0, 16) }
    } catch (err) {
      const message = (err as { stderr?: string }).stderr?.trim() || (err as Error).message
      throw new PlatformError(PY.PYTHON_SOURCE_UNAVAILABLE, `git source failed: ${message.slice(0, 500)}`, {
        field: 'spec.source.repository',
      })
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

/** Copies a workspace tree (tests use it to stage `file` sources). */
export function copyIntoWorkspace(workspace: string, from: string, to: string): void {
  const target = join(workspace, safeRelative(relative(workspace, join(workspace, to)), 'path'))
  cpSync(from, target, { recursive: true })
}
