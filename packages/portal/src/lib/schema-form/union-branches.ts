// Unions of shapes (a list, text or a map of requirements, say): which branch a value is in,
// and what to call each branch in the "form" select.
import type { JsonSchema } from '../schema-defaults.ts'
import { kindOf, literalOptions, mapValueSchema } from './schema-kinds.ts'

/** The branches a picker offers: every non-null one, when each gets a control of its own. */
export function unionBranches(schema: JsonSchema): JsonSchema[] | undefined {
  const branches = (schema.anyOf ?? schema.oneOf)?.filter((b) => b.type !== 'null')
  if (!branches || branches.length < 2 || literalOptions(schema)) return undefined
  const kinds = branches.map((b) => kindOf(b))
  // Two branches the same kind could not be told apart by value.
  if (kinds.includes('json') || new Set(kinds.map(jsType)).size !== kinds.length) return undefined
  return branches
}

function jsType(kind: string): string {
  if (kind === 'text' || kind === 'string' || kind === 'enum') return 'string'
  if (kind === 'integer') return 'number'
  if (kind === 'map') return 'object'
  return kind
}

function typeOfValue(value: unknown): string {
  if (Array.isArray(value)) return 'array'
  if (value === null) return 'null'
  return typeof value
}

/** The index of the branch `value` belongs to, or -1. */
export function branchOf(branches: JsonSchema[], value: unknown): number {
  const t = typeOfValue(value)
  return branches.findIndex((b) => jsType(kindOf(b)) === t)
}

export function branchName(branch: JsonSchema): string {
  const kind = kindOf(branch)
  if (kind === 'array') return branch.items?.type === 'string' ? 'list of text' : 'list'
  if (kind === 'map') return mapValueSchema(branch)?.type === 'string' ? 'map of name → text' : 'map'
  if (kind === 'text' || kind === 'string') return 'text'
  if (kind === 'integer') return 'whole number'
  return kind
}
