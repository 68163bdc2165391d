// A python-layer's files on disk: one directory per distinct content (the hash of paths and
// texts), written once through a temporary directory and a rename, shared by every version and
// element with the same files, and mounted read-only into sandboxes.
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'

export interface LayerFiles {
  /** Hash of the files (paths and contents). */
  hash: string
  /** Host directory holding them, the layer's root on sys.path. */
  dir: string
}

export function layerFilesHash(files: Record<string, string>): string {
  const h = createHash('sha256')
  for (const path of Object.keys(files).sort()) {
    const text = files[path]!
    h.update(`${path}\0${Buffer.byteLength(text)}\0`).update(text)
  }
  return h.digest('hex').slice(0, 20)
}

/** Writes `files` under `<dataDir>/layer-files/<hash>` unless already there; returns where. */
export function materializeLayerFiles(dataDir: string, files: Record<string, string>): LayerFiles {
  const hash = layerFilesHash(files)
  const dir = join(dataDir, 'layer-files', hash)
  if (existsSync(dir)) return { hash, dir }
  const tmp = `${dir}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`
  mkdirSync(tmp, { recursive: true })
  try {
    // The schema's path pattern keeps every path inside tmp (no "..", no leading "/").
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(tmp, path)), { recursive: true })
      writeFileSync(join(tmp, path), text)
    }
    renameSync(tmp, dir)
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true })
    // Another writer put the same content in place first: theirs is as good as ours.
    if (!existsSync(dir)) throw err
  }
  return { hash, dir }
}
