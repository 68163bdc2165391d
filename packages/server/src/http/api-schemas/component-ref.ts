// A reference to a named schema of the OpenAPI document's components, typed as the schema it
// points to: response schemas nest each other by name, so the document (and the SDK types
// generated from it) say `Run` instead of repeating its fields.
import { type Static, type TSchema, type TUnsafe, Type } from '@sinclair/typebox'

export const componentRef = <T extends TSchema>(name: string, _schema: T): TUnsafe<Static<T>> =>
  Type.Unsafe<Static<T>>({ $ref: `#/components/schemas/${name}` })

/** Any JSON value: what a handler returned, a run's input, an expected document. */
export const AnyJson = (description: string) => Type.Unknown({ description })

const described = (description?: string) => (description ? { description } : {})
const nullable = <T extends TSchema>(schema: T, description?: string) =>
  Type.Union([schema, Type.Null()], described(description))
export const NullableString = (description?: string) => nullable(Type.String(), description)
export const NullableNumber = (description?: string) => nullable(Type.Number(), description)
/** An ISO 8601 timestamp. */
export const Timestamp = (description?: string) =>
  Type.String({ format: 'date-time', ...described(description) })
export const NullableTimestamp = (description?: string) =>
  nullable(Type.String({ format: 'date-time' }), description)
