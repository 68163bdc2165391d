// How the workflows API shows a workflow element: the DSL document's header (name, namespace,
// version, summary) read from the definition text, its kind, its folder (the project holding it)
// and its input schema. Reading the header only parses the YAML: the definition was validated
// when it was written.
import YAML from 'yaml'
import type { ElementService } from '../../elements/element-service.ts'
import type { ElementRow, JsonObject } from '../../storage/storage.ts'

export const WORKFLOW_TYPE = 'workflow'

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v)
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null)

export interface DefinitionHeader {
  document: JsonObject | null
  inputSchema: JsonObject | null
}

/** The `document` header and `input.schema.document` of a definition text (null when unreadable). */
export function headerOf(definition: unknown): DefinitionHeader {
  if (typeof definition !== 'string') return { document: null, inputSchema: null }
  let doc: unknown
  try {
    doc = YAML.parse(definition)
  } catch {
    return { document: null, inputSchema: null }
  }
  if (!isObject(doc)) return { document: null, inputSchema: null }
  const input = doc['input']
  const schema = isObject(input) && isObject(input['schema']) ? input['schema']['document'] : undefined
  return {
    document: isObject(doc['document']) ? doc['document'] : null,
    inputSchema: isObject(schema) ? schema : null,
  }
}

export const kindOf = (row: { spec: JsonObject }): 'workflow' | 'block' =>
  row.spec['kind'] === 'block' ? 'block' : 'workflow'

/** The project (folder) holding the element; null when it sits directly in its circle. */
export const folderOf = (row: ElementRow): string | null =>
  row.parent_id === null || row.parent_id === row.circle_id ? null : row.parent_id

export async function presentWorkflow(elements: ElementService, row: ElementRow, full = false) {
  const { document, inputSchema } = headerOf(row.spec['definition'])
  const path = (await elements.present(row)).path
  const summary = {
    id: row.id,
    slug: row.slug,
    path,
    circle: path.split('/')[0] ?? '',
    name: str(document?.['name']) ?? row.slug,
    namespace: str(document?.['namespace']),
    version: str(document?.['version']),
    title: str(document?.['title']),
    description: str(document?.['summary']) ?? row.intention,
    kind: kindOf(row),
    folder_id: folderOf(row),
    element_version: row.version,
    state: row.state,
    enabled: row.enabled,
    input_schema: inputSchema,
    created_at: row.created_at,
    updated_at: row.updated_at,
  }
  if (!full) return summary
  const secrets = row.spec['secrets']
  return {
    ...summary,
    definition: typeof row.spec['definition'] === 'string' ? row.spec['definition'] : '',
    document,
    secrets: isObject(secrets) ? Object.keys(secrets).sort() : [],
  }
}

export type WorkflowSummaryJson = Awaited<ReturnType<typeof presentWorkflow>>

/** Whether a workflow matches the list filters (`search` and `name` over slug, name, description). */
export function matches(
  w: WorkflowSummaryJson,
  q: { search?: string; name?: string; kind?: string; folder_id?: string },
): boolean {
  if (q.kind && w.kind !== q.kind) return false
  if (
    q.folder_id !== undefined &&
    (q.folder_id === 'null' ? w.folder_id !== null : w.folder_id !== q.folder_id)
  )
    return false
  if (q.name && w.slug !== q.name && w.name !== q.name) return false
  if (q.search) {
    const needle = q.search.toLowerCase()
    const hay = [w.slug, w.name, w.title ?? '', w.description].map((s) => s.toLowerCase())
    if (!hay.some((s) => s.includes(needle))) return false
  }
  return true
}
