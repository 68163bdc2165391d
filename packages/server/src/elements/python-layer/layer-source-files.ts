// A python-layer's Source tree keeps its files as real files at the root of the repository, so a
// clone is the layer's directory as it lands on sys.path (edit, test, push); the spec keeps the
// rest. README.md and .periodic/ are the element's own and never layer files.
import type { JsonObject } from '../../storage/storage.ts'
import { README_FILE } from '../source/element-files.ts'

const isElementFile = (path: string) => path === README_FILE || path.startsWith('.periodic/')

export function layerSourceFiles(spec: JsonObject): { spec: JsonObject; files: Record<string, string> } {
  const { files, ...rest } = spec
  return { spec: rest, files: { ...((files ?? {}) as Record<string, string>) } }
}

export function layerSpecFromSource(
  spec: JsonObject,
  file: (path: string) => string | undefined,
  paths: string[],
): JsonObject {
  // Files a spec.yaml still lists (written by hand) count too; the tree's win.
  const files: Record<string, string> = { ...((spec['files'] ?? {}) as Record<string, string>) }
  for (const path of paths) {
    if (isElementFile(path)) continue
    const text = file(path)
    if (text === undefined) throw new Error(`${path} is not UTF-8 text; a layer holds text files`)
    files[path] = text
  }
  return { ...spec, files }
}
