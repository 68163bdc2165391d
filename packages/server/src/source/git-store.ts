// The Source store: one bare Git repository per element, with the branches `draft`, `demo` and
// `live`. Objects are written in-process with isomorphic-git (no process per commit: an API
// write's commit costs a few file writes), so the repositories are plain Git that stock `git`
// clones, bundles and serves. Branch updates are compare-and-set under Git's own lock file
// (`refs/heads/<b>.lock`, created exclusively), so two writers — two nodes on one shared
// directory included — never lose each other's commits. Nothing is cached: every read sees the
// refs on disk, so no node serves a stale branch.
import * as fs from 'node:fs'
import { appendFile, mkdir, readdir, readFile, rm } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import git from 'isomorphic-git'
import * as objects from './git-objects.ts'

export const BRANCHES = ['draft', 'demo', 'live'] as const
export type Branch = (typeof BRANCHES)[number]

/** A file of an element's tree: its path (`/`-separated, relative) and content. */
export type SourceFiles = Record<string, string | Uint8Array>

export interface Author {
  name: string
  email: string
}

export interface CommitInfo {
  commit: string
  message: string
  author: Author
  at: string
  parents: string[]
}

export class RefMovedError extends Error {
  constructor(
    readonly ref: string,
    readonly expected: string | null,
    readonly actual: string | null,
  ) {
    super(`${ref} is at ${actual ?? 'nothing'}, not ${expected ?? 'nothing'}`)
  }
}

const SHA = /^[0-9a-f]{40}$/
/** The file beside the refs naming the repository's circle. */
const CIRCLE_FILE = 'periodic-circle'

export class GitStore {
  /** `${commit}:${dir}` → that directory's tree id (null: none); see `subtree`. */
  private readonly subtrees = new Map<string, string | null>()

  readonly root: string

  constructor(root: string) {
    this.root = resolve(root)
  }

  /** The bare repository of an element (its directory need not exist yet). */
  gitdir(elementId: string): string {
    if (!/^[0-9a-f-]{36}$/.test(elementId)) throw new Error(`not an element id: ${elementId}`)
    // Concatenated (the root is absolute and normalised): every run asks for it.
    return `${this.root}/${elementId}.git`
  }

  async exists(elementId: string): Promise<boolean> {
    return fs.existsSync(join(this.gitdir(elementId), 'HEAD'))
  }

  /**
   * Creates the repository when missing. `circleId` is written beside the refs (never
   * advertised), so a repository whose element row never committed can be found and swept.
   */
  private async ensure(elementId: string, circleId?: string): Promise<string> {
    const gitdir = this.gitdir(elementId)
    if (!fs.existsSync(join(gitdir, 'HEAD'))) {
      await mkdir(this.root, { recursive: true, mode: 0o700 })
      await git.init({ fs, gitdir, bare: true, defaultBranch: 'draft' })
      if (circleId) fs.writeFileSync(join(gitdir, CIRCLE_FILE), `${circleId}\n`)
    }
    return gitdir
  }

  /** Marks a repository as belonging to a circle (for repositories made outside `commit`). */
  markCircle(elementId: string, circleId: string): void {
    fs.writeFileSync(join(this.gitdir(elementId), CIRCLE_FILE), `${circleId}\n`)
  }

  /** Element ids of the circle's repositories (by their circle mark), with their age in ms. */
  async repositoriesOf(circleId: string): Promise<Array<{ elementId: string; ageMs: number }>> {
    const names = await readdir(this.root).catch(() => [] as string[])
    const out: Array<{ elementId: string; ageMs: number }> = []
    for (const name of names) {
      if (!/^[0-9a-f-]{36}\.git$/.test(name)) continue
      const mark = join(this.root, name, CIRCLE_FILE)
      try {
        if (fs.readFileSync(mark, 'utf8').trim() !== circleId) continue
        out.push({ elementId: name.slice(0, 36), ageMs: Date.now() - fs.statSync(mark).mtimeMs })
      } catch {}
    }
    return out
  }

  /**
   * Commits `files` (the whole tree) on `branch`, whose head must still be `parent` (null: no
   * commit yet); returns the new commit. A tree equal to the parent's still commits (the
   * history records every write), with the parent as its only parent.
   */
  async commit(
    elementId: string,
    branch: Branch,
    files: SourceFiles,
    o: {
      parent: string | null
      author: Author
      message: string
      at?: Date
      circleId?: string
      /** Directories taken as they are (tree ids, see `subtree`), e.g. `.periodic/fixtures`. */
      carry?: Record<string, string>
    },
  ): Promise<string> {
    const gitdir = await this.ensure(elementId, o.circleId)
    const tree = await this.writeTree(gitdir, files, o.carry)
    const at = o.at ?? new Date()
    const commit = await objects.writeCommit(gitdir, {
      tree,
      parents: o.parent ? [o.parent] : [],
      author: { ...o.author, timestamp: Math.floor(at.getTime() / 1000) },
      message: o.message,
    })
    await this.moveRef(gitdir, `refs/heads/${branch}`, o.parent, commit)
    return commit
  }

