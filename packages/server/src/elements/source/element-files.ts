// An element as the files of its Source tree: `.periodic/element.yaml` (type, slug, name,
// intention), `.periodic/spec.yaml` (the spec as `get` shows it: sealed secrets stay out, a
// redaction in their place), `README.md`, and the files a type keeps outside its spec (a Python
// element's inline code is `main.py`). `specFromFiles` reads a tree back into a spec.
import { parse, stringify } from 'yaml'
import type { ElementRow, JsonObject } from '../../storage/storage.ts'

/** What a type says about its tree (element.ts's ElementTypeDef has these hooks). */
export interface SourceMapping {
  presentSpec?(spec: JsonObject): JsonObject
  sourceFiles?(spec: JsonObject): { spec: JsonObject; files: Record<string, string> }
  specFromSource?(spec: JsonObject, file: (path: string) => string | undefined, paths: string[]): JsonObject
}

export const ELEMENT_FILE = '.periodic/element.yaml'
export const SPEC_FILE = '.periodic/spec.yaml'
export const README_FILE = 'README.md'
/** Seed data of data elements (source/fixtures): kept in Source only, carried by every commit. */
export const FIXTURES_DIR = '.periodic/fixtures'

/** The tree of `row` (its current spec, README and identity). */
export function elementFiles(type: SourceMapping, row: ElementRow): Record<string, string> {
  const shown = type.presentSpec ? type.presentSpec(row.spec) : row.spec
  const { spec, files } = type.sourceFiles ? type.sourceFiles(shown) : { spec: shown, files: {} }
  return {
    [ELEMENT_FILE]: stringify({
      element_type: row.element_type,
      slug: row.slug,
      name: row.name,
      intention: row.intention,
    }),
    [SPEC_FILE]: stringify(spec),
    [README_FILE]: row.readme,
    ...files,
  }
}

const decoder = new TextDecoder('utf-8', { fatal: true })

/** Text of a tree's file ('' when absent); undefined when it is not UTF-8. */
export function textOf(files: Record<string, Uint8Array>, path: string): string | undefined {
  const bytes = files[path]
  if (!bytes) return ''
  try {
    return decoder.decode(bytes)
  } catch {
    return undefined
  }
}

/** The spec a tree describes (before validation); throws on YAML that is not a mapping. */
export function specFromFiles(type: SourceMapping, files: Record<string, Uint8Array>): JsonObject {
  const text = textOf(files, SPEC_FILE)
  if (text === undefined) throw new Error(`${SPEC_FILE} is not UTF-8 text`)
  const parsed: unknown = text.trim() === '' ? {} : parse(text)
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new Error(`${SPEC_FILE} must be a YAML mapping`)
  const spec = parsed as JsonObject
  return type.specFromSource
    ? type.specFromSource(spec, (path) => textOf(files, path), Object.keys(files))
    : spec
}
