// The file hand-over of a warm worker. Its mounts are fixed when it starts, so each worker
// owns one host directory with `input` (mounted read-only) and `output` (mounted writable).
// A worker serves one invocation at a time: before each one both are emptied and the run's
// input files linked in; after it the outputs are moved to the run's own directory. Two runs
// therefore never share a directory, even on one element.
//
// Collecting is the one place the host reads what untrusted code wrote, as root on a server
// run as root: each artifact is opened without following symlinks, checked to be a regular
// file still inside the output directory, and copied into a new file the server owns, with
// setuid, setgid and sticky bits (and group/other write) dropped. Symlinks, FIFOs, sockets
// and devices are refused and named in the run's artifact summary. Copying (not renaming)
// also means a worker that kept a descriptor open cannot change an artifact afterwards.
import { execFile } from 'node:child_process'
import { constants, createWriteStream, type Dirent, existsSync, mkdirSync, mkdtempSync } from 'node:fs'
import { copyFile, link, mkdir, open, readdir, readlink, realpath, rm } from 'node:fs/promises'
import { dirname, isAbsolute, join, relative } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { promisify } from 'node:util'

const execFileP = promisify(execFile)

export interface RunFilesIo {
  /** Host directory of the run's input files (may not exist). */
  inputDir: string
  /** Host directory the run's artifacts are moved to. */
  outputDir: string
  capBytes: number
  /** Field name -> file name, given to the handler as input["files"] (default: name -> name). */
  fields?: () => Promise<Record<string, string>>
  /** A retry: the run's directory may hold an earlier attempt's artifacts to replace. */
  replaceEarlier?: boolean
}

/**
 * What the host knows of a worker's directories, so a run without files costs no directory
 * work beyond one look at the run's inputs (measured: the scans halved warm invokes/s).
 */
export interface WorkerDirState {
  /** Input files linked in for the last run (to remove before the next). */
  inputLinked: number
  /** The output directory may hold something (a run is in it, or a collect failed). */
  outputDirty: boolean
}

export interface CollectedOutput {
  bytes: number
  files: number
  truncated: boolean
  dropped_files: number
  dropped_bytes: number
  /** Entries that are not artifacts (symlinks, FIFOs, sockets, devices, escapes), not kept. */
  refused_files: number
  /** The first few refused entries, for the run's artifact summary. */
  refused: RefusedEntry[]
}

export interface RefusedEntry {
  path: string
  reason: string
}

/** How many refused entries the summary names (the count covers all). */
const REFUSED_NAMED = 20

export const SANDBOX_OUTPUT = '/periodic/output'
export const SANDBOX_INPUT = '/periodic/input'

/** A fresh directory for one worker under `root`, with empty input/ and output/. */
export function createWorkerDir(root: string): string {
  mkdirSync(root, { recursive: true })
  const dir = mkdtempSync(join(root, 'w-'))
  mkdirSync(join(dir, 'input'))
  mkdirSync(join(dir, 'output'))
  return dir
}

async function emptyDir(dir: string): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[])
  await Promise.all(names.map((n) => rm(join(dir, n), { recursive: true, force: true })))
}

/**
 * Empties a directory the sandbox can write to while it runs. Node's recursive rm walks by
 * path, so code that swaps a subdirectory for a symlink mid-walk would have the server delete
 * host files; GNU rm opens each directory without following links and checks what it opened.
 */
async function emptySandboxDir(dir: string): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[])
  for (let i = 0; i < names.length; i += 500) {
    const batch = names.slice(i, i + 500).map((n) => join(dir, n))
    await execFileP('rm', ['-rf', '--one-file-system', '--', ...batch]).catch(() => {})
  }
}

/** Empties the worker's directories and links the run's input files in; returns field -> name. */
export async function prepareWorkerDir(
  workerDir: string,
  io: RunFilesIo,
  state: WorkerDirState,
): Promise<Record<string, string>> {
  const input = `${workerDir}/input`
  if (state.inputLinked > 0) await emptyDir(input)
  if (state.outputDirty) await emptySandboxDir(`${workerDir}/output`)
  state.inputLinked = 0
  state.outputDirty = true
  const names: string[] = []
  // Most runs have no input files: one stat says so, where a failing readdir built an error
  // per run (4.7 % of the server's CPU in a warm-invoke profile).
  const entries = existsSync(io.inputDir)
    ? await readdir(io.inputDir, { withFileTypes: true }).catch(() => [])
    : []
  for (const e of entries) {
    if (!e.isFile()) continue
    const from = join(io.inputDir, e.name)
    // A hard link costs nothing; the mount is read-only, so the run's copy cannot be changed.
    await link(from, join(input, e.name)).catch(() => copyFile(from, join(input, e.name)))
    names.push(e.name)
  }
  state.inputLinked = names.length
  if (!names.length) return {}
  const fields = (await io.fields?.()) ?? Object.fromEntries(names.map((n) => [n, n]))
  return Object.fromEntries(Object.entries(fields).filter(([, n]) => names.includes(n)))
}

