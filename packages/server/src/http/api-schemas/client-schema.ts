// A request schema as the OpenAPI document shows it to clients: the validation schemas list a
// field with a default as required (the validator fills it in), but a client may leave it out.
import type { TSchema } from '@sinclair/typebox'
import { plainSchema } from '../../elements/generic/operation-tools.ts'

type Obj = Record<string, unknown>

function optionalDefaults(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(optionalDefaults)
  if (!schema || typeof schema !== 'object') return schema
  const out: Obj = Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, optionalDefaults(v)]))
  const props = out['properties'] as Record<string, Obj> | undefined
  if (Array.isArray(out['required']) && props && typeof props === 'object') {
    const required = (out['required'] as string[]).filter((k) => !(props[k] && 'default' in props[k]))
    if (required.length > 0) out['required'] = required
    else delete out['required']
  }
  return out
}

/** `schema` as plain JSON Schema, its defaulted fields optional. */
export function clientSchema(schema: TSchema | undefined): Obj {
  return optionalDefaults(plainSchema(schema)) as Obj
}
