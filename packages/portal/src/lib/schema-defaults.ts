// The value a new instance of a JSON Schema starts with: the schema's own `default` when it has
// one, else the smallest valid-looking value of its kind (used by SchemaForm's "add" buttons and
// by the canvas's create-element form).
export type JsonSchema = Record<string, unknown> & {
  type?: string | string[]
  properties?: Record<string, JsonSchema>
  required?: string[]
  items?: JsonSchema
  anyOf?: JsonSchema[]
  oneOf?: JsonSchema[]
  enum?: unknown[]
  const?: unknown
  default?: unknown
  description?: string
  additionalProperties?: boolean | JsonSchema
  patternProperties?: Record<string, JsonSchema>
}

/** A fresh default value for `schema` (objects get their required and defaulted properties). */
export function defaultFor(schema: JsonSchema | undefined): unknown {
  if (!schema || typeof schema !== 'object') return null
  if ('default' in schema) return structuredClone(schema.default)
  if ('const' in schema) return schema.const
  if (Array.isArray(schema.enum) && schema.enum.length) return schema.enum[0]
  const branches = schema.anyOf ?? schema.oneOf
  if (branches?.length) {
    const nonNull = branches.find((b) => b.type !== 'null')
    return branches.some((b) => b.type === 'null') ? null : defaultFor(nonNull ?? branches[0])
  }
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type
  switch (type) {
    case 'string':
      return ''
    case 'boolean':
      return false
    case 'number':
    case 'integer': {
      const min = schema['minimum']
      const exclusive = schema['exclusiveMinimum']
      if (typeof min === 'number') return min
      if (typeof exclusive === 'number')
        return type === 'integer' ? exclusive + 1 : Math.max(exclusive + 1, 1)
      return 0
    }
    case 'array':
      return []
    case 'object': {
      const out: Record<string, unknown> = {}
      const required = new Set(schema.required ?? [])
      for (const [key, prop] of Object.entries(schema.properties ?? {})) {
        if (required.has(key) || 'default' in prop) out[key] = defaultFor(prop)
      }
      return out
    }
    case 'null':
      return null
    default:
      return null
  }
}
