// Run files in the OpenAPI document: artifacts (list, download, zip), input files (list,
// upload, delete) and the multipart form of `POST /api/v1/runs`.
import { errorResponse, jsonResponse, type Obj, runIdParam, schemaRef } from '../api-schemas/openapi-parts.ts'

const tags = ['runs']

const multipartStart = {
  type: 'object',
  required: ['target'],
  properties: {
    target: { type: 'string' },
    operation: { type: 'string', default: 'invoke' },
    input: { type: 'string', description: 'The payload as JSON text (default `{}`).' },
  },
  additionalProperties: {
    type: 'string',
    format: 'binary',
    description:
      'Each file part is stored as `<filename>` and merged into the handler’s input as `files: {<field>: "/periodic/input/<filename>"}`.',
  },
}

export function runFilesOpenApiPaths(): Record<string, Record<string, Obj>> {
  return {
    '/api/v1/runs/{id}/artifacts': {
      get: {
        operationId: 'runs_artifacts_list',
        tags,
        summary: 'Files the handler wrote under PERIODIC_OUTPUT_DIR (capped at 100 MB per run)',
        parameters: [runIdParam],
        responses: {
          '200': jsonResponse('The artifacts', schemaRef('RunArtifactList')),
          default: errorResponse,
        },
      },
    },
    '/api/v1/runs/{id}/artifacts/{path}': {
      get: {
        operationId: 'runs_artifacts_download',
        tags,
        summary:
          'One artifact; the content type follows the extension. `..`, absolute paths and symlinks: 400',
        parameters: [runIdParam, { name: 'path', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { '200': { description: 'The file' }, default: errorResponse },
      },
    },
    '/api/v1/runs/{id}/files-zip': {
      get: {
        operationId: 'runs_artifacts_zip',
        tags,
        summary: 'Every artifact of the run as one zip archive (streamed)',
        parameters: [runIdParam],
        responses: {
          '200': { description: 'application/zip', content: { 'application/zip': {} } },
          default: errorResponse,
        },
      },
    },
    '/api/v1/runs/{id}/files': {
      get: {
        operationId: 'runs_files_list',
        tags,
        summary: 'Input files of the run',
        parameters: [runIdParam],
        responses: {
          '200': jsonResponse('The input files', schemaRef('RunInputFileList')),
          default: errorResponse,
        },
      },
      post: {
        operationId: 'runs_files_upload',
        tags,
        summary:
          'Add input files (multipart file parts) while the run is queued; else 409 RUN_ALREADY_STARTED',
        parameters: [runIdParam],
        requestBody: {
          required: true,
          content: {
            'multipart/form-data': {
              schema: { type: 'object', additionalProperties: { type: 'string', format: 'binary' } },
            },
          },
        },
        responses: {
          '201': jsonResponse('Every input file of the run', schemaRef('RunInputFileList')),
          default: errorResponse,
        },
      },
    },
    '/api/v1/runs/{id}/files/{name}': {
      delete: {
        operationId: 'runs_files_delete',
        tags,
        summary: 'Delete an input file while the run is queued; else 409 RUN_ALREADY_STARTED',
        parameters: [runIdParam, { name: 'name', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { '204': { description: 'Deleted' }, default: errorResponse },
      },
    },
  }
}

/** Adds run-files paths, and the multipart body of `POST /api/v1/runs`, to `paths`. */
export function addRunFilesOpenApi(paths: Record<string, Record<string, Obj>>): void {
  const create = paths['/api/v1/runs']?.['post'] as { requestBody?: { content?: Obj } } | undefined
  if (create?.requestBody?.content)
    create.requestBody.content['multipart/form-data'] = { schema: multipartStart }
  Object.assign(paths, runFilesOpenApiPaths())
}
