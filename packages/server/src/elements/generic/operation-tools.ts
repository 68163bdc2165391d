// Operations described as MCP tools (the `tools/list` result shape), shared by the `schema`
// operation and the OpenAPI generator.
import type { TSchema } from '@sinclair/typebox'
import type { ElementType, OperationDef } from '../element.ts'
import { operationPath } from '../element.ts'

export interface McpTool {
  name: string
  description: string
  inputSchema: Record<string, unknown>
  outputSchema?: Record<string, unknown>
  annotations: {
    title: string
    method: string
    path: string
    auth: string
    readOnlyHint: boolean
    destructiveHint: boolean
  }
}

/** A plain JSON copy of a TypeBox schema (its Symbol keys dropped). */
export function plainSchema(schema: TSchema | undefined): Record<string, unknown> {
  if (!schema) return { type: 'object', properties: {}, additionalProperties: false }
  return JSON.parse(JSON.stringify(schema)) as Record<string, unknown>
}

export function operationTools(type: Pick<ElementType, 'name'>, ops: OperationDef[]): McpTool[] {
  const counts = new Map<string, number>()
  for (const op of ops) counts.set(op.name, (counts.get(op.name) ?? 0) + 1)
  // Tool names must be unique: an operation name used with two methods gets the method appended.
  const toolName = (op: OperationDef) =>
    (counts.get(op.name) ?? 0) > 1 ? `${op.name}_${op.method.toLowerCase()}` : op.name
  return ops.map((op) => ({
    name: toolName(op),
    description: [op.summary, op.description].filter(Boolean).join('. '),
    inputSchema: plainSchema(op.input),
    ...(op.output ? { outputSchema: plainSchema(op.output) } : {}),
    annotations: {
      title: `${type.name}: ${op.name}`,
      method: op.method,
      path: `/ops/${operationPath(op)}`,
      auth: op.auth,
      readOnlyHint: op.method === 'GET',
      destructiveHint: op.method === 'DELETE',
    },
  }))
}
