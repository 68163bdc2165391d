// The files kept with a run on disk: `<dataDir>/runs/<id>/input` (files given to the handler,
// with input-files.json mapping field -> name) and `<dataDir>/runs/<id>/output` (artifacts,
// with artifacts.json saying whether the cap cut them). Paths from callers are checked here,
// once, so no route can be talked into reading outside a run's directory.
import { randomUUID } from 'node:crypto'
import { lstat, mkdir, readdir, readFile, realpath, rename, rm, writeFile } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'
import { PlatformError } from '../errors.ts'
import { isUuid } from '../uuid.ts'
import { RUN } from './run-errors.ts'

/** Most bytes of artifacts kept per run; what does not fit is dropped and the run is marked. */
export const ARTIFACT_CAP_BYTES = 100 * 1024 * 1024
/** Most bytes of input files per run (one multipart body, or the sum of uploads). */
export const INPUT_FILES_CAP_BYTES = 100 * 1024 * 1024
/** Where input files appear inside the sandbox. */
export const SANDBOX_INPUT_DIR = '/periodic/input'

// Built by concatenation: every run asks for them, and path.join's normalising was a few % of a
// warm invoke's allocations. The data dir is absolute and normalised (config); run ids are
// UUIDs, checked (isUuid) wherever one comes from a caller.
export const runDir = (dataDir: string, id: string) => `${dataDir}/runs/${id}`
export const runInputDir = (dataDir: string, id: string) => `${dataDir}/runs/${id}/input`
export const runOutputDir = (dataDir: string, id: string) => `${dataDir}/runs/${id}/output`
const stagingDir = (dataDir: string, token: string) => join(dataDir, 'runs', '_staging', token)

export interface ArtifactSummary {
  bytes: number
  truncated: boolean
  dropped_files: number
  dropped_bytes: number
  /** Entries the handler left that are no artifacts (symlinks, FIFOs, sockets, devices). */
  refused_files?: number
  /** The first of them, with why. */
  refused?: Array<{ path: string; reason: string }>
}

export interface FileEntry {
  path: string
  size: number
  modified_at: string
}

/** Input files: field name -> file name under input/. */
export type InputFieldMap = Record<string, string>

const safeName = (p: string) =>
  p.length <= 255 && !p.includes('\\') && ![...p].some((c) => c.charCodeAt(0) < 0x20 || c === '\u007f')

/** A relative path with no `..`, no absolute start, no backslash or control character. */
export function checkRelativePath(path: string, what = 'path'): string[] {
  const parts = path.split('/')
  if (
    path.length === 0 ||
    path.length > 1024 ||
    path.startsWith('/') ||
    parts.some((p) => p === '' || p === '.' || p === '..' || !safeName(p))
  )
    throw new PlatformError(RUN.INVALID_RUN_FILE_PATH, `invalid ${what} "${path.slice(0, 200)}"`, {
      [what]: path.slice(0, 200),
    })
  return parts
}

/** The host path of `rel` under `root`, refusing any symlink on the way (400) and absence (404). */
export async function resolveInside(root: string, rel: string): Promise<string> {
  const parts = checkRelativePath(rel)
  let at = root
  for (const part of parts) {
    at = join(at, part)
    const st = await lstat(at).catch(() => undefined)
    if (!st) throw new PlatformError(RUN.RUN_FILE_NOT_FOUND, `no file "${rel.slice(0, 200)}"`, { path: rel })
    if (st.isSymbolicLink())
      throw new PlatformError(RUN.INVALID_RUN_FILE_PATH, `"${rel.slice(0, 200)}" goes through a symlink`, {
        path: rel,
      })
  }
  // Belt and braces: the real path must still be inside the root.
  const [realRoot, realAt] = await Promise.all([realpath(root), realpath(at)])
  if (relative(realRoot, realAt).startsWith('..'))
    throw new PlatformError(RUN.INVALID_RUN_FILE_PATH, `"${rel.slice(0, 200)}" leaves the run`, { path: rel })
  return at
}

/** Regular files under `root`, recursively, sorted by path; symlinks and specials are skipped. */
export async function listFiles(root: string): Promise<FileEntry[]> {
  const out: FileEntry[] = []
  const walk = async (dir: string) => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => [])
    for (const e of entries) {
      const full = join(dir, e.name)
      if (e.isDirectory()) await walk(full)
      else if (e.isFile()) {
        const st = await lstat(full)
        out.push({
          path: relative(root, full).split(sep).join('/'),
          size: st.size,
          modified_at: st.mtime.toISOString(),
        })
      }
    }
  }
  await walk(root)
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
}

