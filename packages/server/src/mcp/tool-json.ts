// Operations as MCP tool definitions, from the same descriptions the `schema` operation returns
// (operation-tools.ts): the input schema gains the operation's `:path` parameters, generic
// operations gain an `element` argument. Binary operations (a bundle download, an SSE stream)
// are left out: a tool result is JSON. No outputSchema: an MCP client rejects a result that does
// not match it, and some operations answer in two shapes (a run's output, or 202 with its id).
import type { OperationDef } from '../elements/element.ts'
import { operationPath } from '../elements/element.ts'
import { operationTools } from '../elements/generic/operation-tools.ts'

export interface McpToolJson {
  name: string
  description: string
  inputSchema: { type: 'object'; properties?: Record<string, unknown>; required?: string[] } & Record<
    string,
    unknown
  >
  annotations: { title: string; readOnlyHint: boolean; destructiveHint: boolean }
  _meta: Record<string, unknown>
}

export interface ToolTemplate {
  op: OperationDef
  /** `name` is the operation's tool name (operation-tools.ts); the catalogue prefixes it. */
  tool: McpToolJson
}

export const ELEMENT_ARGUMENT = 'element'

/** The `:name` segments of an operation's path, e.g. `runs/:run_id` → ['run_id']. */
export function pathParams(op: OperationDef): string[] {
  return operationPath(op)
    .split('/')
    .filter((s) => s.startsWith(':'))
    .map((s) => s.slice(1))
}

const templates = new WeakMap<OperationDef[], ToolTemplate[]>()

/**
 * Tool templates for `ops` (a type's own operations, or the generic ones when `typeName` is
 * undefined), computed once per operation list.
 */
export function toolTemplates(typeName: string | undefined, ops: OperationDef[]): ToolTemplate[] {
  const known = templates.get(ops)
  if (known) return known
  const described = operationTools({ name: typeName ?? 'element' }, ops)
  const out: ToolTemplate[] = []
  ops.forEach((op, i) => {
    const t = described[i]
    if (!t || op.binary) return
    const extra: Record<string, unknown> = {}
    const required: string[] = []
    if (typeName === undefined) {
      extra[ELEMENT_ARGUMENT] = {
        type: 'string',
        maxLength: 1000,
        description:
          'The element’s path in the circle, e.g. `invoice-parser` or `billing/invoice-parser`; empty for the circle itself',
      }
      required.push(ELEMENT_ARGUMENT)
    }
    for (const p of pathParams(op)) {
      extra[p] = { type: 'string', minLength: 1, maxLength: 500, description: `The operation's :${p}` }
      required.push(p)
    }
    out.push({
      op,
      tool: {
        name: t.name,
        description: t.description || t.annotations.title,
        inputSchema: withArguments(t.inputSchema, extra, required),
        annotations: {
          title: t.annotations.title,
          readOnlyHint: t.annotations.readOnlyHint,
          destructiveHint: t.annotations.destructiveHint,
        },
        _meta: {
          'periodic/operation': { method: op.method, path: t.annotations.path, auth: op.auth },
        },
      },
    })
  })
  templates.set(ops, out)
  return out
}

function withArguments(
  schema: Record<string, unknown>,
  extra: Record<string, unknown>,
  required: string[],
): McpToolJson['inputSchema'] {
  const properties = { ...extra, ...((schema['properties'] as Record<string, unknown> | undefined) ?? {}) }
  for (const k of Object.keys(extra)) properties[k] = extra[k]
  const own = Array.isArray(schema['required']) ? (schema['required'] as string[]) : []
  const all = [...new Set([...required, ...own])]
  return {
    ...schema,
    type: 'object',
    properties,
    ...(all.length ? { required: all } : {}),
  }
}
