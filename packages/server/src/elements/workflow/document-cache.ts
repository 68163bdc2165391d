// Parsed workflow definitions by their text: every run of a version (and every run resumed
// after a restart) shares one parsed, validated document instead of parsing the YAML and
// validating it against the DSL schema again (milliseconds per run, more than the run's tasks).
// The documents are frozen: runs read them concurrently and nothing may change them.
import type { Json } from '../../storage/storage.ts'
import { parseDefinition, type WorkflowDocument } from '../../workflows/definition.ts'

/** Bytes of definition text the cache holds at most (the oldest entries go first). */
const MAX_CACHED_BYTES = 32 * 1024 * 1024

const documents = new Map<string, WorkflowDocument>()
let cachedBytes = 0

/** The parsed document of `text` (throws as parseDefinition does; a failure is not cached). */
export function cachedDocument(text: string): WorkflowDocument {
  const hit = documents.get(text)
  if (hit) {
    documents.delete(text)
    documents.set(text, hit)
    return hit
  }
  const doc = deepFreeze(parseDefinition(text))
  documents.set(text, doc)
  cachedBytes += text.length
  for (const [oldest] of documents) {
    if (cachedBytes <= MAX_CACHED_BYTES || documents.size === 1) break
    documents.delete(oldest)
    cachedBytes -= oldest.length
  }
  return doc
}

function deepFreeze<T extends Json>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v)
    for (const x of Object.values(v)) deepFreeze(x as Json)
  }
  return v
}
