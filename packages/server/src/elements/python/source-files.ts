// A python element's Source tree keeps its inline code as `main.py` and its inline tests as
// `test_main.py`, so a clone is a Python project an editor opens as is; the spec keeps the rest.
import type { JsonObject } from '../../storage/storage.ts'

export const CODE_FILE = 'main.py'
export const TESTS_FILE = 'test_main.py'

export function pythonSourceFiles(spec: JsonObject): { spec: JsonObject; files: Record<string, string> } {
  const source = { ...((spec['source'] ?? {}) as JsonObject) }
  const files: Record<string, string> = {}
  if (typeof source['code'] === 'string') files[CODE_FILE] = source['code']
  if (typeof source['tests'] === 'string') files[TESTS_FILE] = source['tests']
  delete source['code']
  delete source['tests']
  return { spec: { ...spec, source }, files }
}

export function pythonSpecFromSource(
  spec: JsonObject,
  file: (path: string) => string | undefined,
): JsonObject {
  const source = { ...((spec['source'] ?? {}) as JsonObject) }
  const code = file(CODE_FILE)
  const tests = file(TESTS_FILE)
  if (code) source['code'] = code
  if (tests) source['tests'] = tests
  return { ...spec, source }
}