  /** Moves `ref` from `from` (null: absent) to `to`, or throws RefMovedError. Synchronous calls, as in git-objects.ts. */
  async moveRef(gitdir: string, ref: string, from: string | null, to: string): Promise<void> {
    const path = join(gitdir, ref)
    const lock = `${path}.lock`
    fs.mkdirSync(join(path, '..'), { recursive: true })
    let fd: number
    try {
      fd = fs.openSync(lock, 'wx')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new RefMovedError(ref, from, 'locked')
      throw err
    }
    try {
      const actual = await this.readRef(gitdir, ref)
      if (actual !== from) throw new RefMovedError(ref, from, actual)
      fs.writeSync(fd, `${to}\n`)
      fs.closeSync(fd)
      fd = -1
      fs.renameSync(lock, path)
    } catch (err) {
      if (fd >= 0) fs.closeSync(fd)
      try {
        fs.unlinkSync(lock)
      } catch {}
      throw err
    }
  }

  /** Points `ref` (a full name, e.g. `refs/environments/live`) at `commit`, or deletes it (null). */
  async setRef(elementId: string, ref: string, commit: string | null): Promise<void> {
    const gitdir = this.gitdir(elementId)
    const current = await this.readRef(gitdir, ref)
    if (current === commit) return
    if (commit) return this.moveRef(gitdir, ref, current, commit)
    const lock = `${join(gitdir, ref)}.lock`
    try {
      fs.closeSync(fs.openSync(lock, 'wx'))
    } catch {
      throw new RefMovedError(ref, current, 'locked')
    }
    try {
      fs.rmSync(join(gitdir, ref), { force: true })
      if (fs.existsSync(join(gitdir, 'packed-refs'))) await git.deleteRef({ fs, gitdir, ref })
    } finally {
      fs.rmSync(lock, { force: true })
    }
  }

  /** The commit a full ref name points at (loose or packed), or null. */
  ref(elementId: string, ref: string): Promise<string | null> {
    return this.readRef(this.gitdir(elementId), ref)
  }

  /** A ref's commit (loose or packed), or null. */
  private async readRef(gitdir: string, ref: string): Promise<string | null> {
    try {
      const value = fs.readFileSync(join(gitdir, ref), 'utf8').trim()
      return SHA.test(value) ? value : null
    } catch {
      if (!fs.existsSync(join(gitdir, 'packed-refs'))) return null
      try {
        return await git.resolveRef({ fs, gitdir, ref })
      } catch {
        return null
      }
    }
  }

  /** The commit a branch, tag or commit id names in the element's repository, or null. */
  async resolve(elementId: string, ref: string): Promise<string | null> {
    if (!(await this.exists(elementId))) return null
    const gitdir = this.gitdir(elementId)
    if (SHA.test(ref)) {
      try {
        const { commit } = await git.readCommit({ fs, gitdir, oid: ref })
        return commit ? ref : null
      } catch {
        return null
      }
    }
    for (const full of [`refs/heads/${ref}`, `refs/tags/${ref}`, `refs/${ref}`]) {
      const oid = await this.readRef(gitdir, full)
      if (oid) return (await this.peel(gitdir, oid)) ?? null
    }
    return null
  }

  /** An annotated tag's commit; a commit id as is. */
  private async peel(gitdir: string, oid: string): Promise<string | undefined> {
    const { type, object } = await git.readObject({ fs, gitdir, oid })
    if (type === 'commit') return oid
    if (type === 'tag') return (object as { object: string }).object
    return undefined
  }

  /** One branch's commit (null: none yet, or no repository). */
  async head(elementId: string, branch: Branch): Promise<string | null> {
    return this.readRef(this.gitdir(elementId), `refs/heads/${branch}`)
  }

  async branches(elementId: string): Promise<Record<Branch, string | null>> {
    const out = { draft: null, demo: null, live: null } as Record<Branch, string | null>
    if (!(await this.exists(elementId))) return out
    const gitdir = this.gitdir(elementId)
    for (const b of BRANCHES) out[b] = await this.readRef(gitdir, `refs/heads/${b}`)
    return out
  }

  async log(elementId: string, ref: string, limit: number): Promise<CommitInfo[]> {
    const oid = await this.resolve(elementId, ref)
    if (!oid) return []
    const entries = await git.log({ fs, gitdir: this.gitdir(elementId), ref: oid, depth: limit })
    return entries.map((e) => ({
      commit: e.oid,
      message: e.commit.message.trimEnd(),
      author: { name: e.commit.author.name, email: e.commit.author.email },
      at: new Date(e.commit.author.timestamp * 1000).toISOString(),
      parents: e.commit.parent,
    }))
  }

  /** A file at `commit`, or undefined when the path is not a file there. */
  async read(elementId: string, commit: string, path: string): Promise<Uint8Array | undefined> {
    try {
      const { blob } = await git.readBlob({ fs, gitdir: this.gitdir(elementId), oid: commit, filepath: path })
      return blob
    } catch {
      return undefined
    }
  }

