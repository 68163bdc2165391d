// The workflows API in the OpenAPI document (openapi.ts merges these paths).
import { clientSchema } from '../api-schemas/client-schema.ts'
import {
  errorResponse,
  jsonResponse,
  type Obj,
  queryParams,
  schemaRef,
} from '../api-schemas/openapi-parts.ts'
import { listVersionsQuery, listWorkflowsQuery } from './workflows-schemas.ts'

const json = (description: string, component: string) => jsonResponse(description, schemaRef(component))

const idParam = {
  name: 'id',
  in: 'path',
  required: true,
  schema: { type: 'string', minLength: 1, maxLength: 512 },
  description:
    'The workflow’s element id, its path URL-encoded (`acme%2Fextract-invoice`), or (circle key) its slug.',
}

export function workflowsOpenApiPaths(): Record<string, Record<string, Obj>> {
  const tags = ['workflows']
  return {
    '/api/v1/workflows': {
      get: {
        operationId: 'workflows_list',
        tags,
        summary: 'Workflows and blocks of the key’s circle, by path, with filters and offset paging',
        description:
          'Auth: read. A platform admin key lists every circle (or ?circle=). Run one with POST /api/v1/runs {target: path}.',
        parameters: queryParams(clientSchema(listWorkflowsQuery)),
        responses: { '200': json('A page of workflows', 'WorkflowList'), default: errorResponse },
      },
    },
    '/api/v1/workflows/{id}': {
      get: {
        operationId: 'workflows_get',
        tags,
        summary: 'One workflow with its current definition (YAML or JSON as written) and document header',
        description: 'Unknown, of another type or of another circle: 404 WORKFLOW_NOT_FOUND.',
        parameters: [idParam],
        responses: { '200': json('The workflow', 'WorkflowDetail'), default: errorResponse },
      },
    },
    '/api/v1/workflows/{id}/versions': {
      get: {
        operationId: 'workflows_versions',
        tags,
        summary: 'The workflow’s versions, newest first, with their Source release tags and commits',
        description:
          'Each version’s `ref` runs it: POST /api/v1/runs {target, version: ref}. ?include=definition adds each version’s definition text.',
        parameters: [idParam, ...queryParams(clientSchema(listVersionsQuery))],
        responses: { '200': json('A page of versions', 'WorkflowVersionList'), default: errorResponse },
      },
    },
  }
}
