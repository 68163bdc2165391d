// Run files in the OpenAPI document: artifacts (list, download, zip), input files (list,
// upload, delete) and the multipart form of `POST /api/v1/runs`.
type Obj = Record<string, unknown>

const errorResponse = {
  description: 'Error envelope',
  content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorEnvelope' } } },
}
const json = (description: string, schema: Obj) => ({
  description,
  content: { 'application/json': { schema } },
})
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }
const tags = ['runs']

const ref = (component: string) => ({ $ref: `#/components/schemas/${component}` })
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
        parameters: [idParam],
        responses: {
          '200': json('The artifacts', ref('RunArtifactList')),
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
        parameters: [idParam, { name: 'path', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { '200': { description: 'The file' }, default: errorResponse },
      },
    },
    '/api/v1/runs/{id}/files-zip': {
      get: {
        operationId: 'runs_artifacts_zip',
        tags,
        summary: 'Every artifact of the run as one zip archive (streamed)',
        parameters: [idParam],
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
        parameters: [idParam],
        responses: {
          '200': json('The input files', ref('RunInputFileList')),
          default: errorResponse,
        },
      },
      post: {
        operationId: 'runs_files_upload',
        tags,
        summary:
          'Add input files (multipart file parts) while the run is queued; else 409 RUN_ALREADY_STARTED',
        parameters: [idParam],
        requestBody: {
          required: true,
          content: {
            'multipart/form-data': {
              schema: { type: 'object', additionalProperties: { type: 'string', format: 'binary' } },
            },
          },
        },
        responses: {
          '201': json('Every input file of the run', ref('RunInputFileList')),
          default: errorResponse,
        },
      },
    },
    '/api/v1/runs/{id}/files/{name}': {
      delete: {
        operationId: 'runs_files_delete',
        tags,
        summary: 'Delete an input file while the run is queued; else 409 RUN_ALREADY_STARTED',
        parameters: [idParam, { name: 'name', in: 'path', required: true, schema: { type: 'string' } }],
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
