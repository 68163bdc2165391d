// How SchemaForm reads a JSON Schema: which control a (sub)schema gets, its label, the choices
// of an enum or a union of literals, the value schema of a map, whether a field is a secret, and
// the ids and error lookups that tie a control to its help and error text.
import type { JsonSchema } from '../schema-defaults.ts'

export type FieldKind =
  | 'string'
  | 'text'
  | 'number'
  | 'integer'
  | 'boolean'
  | 'enum'
  | 'object'
  | 'array'
  | 'map'
  | 'secret'
  | 'json'

/** Strings longer than this (or multiline by description/format) get a textarea. */
const TEXTAREA_FROM = 300
const SECRET_NAME = /(^|_)(secret|secrets|password|passphrase|private_key|api_key|jwt_secret)$/i

function branchesOf(schema: JsonSchema): JsonSchema[] | undefined {
  return schema.anyOf ?? schema.oneOf
}

/** The allowed values when the schema is an enum or a union of literals, else undefined. */
export function literalOptions(schema: JsonSchema): unknown[] | undefined {
  if (Array.isArray(schema.enum)) return schema.enum
  const branches = branchesOf(schema)
  if (branches?.length && branches.every((b) => 'const' in b)) return branches.map((b) => b.const)
  return undefined
}

/** `T | null` reads as an optional `T`: the non-null branch, or undefined. */
export function nullableOf(schema: JsonSchema): JsonSchema | undefined {
  const branches = branchesOf(schema)
  if (branches?.length !== 2) return undefined
  const nulls = branches.filter((b) => b.type === 'null')
  return nulls.length === 1 ? branches.find((b) => b.type !== 'null') : undefined
}

/**
 * A secret: marked writeOnly, sealed at rest (a union with `{sealed}`: the server shows the
 * sealed form, never the value), or named like one (`jwt_secret`, `password`, …).
 */
export function isSecret(schema: JsonSchema, name = ''): boolean {
  if (schema['writeOnly'] === true || schema['x-secret'] === true) return true
  const branches = branchesOf(schema)
  if (branches?.some((b) => b.type === 'object' && b.properties && 'sealed' in b.properties)) return true
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type
  return (type === 'string' || branches !== undefined) && SECRET_NAME.test(name)
}

/** The schema of a map's values (patternProperties or additionalProperties), if it is a map. */
export function mapValueSchema(schema: JsonSchema): JsonSchema | undefined {
  if (schema.properties && Object.keys(schema.properties).length) return undefined
  const patterns = Object.values(schema.patternProperties ?? {})
  if (patterns.length === 1) return patterns[0]
  if (typeof schema.additionalProperties === 'object') return schema.additionalProperties
  return undefined
}

/** The key pattern of a map, for the key input. */
export function mapKeyPattern(schema: JsonSchema): string | undefined {
  return Object.keys(schema.patternProperties ?? {})[0]
}

export function kindOf(schema: JsonSchema, name = ''): FieldKind {
  if (isSecret(schema, name)) return 'secret'
  if (literalOptions(schema)) return 'enum'
  const inner = nullableOf(schema)
  if (inner) return kindOf(inner, name) === 'json' ? 'json' : kindOf(inner, name)
  if (branchesOf(schema)) return 'json'
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type
  switch (type) {
    case 'string': {
      // A URL is one line however long it may be.
      if (schema['format'] === 'uri' || /(^|_)(url|uri)$/i.test(name)) return 'string'
      const max = schema['maxLength']
      const multiline =
        schema['format'] === 'textarea' ||
        schema['format'] === 'multiline' ||
        schema['x-multiline'] === true ||
        /\b(text|source|document|yaml|markdown|lines?)\b/i.test(schema.description ?? '')
      return multiline || typeof max !== 'number' || max > TEXTAREA_FROM ? 'text' : 'string'
    }
    case 'number':
      return 'number'
    case 'integer':
      return 'integer'
    case 'boolean':
      return 'boolean'
    case 'array':
      return schema.items ? 'array' : 'json'
    case 'object':
      if (mapValueSchema(schema)) return 'map'
      return schema.properties ? 'object' : 'json'
    default:
      return 'json'
  }
}

/** "max_connections" → "Max connections". */
export function labelOf(name: string): string {
  const words = name.replace(/[_-]+/g, ' ').trim()
  return words ? words[0]!.toUpperCase() + words.slice(1) : name
}

/** A DOM id for a field path (stable, unique within one form). */
export function fieldId(prefix: string, path: string[]): string {
  const tail = path.map((p) => p.replace(/[^A-Za-z0-9_-]/g, (c) => `_${c.charCodeAt(0).toString(16)}`))
  return [prefix, ...tail].join('-') || prefix
}

/** Error keys as the caller gives them ("/auth/mode", "auth.mode", "spec.auth.mode") → "auth/mode". */
export function normaliseErrors(errors: Record<string, string> | undefined): Map<string, string> {
  const out = new Map<string, string>()
  for (const [key, message] of Object.entries(errors ?? {})) {
    let parts = key.startsWith('/') ? key.slice(1).split('/') : key.split('.')
    if (parts[0] === 'spec' && parts.length > 1) parts = parts.slice(1)
    out.set(parts.map((p) => p.replace(/\[(\d+)\]$/, '/$1')).join('/'), message)
  }
  return out
}

export function errorAt(errors: Map<string, string>, path: string[]): string | undefined {
  return errors.get(path.join('/'))
}

/** A short human rendering of a value, for "set"/diff views. */
export function preview(value: unknown): string {
  if (value === undefined) return '(not set)'
  if (typeof value === 'string') return value.length > 120 ? `${value.slice(0, 117)}…` : value
  const text = JSON.stringify(value)
  return text.length > 120 ? `${text.slice(0, 117)}…` : text
}

/** What an array or map field is given (ArrayField, MapField). */
export interface ContainerFieldProps {
  schema: JsonSchema
  label: string
  description?: string
  path: string[]
  value: unknown
  errors: Map<string, string>
  disabled?: boolean
  idPrefix: string
  error?: string
}
