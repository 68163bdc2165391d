// The element types a circle offers (GET /api/{circle}/ops/types): the "definition" rendering
// of each type, shown in the New element palette and used to build the create form.
import { api } from '../../lib/api.ts'

export interface ElementTypeInfo {
  type: string
  name: string
  description: string
  symbol?: string
  category?: string
  form?: string
  container: boolean
  states: string[]
  spec_schema: Record<string, unknown>
}

let cached: { circle: string; types: Promise<ElementTypeInfo[]> } | null = null

/** The circle's types, fetched once per circle per page load. */
export function loadTypes(circle: string): Promise<ElementTypeInfo[]> {
  if (cached?.circle !== circle) {
    const types = api<{ types: ElementTypeInfo[] }>(
      'GET',
      `/api/${encodeURIComponent(circle)}/ops/types`,
    ).then((r) => r.types)
    types.catch(() => {
      cached = null
    })
    cached = { circle, types }
  }
  return cached.types
}

/** A spec skeleton with the schema's defaults for its required fields, as a starting point. */
export function specSkeleton(schema: Record<string, unknown>): Record<string, unknown> {
  const props = (schema['properties'] ?? {}) as Record<string, Record<string, unknown>>
  const required = (schema['required'] ?? []) as string[]
  const out: Record<string, unknown> = {}
  for (const key of required) {
    const p = props[key]
    if (!p) continue
    if ('default' in p) out[key] = p['default']
    else if (p['type'] === 'object') out[key] = specSkeleton(p)
    else if (p['type'] === 'string') out[key] = ''
  }
  return out
}

/** The API's VALIDATION_FAILED details as field → message (`details.field` or `details.errors`). */
export function fieldErrors(details: Record<string, unknown>, message: string): Record<string, string> {
  const out: Record<string, string> = {}
  const errors = details['errors']
  if (Array.isArray(errors)) {
    for (const e of errors as Array<{ field?: string; path?: string; message?: string }>) {
      const f = e.field ?? e.path
      if (f) out[f] = e.message ?? message
    }
  }
  const field = details['field']
  if (typeof field === 'string') {
    const prefix = `${field}: `
    out[field] = message.startsWith(prefix) ? message.slice(prefix.length) : message
  }
  return out
}
