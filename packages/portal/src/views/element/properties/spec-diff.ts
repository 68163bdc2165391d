// A field-by-field comparison of two specs, for the conflict view: every leaf path whose value
// differs, with both values rendered short.
import { preview } from '../../../lib/schema-form/schema-kinds.ts'

function leaves(value: unknown, prefix: string, out: Map<string, unknown>): Map<string, unknown> {
  if (value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length) {
    for (const [k, v] of Object.entries(value)) leaves(v, prefix ? `${prefix}.${k}` : k, out)
  } else out.set(prefix || '(value)', value)
  return out
}

export interface DiffRow {
  field: string
  mine: string
  theirs: string
}

export function specDiff(mine: unknown, theirs: unknown): DiffRow[] {
  const a = leaves(mine, '', new Map())
  const b = leaves(theirs, '', new Map())
  const fields = [...new Set([...a.keys(), ...b.keys()])].sort()
  return fields
    .filter((f) => JSON.stringify(a.get(f)) !== JSON.stringify(b.get(f)))
    .map((f) => ({ field: f, mine: preview(a.get(f)), theirs: preview(b.get(f)) }))
}
