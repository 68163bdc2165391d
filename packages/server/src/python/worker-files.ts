// The file hand-over of a warm worker. Its mounts are fixed when it starts, so each worker
// owns one host directory with `input` (mounted read-only) and `output` (mounted writable).
// A worker serves one invocation at a time: before each one both are emptied and the run's
// input files linked in; after it the outputs are moved to the run's own directory. Two runs
// therefore never share a directory, even on one element.
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs'
import { copyFile, link, lstat, mkdir, readdir, rename, rm } from 'node:fs/promises'
import { dirname, join, relative } from 'node:path'

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
}

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

/** Empties the worker's directories and links the run's input files in; returns field -> name. */
export async function prepareWorkerDir(
  workerDir: string,
  io: RunFilesIo,
  state: WorkerDirState,
): Promise<Record<string, string>> {
  const input = join(workerDir, 'input')
  if (state.inputLinked > 0) await emptyDir(input)
  if (state.outputDirty) await emptyDir(join(workerDir, 'output'))
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

/** Regular files under `dir` (symlinks, sockets and devices are not artifacts), by path. */
async function regularFiles(dir: string, root = dir): Promise<Array<{ rel: string; size: number }>> {
  const out: Array<{ rel: string; size: number }> = []
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const full = join(dir, e.name)
    if (e.isDirectory()) out.push(...(await regularFiles(full, root)))
    else if (e.isFile()) out.push({ rel: relative(root, full), size: (await lstat(full)).size })
  }
  return out.sort((a, b) => (a.rel < b.rel ? -1 : 1))
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
  const r: CollectedOutput = { bytes: 0, files: 0, truncated: false, dropped_files: 0, dropped_bytes: 0 }
  if (wroteOutput === false) {
    // worker.py saw the directory empty after the handler returned.
    if (io.replaceEarlier) await rm(io.outputDir, { recursive: true, force: true })
    state.outputDirty = false
    return r
  }
  const from = join(workerDir, 'output')
  const files = await regularFiles(from)
  if (files.length || io.replaceEarlier) await rm(io.outputDir, { recursive: true, force: true })
  if (files.length) await mkdir(io.outputDir, { recursive: true })
  for (const f of files) {
    if (r.bytes + f.size > io.capBytes) {
      r.truncated = true
      r.dropped_files++
      r.dropped_bytes += f.size
      continue
    }
    const to = join(io.outputDir, f.rel)
    await mkdir(dirname(to), { recursive: true })
    await rename(join(from, f.rel), to).catch(() => copyFile(join(from, f.rel), to))
    r.bytes += f.size
    r.files++
  }
  await emptyDir(from)
  state.outputDirty = false
  return r
}