const KIND: Array<[(e: Dirent) => boolean, string]> = [
  [(e) => e.isSymbolicLink(), 'symlink'],
  [(e) => e.isFIFO(), 'FIFO'],
  [(e) => e.isSocket(), 'socket'],
  [(e) => e.isBlockDevice() || e.isCharacterDevice(), 'device file'],
]

/** Regular files under `dir` by path, and the entries that are no artifacts. */
async function walk(
  dir: string,
  root = dir,
  out = { files: [] as string[], refused: [] as RefusedEntry[] },
): Promise<typeof out> {
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const full = join(dir, e.name)
    if (e.isDirectory()) await walk(full, root, out)
    else if (e.isFile()) out.files.push(relative(root, full))
    else
      out.refused.push({
        path: relative(root, full),
        reason: `a ${KIND.find(([is]) => is(e))?.[1] ?? 'special file'} is not an artifact`,
      })
  }
  return out
}

/**
 * Copies one artifact into `to` unless it stopped being a regular file inside `realRoot`
 * (the code may still run and swap a directory for a symlink between listing and copying).
 * At most `maxBytes` are read. Returns the bytes copied, or why it was refused.
 */
export async function copyArtifact(
  from: string,
  realRoot: string,
  to: string,
  maxBytes: number,
): Promise<{ bytes: number } | { refused: string; escaped?: boolean } | { over: number }> {
  const fh = await open(from, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch(
    () => null,
  )
  if (!fh) return { refused: 'not a regular file when collected' }
  try {
    const st = await fh.stat()
    if (!st.isFile()) return { refused: 'not a regular file when collected' }
    const rel = relative(realRoot, await readlink(`/proc/self/fd/${fh.fd}`).catch(() => '/'))
    if (rel.startsWith('..') || isAbsolute(rel))
      return { refused: 'left the output directory', escaped: true }
    if (st.size > maxBytes) return { over: st.size }
    await mkdir(dirname(to), { recursive: true })
    // Read and execute bits are kept (an artifact may be a script); the mask drops setuid,
    // setgid, sticky and group/other write.
    const mode = st.mode & 0o755
    if (st.size > 0)
      await pipeline(
        fh.createReadStream({ start: 0, end: st.size - 1, autoClose: false }),
        createWriteStream(to, { flags: 'wx', mode }),
      )
    else await (await open(to, 'wx', mode)).close()
    return { bytes: st.size }
  } finally {
    await fh.close()
  }
}

/**
 * Moves what the invocation wrote to the run's output directory (replacing an earlier
 * attempt's), keeping files in path order while they fit under the cap.
 */
export async function collectWorkerOutput(
  workerDir: string,
  io: RunFilesIo,
  state: WorkerDirState,
  wroteOutput?: boolean,
): Promise<CollectedOutput> {
  const r: CollectedOutput = {
    bytes: 0,
    files: 0,
    truncated: false,
    dropped_files: 0,
    dropped_bytes: 0,
    refused_files: 0,
    refused: [],
  }
  if (wroteOutput === false) {
    // worker.py saw the directory empty after the handler returned.
    if (io.replaceEarlier) await rm(io.outputDir, { recursive: true, force: true })
    state.outputDirty = false
    return r
  }
  const from = join(workerDir, 'output')
  const { files, refused } = await walk(from)
  // A worker killed mid-run (a timeout) may have had its directory removed already.
  const realRoot = files.length ? await realpath(from) : from
  if (files.length || io.replaceEarlier) await rm(io.outputDir, { recursive: true, force: true })
  if (files.length) await mkdir(io.outputDir, { recursive: true })
  for (const rel of files.sort()) {
    const copied = await copyArtifact(
      join(from, rel),
      realRoot,
      join(io.outputDir, rel),
      io.capBytes - r.bytes,
    )
    if ('over' in copied) {
      r.truncated = true
      r.dropped_files++
      r.dropped_bytes += copied.over
    } else if ('refused' in copied) refused.push({ path: rel, reason: copied.refused })
    else {
      r.bytes += copied.bytes
      r.files++
    }
  }
  r.refused_files = refused.length
  r.refused = refused.sort((a, b) => (a.path < b.path ? -1 : 1)).slice(0, REFUSED_NAMED)
  await emptySandboxDir(from)
  state.outputDirty = false
  return r
}
