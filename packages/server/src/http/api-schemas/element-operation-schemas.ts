// What the generic and python element operations answer (the cookie-jar's and websocket's are in
// jar-websocket-schemas.ts), as named schemas. The operations do not declare an output schema
// yet, so describeElementOperations() sets their responses in the OpenAPI document by operation
// id; once one declares its own (`output` in its definition), its entry here goes.
import { Type } from '@sinclair/typebox'
import {
  AnyJson,
  componentRef,
  NullableNumber,
  NullableString,
  NullableTimestamp,
  Timestamp,
} from './component-ref.ts'
import { jarWebSocketResponses, jarWebSocketSchemas } from './jar-websocket-schemas.ts'
import { type Obj, schemaRef } from './openapi-parts.ts'
import { RunRecord, RunStatus } from './run-schemas.ts'

export const RunLogLine = Type.Object({
  stream: Type.String({ description: '`stdout` or `stderr`.' }),
  data: Type.String(),
})

/** `runs/{run_id}` of a python element: the run with its input and logs. */
export const RunDetail = Type.Object(
  {
    ...RunRecord.properties,
    logs: Type.Array(componentRef('RunLogLine', RunLogLine)),
    chunks: Type.Optional(Type.Array(AnyJson(), { description: 'Streamed chunks while the run is going.' })),
  },
  { additionalProperties: true },
)

export const ElementRunsPage = Type.Object({
  runs: Type.Array(componentRef('RunRecord', RunRecord)),
  next_cursor: NullableString('Pass as `cursor` for the next page; null on the last one.'),
  has_more: Type.Boolean(),
})

export const RunLogs = Type.Object({
  runs: Type.Array(
    Type.Object({
      run_id: Type.String(),
      status: componentRef('RunStatus', RunStatus),
      created_at: Timestamp(),
      truncated: Type.Boolean({ description: 'Lines past the per-run cap were dropped.' }),
      logs: Type.Array(componentRef('RunLogLine', RunLogLine)),
    }),
  ),
})

export const BuildRecord = Type.Object(
  {
    build_id: Type.String(),
    layer_key: NullableString(),
    requirements: Type.Array(Type.String()),
    status: Type.Union([Type.Literal('building'), Type.Literal('succeeded'), Type.Literal('failed')]),
    cached: Type.Boolean({ description: 'The layer was already built.' }),
    output: Type.Optional(Type.String({ description: 'pip’s output (build status only).' })),
    started_at: Timestamp(),
    finished_at: NullableTimestamp(),
    duration_ms: NullableNumber(),
  },
  { additionalProperties: true },
)

export const ElementChildrenPage = Type.Object({
  children: Type.Array(Type.Unsafe(schemaRef('Element'))),
  total: Type.Integer(),
  limit: Type.Integer(),
  offset: Type.Integer(),
})

export const DeletedElement = Type.Object({
  deleted: Type.Literal(true),
  id: Type.String(),
  slug: Type.String(),
  deleted_at: Timestamp(),
})

export const elementOperationSchemas = {
  RunLogLine,
  RunDetail,
  ElementRunsPage,
  RunLogs,
  BuildRecord,
  ElementChildrenPage,
  DeletedElement,
  ...jarWebSocketSchemas,
}

/** operationId → the named schema of each success status it answers. */
const RESPONSES: Record<string, Record<string, string>> = {
  generic_get_get: { '200': 'Element' },
  generic_create_post: { '200': 'Element' },
  generic_update_patch: { '200': 'Element' },
  generic_children_get: { '200': 'ElementChildrenPage' },
  generic_delete_delete: { '200': 'DeletedElement' },
  python_workflow_agent_invoke_post: { '200': 'RunRecord', '201': 'RunRecord', '202': 'RunRecord' },
  python_runs_get: { '200': 'ElementRunsPage' },
  python_run_get_get: { '200': 'RunDetail' },
  python_run_cancel_post: { '200': 'RunRecord' },
  python_logs_get: { '200': 'RunLogs' },
  python_build_post: { '200': 'BuildRecord', '202': 'BuildRecord' },
  python_build_status_get: { '200': 'BuildRecord' },
  ...jarWebSocketResponses,
}

/** Sets the responses of the operations in RESPONSES; one `paths` lacks is a mistake here. */
export function describeElementOperations(paths: Record<string, Record<string, Obj>>): void {
  const missing = new Set(Object.keys(RESPONSES))
  for (const item of Object.values(paths)) {
    for (const op of Object.values(item)) {
      const named = RESPONSES[String(op['operationId'])]
      if (!named) continue
      missing.delete(String(op['operationId']))
      const responses = op['responses'] as Obj
      for (const [status, component] of Object.entries(named))
        responses[status] = {
          description: status === '202' ? 'Still going' : 'OK',
          content: { 'application/json': { schema: schemaRef(component) } },
        }
    }
  }
  if (missing.size > 0) throw new Error(`no operation ${[...missing].join(', ')} to describe`)
}
