// A run's annotations (feedback, expected output, comparison, trace) in the OpenAPI document
// (openapi.ts merges these paths beside the runs API's).
import { clientSchema } from '../api-schemas/client-schema.ts'
import {
  copyOutputBody,
  EXPECTED_MAX_BYTES,
  EXPECTED_MAX_PER_RUN,
  feedbackBody,
  renameExpectedBody,
} from './run-annotations-schemas.ts'

type Obj = Record<string, unknown>

const tags = ['runs']
const errorResponse = {
  description: 'Error envelope',
  content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorEnvelope' } } },
}
const ok = (description: string, schema: Obj) => ({
  description,
  content: { 'application/json': { schema } },
})
const ref = (component: string) => ({ $ref: `#/components/schemas/${component}` })
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }
const nameParam = {
  name: 'name',
  in: 'path',
  required: true,
  schema: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$' },
  description: 'Expected document name (no `/`, no `..`).',
}
const body = (schema: Obj, required = true) => ({ required, content: { 'application/json': { schema } } })
const noContent = { description: 'Done (no body)' }

const op = (operationId: string, summary: string, rest: Obj, description?: string): Obj => ({
  operationId,
  tags,
  summary,
  ...(description ? { description } : {}),
  ...rest,
  responses: { ...(rest['responses'] as Obj), default: errorResponse },
})

const feedbackWrite = (operationId: string, summary: string) =>
  op(
    operationId,
    summary,
    {
      parameters: [idParam],
      requestBody: body(clientSchema(feedbackBody)),
      responses: { '200': ok('The feedback', ref('RunFeedback')) },
    },
    'Auth: write on the run’s circle. rating is -1 (bad), 0 (neutral) or 1 (good); comment ≤ 4000 characters; up to 20 labels.',
  )

export function runAnnotationsOpenApiPaths(): Record<string, Record<string, Obj>> {
  const named = [idParam, nameParam]
  return {
    '/api/v1/runs/{id}/feedback': {
      get: op(
        'runs_feedback_get',
        'The run’s feedback (fields null and labels empty when none was given)',
        {
          parameters: [idParam],
          responses: { '200': ok('The feedback', ref('RunFeedback')) },
        },
        'Auth: read on the run’s circle.',
      ),
      put: feedbackWrite('runs_feedback_replace', 'Replace the run’s feedback (fields left out are cleared)'),
      patch: feedbackWrite('runs_feedback_update', 'Change only the feedback fields sent'),
      delete: op('runs_feedback_clear', 'Clear the run’s feedback', {
        parameters: [idParam],
        responses: { '204': noContent },
      }),
    },
    '/api/v1/runs/{id}/expected': {
      get: op('runs_expected_list', 'The run’s expected documents (names, sizes, times)', {
        parameters: [idParam],
        responses: { '200': ok('The expected documents', ref('ExpectedDocumentList')) },
      }),
    },
    '/api/v1/runs/{id}/expected/copy_output': {
      post: op(
        'runs_expected_copy_output',
        'Save the run’s output as an expected document (default name `output`)',
        {
          parameters: [idParam],
          requestBody: body(clientSchema(copyOutputBody), false),
          responses: {
            '200': ok('Replaced', ref('ExpectedDocument')),
            '201': ok('Created', ref('ExpectedDocument')),
          },
        },
        'Auth: write. Only a succeeded run (else 409 RUN_OUTPUT_UNAVAILABLE).',
      ),
    },
    '/api/v1/runs/{id}/expected/{name}': {
      get: op('runs_expected_download', 'Download one expected document (the JSON as uploaded)', {
        parameters: named,
        responses: { '200': ok('The document', {}) },
      }),
      put: op(
        'runs_expected_upload',
        'Upload (create or replace) an expected document; the body is the JSON document',
        {
          parameters: named,
          requestBody: body({}),
          responses: {
            '200': ok('Replaced', ref('ExpectedDocument')),
            '201': ok('Created', ref('ExpectedDocument')),
          },
        },
        `Auth: write. At most ${EXPECTED_MAX_BYTES} bytes as compact JSON (413 EXPECTED_TOO_LARGE) and ${EXPECTED_MAX_PER_RUN} documents per run. The document named \`output\` is what the comparison uses.`,
      ),
      patch: op('runs_expected_rename_patch', 'Rename an expected document (same as POST …/rename)', {
        parameters: named,
        requestBody: body(clientSchema(renameExpectedBody)),
        responses: { '200': ok('The renamed document', ref('ExpectedDocument')) },
      }),
      delete: op('runs_expected_delete', 'Delete an expected document', {
        parameters: named,
        responses: { '204': noContent },
      }),
    },
    '/api/v1/runs/{id}/expected/{name}/rename': {
      post: op(
        'runs_expected_rename',
        'Rename an expected document',
        {
          parameters: named,
          requestBody: body(clientSchema(renameExpectedBody)),
          responses: { '200': ok('The renamed document', ref('ExpectedDocument')) },
        },
        'Auth: write. 409 EXPECTED_NAME_TAKEN when `to` exists.',
      ),
    },
    '/api/v1/runs/{id}/comparison': {
      get: op(
        'runs_comparison_get',
        'The run’s output against its expected `output`, field by field',
        {
          parameters: [idParam],
          responses: {
            '200': ok('The comparison, field by field', ref('RunComparison')),
          },
        },
        'Auth: read. Paths are JSONPath-style (`$.items[0].name`); each leaf is one field. 404 EXPECTED_OUTPUT_NOT_FOUND without an expected `output`.',
      ),
    },
    '/api/v1/runs/{id}/trace': {
      get: op(
        'runs_trace_get',
        'The run’s timeline: created, started, ended, phase durations, attempts and log line counts',
        {
          parameters: [idParam],
          responses: {
            '200': ok('The timeline', ref('RunTrace')),
          },
        },
        'Auth: read.',
      ),
    },
  }
}
