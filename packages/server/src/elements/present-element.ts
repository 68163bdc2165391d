// The element as the API shows it: stored row + type facts + advisory warnings.
import type { ElementRow, JsonObject } from '../storage/storage.ts'
import type { ElementType } from './element.ts'
import type { ElementJson, Warning } from './element-io.ts'

export type { ElementJson, Warning }

export function warningsFor(type: ElementType | undefined, spec: JsonObject): Warning[] {
  const advisories = (type?.advisories ?? [])
    .filter((rule) => !rule.check(spec))
    .map((rule) => ({ field: `spec.${rule.field}`, message: rule.message }))
  return [...advisories, ...(type?.lintWarnings?.(spec) ?? [])]
}

export function presentElement(row: ElementRow, type: ElementType | undefined, path: string): ElementJson {
  return {
    id: row.id,
    circle: path.split('/')[0]!,
    slug: row.slug,
    name: row.name,
    element_type: row.element_type,
    category: type?.category ?? 'unknown',
    form: type?.form ?? 'atom',
    symbol: type?.symbol ?? '?',
    state: row.state,
    state_reason: row.state_reason,
    enabled: row.enabled,
    intention: row.intention,
    spec: type?.presentSpec ? type.presentSpec(row.spec) : row.spec,
    meta: row.meta,
    version: row.version,
    parent: row.parent_id,
    path,
    created_at: row.created_at,
    updated_at: row.updated_at,
    warnings: warningsFor(type, row.spec),
  }
}