export async function readArtifactSummary(dataDir: string, id: string): Promise<ArtifactSummary | null> {
  const text = await readFile(join(runDir(dataDir, id), 'artifacts.json'), 'utf8').catch(() => null)
  return text ? (JSON.parse(text) as ArtifactSummary) : null
}

export async function writeArtifactSummary(dataDir: string, id: string, s: ArtifactSummary): Promise<void> {
  await mkdir(runDir(dataDir, id), { recursive: true })
  await writeFile(join(runDir(dataDir, id), 'artifacts.json'), JSON.stringify(s))
}

export async function readInputFields(dataDir: string, id: string): Promise<InputFieldMap> {
  const text = await readFile(join(runDir(dataDir, id), 'input-files.json'), 'utf8').catch(() => null)
  return text ? (JSON.parse(text) as InputFieldMap) : {}
}

async function writeInputFields(dir: string, fields: InputFieldMap): Promise<void> {
  await writeFile(join(dir, 'input-files.json'), JSON.stringify(fields))
}

export interface IncomingFile {
  field: string
  name: string
  data: Buffer
}

/** Writes one run's input files into `dir/input` with the field map beside it. */
async function writeInputs(dir: string, files: IncomingFile[], fields: InputFieldMap): Promise<void> {
  await mkdir(join(dir, 'input'), { recursive: true })
  for (const f of files) {
    checkRelativePath(f.name, 'name')
    if (f.name.includes('/'))
      throw new PlatformError(RUN.INVALID_RUN_FILE_PATH, `a file name cannot contain "/"`, { name: f.name })
    for (const [field, name] of Object.entries(fields)) if (name === f.name) delete fields[field]
    fields[f.field] = f.name
    await writeFile(join(dir, 'input', f.name), f.data)
  }
  await writeInputFields(dir, fields)
}

/**
 * Files of a run that does not exist yet (a multipart POST): they are written to a staging
 * directory first, and the runtime adopts them before the run can start, so a worker never
 * sees a half-written input.
 */
export async function stageInputFiles(dataDir: string, files: IncomingFile[]): Promise<string> {
  const token = randomUUID()
  await writeInputs(stagingDir(dataDir, token), files, {})
  return token
}

/** Moves staged files to the run's directory (called by a runtime before the run starts). */
export async function adoptStagedInputFiles(dataDir: string, token: string, id: string): Promise<void> {
  if (!isUuid(token)) return
  const from = stagingDir(dataDir, token)
  await mkdir(runDir(dataDir, id), { recursive: true })
  await rename(join(from, 'input'), runInputDir(dataDir, id)).catch(() => {})
  await rename(join(from, 'input-files.json'), join(runDir(dataDir, id), 'input-files.json')).catch(() => {})
  await rm(from, { recursive: true, force: true })
}

/** Adds (or replaces) input files of a queued run. */
export async function addInputFiles(dataDir: string, id: string, files: IncomingFile[]): Promise<void> {
  const existing = await listFiles(runInputDir(dataDir, id))
  const replaced = new Set(files.map((f) => f.name))
  const total =
    existing.filter((e) => !replaced.has(e.path)).reduce((n, e) => n + e.size, 0) +
    files.reduce((n, f) => n + f.data.length, 0)
  if (total > INPUT_FILES_CAP_BYTES)
    throw new PlatformError(
      RUN.RUN_FILES_TOO_LARGE,
      `the run's input files would total ${total} bytes, over ${INPUT_FILES_CAP_BYTES}`,
      { limit_bytes: INPUT_FILES_CAP_BYTES },
    )
  await writeInputs(runDir(dataDir, id), files, await readInputFields(dataDir, id))
}

export async function deleteInputFile(dataDir: string, id: string, name: string): Promise<void> {
  const path = await resolveInside(runInputDir(dataDir, id), name)
  await rm(path, { force: true })
  const fields = await readInputFields(dataDir, id)
  for (const [field, n] of Object.entries(fields)) if (n === name) delete fields[field]
  await writeInputFields(runDir(dataDir, id), fields)
}
