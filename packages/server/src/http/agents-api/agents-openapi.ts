// The agents API in the OpenAPI document (openapi.ts merges these paths).
import { clientSchema } from '../api-schemas/client-schema.ts'
import {
  errorResponse,
  jsonBody,
  jsonResponse,
  type Obj,
  queryParams,
  schemaRef,
} from '../api-schemas/openapi-parts.ts'
import {
  createAgentBody,
  filesQuery,
  getAgentQuery,
  listAgentsQuery,
  listVersionsQuery,
  putFileBody,
  updateAgentBody,
  uploadFilesBody,
} from './agents-schemas.ts'

const json = (description: string, component: string) => jsonResponse(description, schemaRef(component))
const body = (schema: Parameters<typeof clientSchema>[0]) => jsonBody(clientSchema(schema), true)

const idParam = {
  name: 'agentId',
  in: 'path',
  required: true,
  schema: { type: 'string', minLength: 1, maxLength: 512 },
  description:
    'The agent’s element id, its path URL-encoded (`acme%2Finvoice-triage`), or (circle key) its slug.',
}
const DEPRECATED =
  'Deprecated: agent source is Git-backed — clone `/git/{path}.git` and push to draft. Still works: the write is a draft commit applied as a push is (validated; refused → 400, nothing written). Only the definition files (AGENT.md, README.md, .periodic/spec.yaml, .periodic/element.yaml) can be written. Auth: write.'

export function agentsOpenApiPaths(): Record<string, Record<string, Obj>> {
  const tags = ['agents']
  const filesParams = [idParam, ...queryParams(clientSchema(filesQuery))]
  return {
    '/api/v1/agents': {
      get: {
        operationId: 'agents_list',
        tags,
        summary: 'Agents of the key’s circle, by path, with search and offset paging',
        description:
          'Auth: read. Disabled agents with ?include_archived=true; deleted ones never. A platform admin key lists every circle (or ?circle=).',
        parameters: queryParams(clientSchema(listAgentsQuery)),
        responses: { '200': json('A page of agents', 'AgentList'), default: errorResponse },
      },
      post: {
        operationId: 'agents_create',
        tags,
        summary:
          'Create an agent and scaffold its Git source package (AGENT.md, .periodic/spec.yaml, README.md)',
        description:
          'Auth: write. Without `instructions`, AGENT.md starts from a template. `model.api_key` is sealed at rest and never shown.',
        requestBody: body(createAgentBody),
        responses: { '201': json('The agent, with its files', 'AgentDetail'), default: errorResponse },
      },
    },
    '/api/v1/agents/{agentId}': {
      get: {
        operationId: 'agents_get',
        tags,
        summary: 'One agent: model (without its key), tools, limits, instructions, draft commit',
        description:
          'Auth: read. ?include=files adds its Source file list. Unknown or of another circle: 404 AGENT_NOT_FOUND.',
        parameters: [idParam, ...queryParams(clientSchema(getAgentQuery))],
        responses: { '200': json('The agent', 'AgentDetail'), default: errorResponse },
      },
      patch: {
        operationId: 'agents_update',
        tags,
        summary:
          'Update an agent’s configuration and metadata (a new version; 409 on a stale expected_version)',
        description:
          'Auth: write (`enabled` needs admin). Fields left out stay; `model` fields merge (null removes one); `api_key` is write-only.',
        parameters: [idParam],
        requestBody: body(updateAgentBody),
        responses: { '200': json('The agent', 'AgentDetail'), default: errorResponse },
      },
    },
    '/api/v1/agents/{agentId}/files': {
      get: {
        operationId: 'agents_list_files',
        tags,
        summary: 'List or read agent source files from Git',
        description:
          'Auth: read. With `path`, that file’s content (404 AGENT_FILE_NOT_FOUND when absent); else the files (under `prefix`). `ref`: default draft; `main` is draft.',
        parameters: filesParams,
        responses: {
          '200': jsonResponse('The file list, or one file', {
            oneOf: [schemaRef('AgentFileList'), schemaRef('AgentFileContent')],
          }),
          default: errorResponse,
        },
      },
      put: {
        operationId: 'agents_put_file',
        tags,
        deprecated: true,
        summary: 'Upload one agent file (deprecated)',
        description: `?path= names the file. ${DEPRECATED}`,
        parameters: filesParams,
        requestBody: body(putFileBody),
        responses: { '200': json('The agent after the write', 'AgentFilesWritten'), default: errorResponse },
      },
      post: {
        operationId: 'agents_upload_files',
        tags,
        deprecated: true,
        summary: 'Upload agent files (deprecated)',
        description: DEPRECATED,
        parameters: [idParam],
        requestBody: body(uploadFilesBody),
        responses: { '200': json('The agent after the write', 'AgentFilesWritten'), default: errorResponse },
      },
    },
    '/api/v1/agents/{agentId}/versions': {
      get: {
        operationId: 'agents_versions',
        tags,
        summary: 'The agent’s versions, newest first, with their Source release tags and commits',
        description: 'Auth: read. A release tag (`v1` …) is made by each promotion to live (source/promote).',
        parameters: [idParam, ...queryParams(clientSchema(listVersionsQuery))],
        responses: { '200': json('A page of versions', 'AgentVersionList'), default: errorResponse },
      },
    },
  }
}
