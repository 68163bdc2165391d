// How the agents API shows an agent element: its model without the key (`api_key_set` instead),
// its tools with MCP header values hidden, its limits, and — in full — its instructions, its
// draft commit and (asked for) its Source file list.
import type { ElementService } from '../../elements/element-service.ts'
import type { ElementRow, Json, JsonObject } from '../../storage/storage.ts'

export const AGENT_TYPE = 'agent'

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v)
const num = (v: unknown): number | null => (typeof v === 'number' ? v : null)

/** The instructions' first non-empty line (markdown heading marks dropped), at most 200 chars. */
export function summaryOf(instructions: string): string {
  const line = instructions.split('\n').find((l) => l.trim() !== '') ?? ''
  return line
    .replace(/^#+\s*/, '')
    .trim()
    .slice(0, 200)
}

function shownTool(tool: Json): Json {
  if (!isObject(tool) || !isObject(tool['headers'])) return tool
  return {
    ...tool,
    headers: Object.fromEntries(Object.keys(tool['headers']).map((h) => [h, { sealed: true }])),
  }
}

export async function presentAgent(
  elements: ElementService,
  row: ElementRow,
  o: { full?: boolean; files?: boolean } = {},
) {
  const spec = row.spec
  const model = isObject(spec['model']) ? spec['model'] : {}
  const instructions = typeof spec['instructions'] === 'string' ? spec['instructions'] : ''
  const path = (await elements.present(row)).path
  const summary = {
    id: row.id,
    slug: row.slug,
    path,
    circle: path.split('/')[0] ?? '',
    name: row.name,
    description: row.intention,
    summary: summaryOf(instructions),
    folder_id: row.parent_id === null || row.parent_id === row.circle_id ? null : row.parent_id,
    model: {
      base_url: String(model['base_url'] ?? ''),
      model: String(model['model'] ?? ''),
      api_key_set: model['api_key'] !== undefined && model['api_key'] !== '',
      temperature: num(model['temperature']),
      max_tokens: num(model['max_tokens']),
    },
    tools: (Array.isArray(spec['tools']) ? spec['tools'] : []).map(shownTool),
    max_steps: num(spec['max_steps']) ?? 0,
    token_budget: num(spec['token_budget']) ?? 0,
    timeout_s: num(spec['timeout_s']) ?? 0,
    output_schema: isObject(spec['output_schema']) ? spec['output_schema'] : null,
    version: row.version,
    state: row.state,
    enabled: row.enabled,
    created_at: row.created_at,
    updated_at: row.updated_at,
  }
  if (!o.full) return summary
  const commit = await elements.source.store.head(row.id, 'draft').catch(() => null)
  return {
    ...summary,
    instructions,
    source_commit: commit,
    ...(o.files ? { files: commit ? await filesAt(elements, row, commit) : [] } : {}),
  }
}

export type AgentSummaryJson = Awaited<ReturnType<typeof presentAgent>>

/** The files of the agent's tree at `commit`, by path. */
export async function filesAt(elements: ElementService, row: ElementRow, commit: string) {
  const files = await elements.source.store.files(row.id, commit)
  return Object.entries(files)
    .map(([path, bytes]) => ({ path, size: bytes.length }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
}

/** Whether an agent matches the list filters. */
export function matches(a: AgentSummaryJson, q: { search?: string; slug?: string }): boolean {
  if (q.slug !== undefined && a.slug !== q.slug) return false
  if (q.search) {
    const needle = q.search.toLowerCase()
    const hay = [a.slug, a.name, a.path, a.description, a.summary, a.model.model, a.model.base_url]
    if (!hay.some((s) => s.toLowerCase().includes(needle))) return false
  }
  return true
}
