// The python-layer element's spec: the files a layer puts on a python element's sys.path (module
// paths relative to the layer's root) and the pip requirements built beside them.
import { type Static, Type } from '@sinclair/typebox'
import type { JsonObject } from '../../storage/storage.ts'
import type { SpecRule } from '../element.ts'
import { specReader } from '../element.ts'
import { REQUIREMENT_NAME_PATTERN, requirementsOfSpec } from '../python/requirement-lines.ts'

/** Most characters of all a layer's files together (one file may have 1 MiB). */
export const MAX_LAYER_CHARS = 4 * 1024 * 1024

/**
 * A relative path of plain segments: each starts with a letter, digit or `_`, so no `.`/`..`,
 * no hidden file, no leading `-` or `/`, and nothing a module path could not be.
 */
export const LAYER_FILE_PATTERN =
  '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}(/[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}){0,15}$'

export const pythonLayerSpec = Type.Object(
  {
    description: Type.String({ default: '', maxLength: 2000 }),
    files: Type.Record(
      Type.String({ pattern: LAYER_FILE_PATTERN }),
      Type.String({ maxLength: 1024 * 1024 }),
      {
        default: {},
        maxProperties: 200,
        // Without it the key pattern would only be a patternProperties hint (see python's environment).
        additionalProperties: false,
        description:
          'Files by path relative to the layer root, which goes on sys.path: {"textutils.py": "…"} is `import textutils`, {"acme/__init__.py": "…"} is the package `acme`.',
      },
    ),
    requirements: Type.Union(
      [
        Type.Array(Type.String({ minLength: 1, maxLength: 256 }), { maxItems: 200 }),
        Type.String({
          maxLength: 64 * 1024,
          description: 'One PEP 508 requirement per line; # comments and blank lines are ignored.',
        }),
        Type.Record(Type.String({ pattern: REQUIREMENT_NAME_PATTERN }), Type.String({ maxLength: 128 }), {
          maxProperties: 200,
          additionalProperties: false,
        }),
      ],
      {
        default: [],
        description:
          'pip dependencies built into the layer (a list, text with one per line, or a {name: version} map)',
      },
    ),
  },
  { additionalProperties: false },
)

export type PythonLayerSpec = Static<typeof pythonLayerSpec>

/** A stored python-layer's spec (or one of its versions': pass a row-shaped object). */
export const pythonLayerSpecOf = specReader<PythonLayerSpec>('python-layer')

/** The layer's requirements as one sorted list (the key of its dependency layer). */
export function layerRequirements(spec: PythonLayerSpec): string[] {
  return requirementsOfSpec({ source: {}, requirements: spec.requirements })
}

const filesOf = (s: JsonObject) => (s['files'] ?? {}) as Record<string, string>

export const pythonLayerRules: SpecRule[] = [
  {
    field: 'files',
    message: 'README.md at the root is the element’s README in its Source tree, not a layer file',
    check: (s) => !('README.md' in filesOf(s)),
  },
  {
    field: 'files',
    message: `all files together may hold at most ${MAX_LAYER_CHARS} characters`,
    check: (s) => Object.values(filesOf(s)).reduce((n, text) => n + text.length, 0) <= MAX_LAYER_CHARS,
  },
  {
    field: 'files',
    message: 'a path cannot be both a file and a directory (e.g. "acme" and "acme/__init__.py")',
    check: (s) => {
      const paths = new Set(Object.keys(filesOf(s)))
      return [...paths].every((p) => {
        const parts = p.split('/')
        return parts.slice(1).every((_, i) => !paths.has(parts.slice(0, i + 1).join('/')))
      })
    },
  },
]
