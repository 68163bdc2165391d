// A reference to a named schema of the OpenAPI document's components, typed as the schema it
// points to: response schemas nest each other by name, so the document (and the SDK types
// generated from it) say `Run` instead of repeating its fields.
import { type Static, type TSchema, type TUnsafe, Type } from '@sinclair/typebox'
import type { Json, JsonObject } from '../../storage/storage.ts'
import { schemaRef } from './openapi-parts.ts'

const described = (description?: string) => (description ? { description } : {})
const ref = (name: string) => schemaRef(name).$ref

export const componentRef = <T extends TSchema>(name: string, _schema: T): TUnsafe<Static<T>> =>
  Type.Unsafe<Static<T>>({ $ref: ref(name) })

/** The `JsonValue` and `JsonObject` components: any JSON, recursively. */
export const JsonSchemas = {
  JsonValue: {
    anyOf: [
      { type: 'string' },
      { type: 'number' },
      { type: 'boolean' },
      { type: 'null' },
      { type: 'array', items: { $ref: ref('JsonValue') } },
      { $ref: ref('JsonObject') },
    ],
  },
  JsonObject: { type: 'object', additionalProperties: { $ref: ref('JsonValue') } },
}

/** Any JSON value: what a handler returned, a run's input, an expected document. */
export const AnyJson = (description?: string) =>
  Type.Unsafe<Json>({ $ref: ref('JsonValue'), ...described(description) })
/** A JSON object whose fields the schema does not list (a spec, `details`, `trigger_info`). */
export const AnyJsonObject = (description?: string) =>
  Type.Unsafe<JsonObject>({ $ref: ref('JsonObject'), ...described(description) })

const nullable = <T extends TSchema>(schema: T, description?: string) =>
  Type.Union([schema, Type.Null()], described(description))
export const NullableString = (description?: string) => nullable(Type.String(), description)
export const NullableNumber = (description?: string) => nullable(Type.Number(), description)
/** An ISO 8601 timestamp. */
export const Timestamp = (description?: string) =>
  Type.String({ format: 'date-time', ...described(description) })
export const NullableTimestamp = (description?: string) =>
  nullable(Type.String({ format: 'date-time' }), description)
