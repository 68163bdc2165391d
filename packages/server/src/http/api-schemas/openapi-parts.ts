// Pieces every part of the OpenAPI document is built from: references to named schemas, JSON
// bodies and responses, the error response, the run id parameter, query parameters.
export type Obj = Record<string, unknown>

export const schemaRef = (name: string) => ({ $ref: `#/components/schemas/${name}` })

export const jsonResponse = (description: string, schema: Obj) => ({
  description,
  content: { 'application/json': { schema } },
})

export const jsonBody = (schema: Obj, required: boolean) => ({
  required,
  content: { 'application/json': { schema } },
})

export const errorResponse = jsonResponse('Error envelope', schemaRef('ErrorEnvelope'))

export const runIdParam = {
  name: 'id',
  in: 'path',
  required: true,
  schema: { type: 'string', format: 'uuid' },
}

/** The properties of an object schema as query parameters. */
export function queryParams(schema: Obj): Obj[] {
  const props = (schema['properties'] ?? {}) as Record<string, Obj>
  const required = new Set((schema['required'] ?? []) as string[])
  return Object.entries(props).map(([name, s]) => ({
    name,
    in: 'query',
    required: required.has(name),
    schema: s,
  }))
}
