// Secrets on the way back to the server: a set secret the user left alone is still what the
// server showed. A sealed form ({sealed: "…"}) may be sent back as it is; a masked string
// ("********") may not, so it is left out and the update becomes a deep merge (which keeps the
// stored secret) instead of a wholesale replace.
import type { JsonSchema } from '../schema-defaults.ts'
import { isSecret, kindOf, mapValueSchema } from './schema-kinds.ts'

const MASKED = /^[*•]{3,}$/

/** `spec` without masked secrets, and whether any was left out. */
export function withoutMaskedSecrets(
  spec: Record<string, unknown>,
  schema: JsonSchema,
): { spec: Record<string, unknown>; leftOut: string[] } {
  const leftOut: string[] = []
  const walk = (value: unknown, s: JsonSchema, name: string, path: string): unknown => {
    if (isSecret(s, name)) {
      if (typeof value === 'string' && MASKED.test(value)) {
        leftOut.push(path)
        return undefined
      }
      return value
    }
    if (!value || typeof value !== 'object' || Array.isArray(value)) return value
    const kind = kindOf(s, name)
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const child = kind === 'map' ? mapValueSchema(s) : s.properties?.[k]
      const next = child ? walk(v, child, kind === 'map' ? name : k, `${path}/${k}`) : v
      if (next !== undefined) out[k] = next
    }
    return out
  }
  return { spec: walk(spec, schema, '', '') as Record<string, unknown>, leftOut }
}
