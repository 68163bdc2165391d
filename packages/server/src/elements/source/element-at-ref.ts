// Which definition of an element a run executes: the one a branch, tag or commit of its Source
// names — by default the project's live environment for a member of a promoted project, else
// live once the element has been promoted, draft before. Draft's tree always
// equals the element row (every write commits on draft in its transaction), so a run of the
// draft head uses the row as is. Any other commit's spec is read from its tree, validated with
// the type's rules and cached by commit (a commit never changes), so a promoted element's warm
// invoke costs only a read of its branch refs.
import { existsSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { Type } from '@sinclair/typebox'
import { PlatformError } from '../../errors.ts'
import { BRANCHES, type Branch, type GitStore } from '../../source/git-store.ts'
import type { ElementRow, JsonObject, RunRow } from '../../storage/storage.ts'
import type { ElementsPort, RunSource } from '../element.ts'
import { SOURCE } from './source-errors.ts'

export interface ElementAtRef {
  /** The row to run: the current one, or one carrying the commit's spec and version. */
  element: ElementRow
  source: RunSource
}

/** A branch, tag or commit id, as a query parameter or body field. */
export const sourceRef = (
  description = 'The branch (`draft`, `demo`, `live`), tag (`v1`) or commit id of the element’s Source to run; default: `live` once the element has been promoted, else `draft`.', // No `..`: a ref names a file under refs/.
) => Type.String({ minLength: 1, maxLength: 256, pattern: '^(?!.*\\.\\.)[A-Za-z0-9._/-]+$', description })

const CACHE_SIZE = 256
/** `${element id}:${commit}` → the validated spec and the element version it was written as. */
const atCommit = new Map<string, { spec: JsonObject; version: number }>()
const SHA = /^[0-9a-f]{40}$/
const VERSION_TRAILER = /^Periodic-Version: (\d+)$/m

const PROJECT_LIVE = 'refs/environments/live'

const isBranch = (ref: string): ref is Branch => (BRANCHES as readonly string[]).includes(ref)

/** The element as `ref` (default: live once promoted, else draft) defines it, and that commit. */
export async function elementAtRef(
  elements: ElementsPort,
  row: ElementRow,
  ref?: string,
): Promise<ElementAtRef> {
  const { store } = elements.source
  const refs = refsOf(store, row.id)
  const head = (branch: Branch) => refs(`refs/heads/${branch}`)
  // An element from before Source has no draft yet: its first run imports it.
  const draft = (await head('draft')) ?? (await elements.source.ensure(row))
  // A member of a project's live environment runs its frozen commit (project-environments.ts).
  const frozen = ref ? null : await refs(PROJECT_LIVE)
  const name = ref ?? (frozen ? 'environments/live' : (await head('live')) ? 'live' : 'draft')
  const commit =
    frozen ??
    (name === 'draft' ? draft : isBranch(name) ? await head(name) : await commitOf(store, row.id, name))
  if (!commit)
    throw new PlatformError(SOURCE.SOURCE_REF_NOT_FOUND, `no branch, tag or commit "${name}"`, { ref: name })
  const source = { source_commit: commit, source_ref: name }
  if (commit === draft) return { element: row, source }
  const key = `${row.id}:${commit}`
  let defined = atCommit.get(key)
  if (defined) atCommit.delete(key)
  else defined = await definitionAt(elements, row, commit, name)
  atCommit.set(key, defined)
  if (atCommit.size > CACHE_SIZE) atCommit.delete(atCommit.keys().next().value as string)
  // The version keys the runtime's pools and code directories, so it must be the commit's own.
  return { element: { ...row, spec: defined.spec, version: defined.version }, source }
}

/**
 * A ref's value from its loose file, read synchronously: a 41-byte file in the page cache costs
 * microseconds, where the store's async reads cost ~0.2–1.5 ms of a ~2 ms warm invoke
 * (measured: 25–50 µs against 230–1 100 µs per run). `null`: no such ref; undefined: it may be
 * packed (or is unreadable) — ask the store.
 */
function looseRef(gitdir: string, ref: string): string | null | undefined {
  const file = join(gitdir, ref)
  // A missing ref (live before a promotion: every run asks) is told without a thrown ENOENT,
  // whose error object cost more than the read (warm-invoke profile).
  if (!existsSync(file)) return existsSync(join(gitdir, 'packed-refs')) ? undefined : null
  try {
    const value = readFileSync(file, 'utf8').trim()
    return SHA.test(value) ? value : undefined
  } catch {
    return undefined
  }
}

async function refOf(store: GitStore, elementId: string, ref: string): Promise<string | null> {
  const loose = looseRef(store.gitdir(elementId), ref)
  return loose !== undefined ? loose : store.ref(elementId, ref)
}

/**
 * Refs as last read, per repository, while its stamp holds: the modification times of the
 * directories holding its branch and environment refs and of packed-refs. Every ref write
 * (Periodic's compare-and-set, git's own on a push, on any node sharing the directory) renames
 * a lock file into place or removes a file, which moves its directory's time. File times are
 * coarse (a clock tick), so a stamp younger than RACY_MS is never trusted: two writes within
 * one tick cannot hide the second (git's "racy clean" rule). Reading the refs of a default run
 * was five file lookups and a read; this is three.
 */
interface CachedRefs {
  /** The stamped paths, joined once per repository (joins were 8 % of a warm invoke's allocations). */
  paths: string[]
  stamp: string
  values: Map<string, string | null>
}
const refCache = new Map<string, CachedRefs>()
const RACY_MS = 100
const STAMPED = ['refs/heads', 'refs/environments', 'packed-refs']

/**
 * The stamp of `paths`, or undefined while one changed within RACY_MS. Millisecond times as
 * doubles (sub-microsecond resolution for today's dates) where BigInt stats allocated per run:
 * two writes too close to tell apart are within the racy window anyway.
 */
function refsStamp(paths: string[]): string | undefined {
  const racy = Date.now() - RACY_MS
  let stamp = ''
  for (const path of paths) {
    const s = statSync(path, { throwIfNoEntry: false })
    if (s && s.mtimeMs > racy) return undefined
    stamp += s ? `${s.ino}.${s.mtimeMs};` : '-;'
  }
  return stamp
}

function refsOf(store: GitStore, elementId: string): (ref: string) => Promise<string | null> {
  const gitdir = store.gitdir(elementId)
  let entry = refCache.get(gitdir)
  const paths = entry?.paths ?? STAMPED.map((name) => join(gitdir, name))
  const stamp = refsStamp(paths)
  if (stamp === undefined) return (ref) => refOf(store, elementId, ref)
  if (entry?.stamp !== stamp) {
    if (refCache.size >= 10_000) refCache.clear()
    entry = { paths, stamp, values: new Map() }
    refCache.set(gitdir, entry)
  }
  const { values } = entry
  return async (ref) => {
    const known = values.get(ref)
    if (known !== undefined) return known
    const value = await refOf(store, elementId, ref)
    values.set(ref, value)
    return value
  }
}

/** A tag or commit id: a lightweight tag of a commit already run is read without Git. */
async function commitOf(store: GitStore, elementId: string, ref: string): Promise<string | null> {
  if (atCommit.has(`${elementId}:${ref}`)) return ref
  const gitdir = store.gitdir(elementId)
  const tagged =
    !SHA.test(ref) && looseRef(gitdir, `refs/heads/${ref}`) === null && looseRef(gitdir, `refs/tags/${ref}`)
  if (tagged && atCommit.has(`${elementId}:${tagged}`)) return tagged
  return store.resolve(elementId, ref)
}

async function definitionAt(
  elements: ElementsPort,
  row: ElementRow,
  commit: string,
  ref: string,
): Promise<{ spec: JsonObject; version: number }> {
  const notRunnable = (why: string, extra: JsonObject = {}) =>
    new PlatformError(SOURCE.SOURCE_REF_NOT_RUNNABLE, `"${ref}" (${commit.slice(0, 12)}) ${why}`, {
      ref,
      commit,
      ...extra,
    })
  const [info] = await elements.source.store.log(row.id, commit, 1)
  const trailer = VERSION_TRAILER.exec(info?.message ?? '')?.[1]
  const version = trailer
    ? Number(trailer)
    : ((await elements.source.store.versionOf(row.id, commit)) ?? Number.NaN)
  if (!Number.isSafeInteger(version)) throw notRunnable('was not written by Periodic (no Periodic-Version)')
  try {
    const spec = elements.prepareSpec(elements.typeOf(row), await elements.source.specAt(row, commit))
    return { spec, version }
  } catch (err) {
    const error = err instanceof PlatformError ? { code: err.code, message: err.message } : String(err)
    throw notRunnable('has a spec that does not validate', { error })
  }
}

/**
 * The element row a run taken from the queue executes: its version's spec. A run records the
 * version its commit was written as, whose stored spec is that commit's; versions live in the
 * database every node shares, while the Source repository may be on another node's disk.
 */
export async function elementOfRun(
  elements: ElementsPort,
  element: ElementRow,
  run: RunRow,
): Promise<ElementRow> {
  if (run.element_version === element.version) return element
  const v = await elements.records.getVersion(element.id, run.element_version)
  return v ? { ...element, version: v.version, spec: v.spec } : element
}