  /** Every file of the tree at `commit`. */
  async files(elementId: string, commit: string): Promise<Record<string, Uint8Array>> {
    const gitdir = this.gitdir(elementId)
    const out: Record<string, Uint8Array> = {}
    const walkTree = async (oid: string, prefix: string): Promise<void> => {
      const { tree } = await git.readTree({ fs, gitdir, oid })
      for (const e of tree) {
        const path = prefix ? `${prefix}/${e.path}` : e.path
        if (e.type === 'tree') await walkTree(e.oid, path)
        else if (e.type === 'blob') out[path] = (await git.readBlob({ fs, gitdir, oid: e.oid })).blob
      }
    }
    const { commit: c } = await git.readCommit({ fs, gitdir, oid: commit })
    await walkTree(c.tree, '')
    return out
  }

  /** Tags (lightweight) of the element, name → commit. */
  async tags(elementId: string): Promise<Record<string, string>> {
    if (!(await this.exists(elementId))) return {}
    const gitdir = this.gitdir(elementId)
    const out: Record<string, string> = {}
    for (const name of await git.listTags({ fs, gitdir })) {
      const oid = await this.readRef(gitdir, `refs/tags/${name}`)
      if (oid) out[name] = oid
    }
    return out
  }

  /** Creates tag `name` at `commit` (refused when it exists). */
  async tag(elementId: string, name: string, commit: string): Promise<void> {
    await this.moveRef(this.gitdir(elementId), `refs/tags/${name}`, null, commit)
  }

  /**
   * Records that `commit` was applied to the element as `version` (a pushed commit carries no
   * Periodic-Version trailer). Kept in a file beside the refs, which no fetch advertises.
   */
  async recordVersion(elementId: string, commit: string, version: number): Promise<void> {
    await appendFile(join(this.gitdir(elementId), 'periodic-versions'), `${commit} ${version}\n`)
  }

  /** The version `commit` was applied as (recordVersion), or undefined. */
  async versionOf(elementId: string, commit: string): Promise<number | undefined> {
    const text = await readFile(join(this.gitdir(elementId), 'periodic-versions'), 'utf8').catch(() => '')
    let found: number | undefined
    for (const line of text.split('\n')) if (line.startsWith(`${commit} `)) found = Number(line.slice(41))
    return found
  }

  async remove(elementId: string): Promise<void> {
    await rm(this.gitdir(elementId), { recursive: true, force: true })
  }

  /**
   * The tree id of directory `dir` in `commit`, or null when it has none. Cached, since a
   * commit's tree never changes (so any node may cache it).
   */
  async subtree(elementId: string, commit: string, dir: string): Promise<string | null> {
    const key = `${commit}:${dir}`
    const cached = this.subtrees.get(key)
    if (cached !== undefined) return cached
    const gitdir = this.gitdir(elementId)
    let oid: string | null = (await git.readCommit({ fs, gitdir, oid: commit })).commit.tree
    for (const name of dir.split('/')) {
      const { tree } = await git.readTree({ fs, gitdir, oid: oid! })
      const entry = tree.find((e) => e.path === name && e.type === 'tree')
      oid = entry?.oid ?? null
      if (!oid) break
    }
    this.rememberSubtree(commit, dir, oid)
    return oid
  }

  /** Records what `subtree(commit, dir)` answers, for a commit this process just wrote. */
  rememberSubtree(commit: string, dir: string, oid: string | null): void {
    if (this.subtrees.size >= 4096) this.subtrees.clear()
    this.subtrees.set(`${commit}:${dir}`, oid)
  }

  private async writeTree(
    gitdir: string,
    files: SourceFiles,
    carry: Record<string, string> = {},
  ): Promise<string> {
    const root: Dir = new Map()
    const entries: Array<[string, string | Uint8Array | TreeId]> = [
      ...Object.entries(files),
      ...Object.entries(carry).map(([path, oid]) => [path, new TreeId(oid)] as [string, TreeId]),
    ]
    for (const [path, content] of entries) {
      const parts = path.split('/')
      let dir = root
      for (const part of parts.slice(0, -1)) {
        let next = dir.get(part)
        if (!(next instanceof Map)) {
          next = new Map()
          dir.set(part, next)
        }
        dir = next
      }
      dir.set(parts[parts.length - 1]!, content)
    }
    return this.writeDir(gitdir, root)
  }

  private async writeDir(gitdir: string, dir: Dir): Promise<string> {
    const entries = await Promise.all(
      [...dir].map(async ([name, v]) =>
        v instanceof Map
          ? { mode: '40000', name, oid: await this.writeDir(gitdir, v) }
          : v instanceof TreeId
            ? { mode: '40000', name, oid: v.oid }
            : { mode: '100644', name, oid: objects.writeBlob(gitdir, v) },
      ),
    )
    return objects.writeTree(gitdir, entries)
  }
}

/** A directory written as an existing tree. */
class TreeId {
  constructor(readonly oid: string) {}
}

type Dir = Map<string, Dir | string | Uint8Array | TreeId>
