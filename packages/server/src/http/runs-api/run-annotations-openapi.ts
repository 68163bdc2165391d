// A run's annotations (feedback, expected output, comparison, trace) in the OpenAPI document
// (openapi.ts merges these paths beside the runs API's).
import { clientSchema } from '../api-schemas/client-schema.ts'
import {
  errorResponse,
  jsonBody,
  jsonResponse,
  type Obj,
  runIdParam,
  schemaRef,
} from '../api-schemas/openapi-parts.ts'
import {
  copyOutputBody,
  EXPECTED_MAX_BYTES,
  EXPECTED_MAX_PER_RUN,
  feedbackBody,
  renameExpectedBody,
  resolveFeedbackBody,
} from './run-annotations-schemas.ts'

const tags = ['runs']
const nameParam = {
  name: 'name',
  in: 'path',
  required: true,
  schema: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$' },
  description: 'Expected document name (no `/`, no `..`).',
}
const body = (schema: Obj, required = true) => jsonBody(schema, required)
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
      parameters: [runIdParam],
      requestBody: body(clientSchema(feedbackBody)),
      responses: { '200': jsonResponse('The feedback', schemaRef('RunFeedback')) },
    },
    'Auth: write on the run’s circle. rating is -1 (bad), 0 (neutral) or 1 (good); comment ≤ 4000 characters; up to 20 labels.',
  )

export function runAnnotationsOpenApiPaths(): Record<string, Record<string, Obj>> {
  const named = [runIdParam, nameParam]
  return {
    '/api/v1/runs/{id}/feedback': {
      get: op(
        'runs_feedback_get',
        'The run’s feedback (fields null and labels empty when none was given)',
        {
          parameters: [runIdParam],
          responses: { '200': jsonResponse('The feedback', schemaRef('RunFeedback')) },
        },
        'Auth: read on the run’s circle.',
      ),
      put: feedbackWrite('runs_feedback_replace', 'Replace the run’s feedback (fields left out are cleared)'),
      patch: feedbackWrite('runs_feedback_update', 'Change only the feedback fields sent'),
      delete: op('runs_feedback_clear', 'Clear the run’s feedback', {
        parameters: [runIdParam],
        responses: { '204': noContent },
      }),
    },
    '/api/v1/runs/{id}/feedback/resolve': {
      post: op(
        'runs_feedback_resolve',
        'Resolve (or with `resolved: false` reopen) the run’s feedback',
        {
          parameters: [runIdParam],
          requestBody: body(clientSchema(resolveFeedbackBody), false),
          responses: { '200': jsonResponse('The feedback', schemaRef('RunFeedback')) },
        },
        'Auth: write on the run’s circle. 404 FEEDBACK_NOT_FOUND when the run has none. Replacing or changing the feedback reopens it.',
      ),
    },
    '/api/v1/runs/{id}/expected': {
      get: op('runs_expected_list', 'The run’s expected documents (names, sizes, times)', {
        parameters: [runIdParam],
        responses: { '200': jsonResponse('The expected documents', schemaRef('ExpectedDocumentList')) },
      }),
    },
    '/api/v1/runs/{id}/expected/copy_output': {
      post: op(
        'runs_expected_copy_output',
        'Save the run’s output as an expected document (default name `output`)',
        {
          parameters: [runIdParam],
          requestBody: body(clientSchema(copyOutputBody), false),
          responses: {
            '200': jsonResponse('Replaced', schemaRef('ExpectedDocument')),
            '201': jsonResponse('Created', schemaRef('ExpectedDocument')),
          },
        },
        'Auth: write. Only a succeeded run (else 409 RUN_OUTPUT_UNAVAILABLE).',
      ),
    },
    '/api/v1/runs/{id}/expected/{name}': {
      get: op('runs_expected_download', 'Download one expected document (the JSON as uploaded)', {
        parameters: named,
        responses: { '200': jsonResponse('The document', {}) },
      }),
      put: op(
        'runs_expected_upload',
        'Upload (create or replace) an expected document; the body is the JSON document',
        {
          parameters: named,
          requestBody: body({}),
          responses: {
            '200': jsonResponse('Replaced', schemaRef('ExpectedDocument')),
            '201': jsonResponse('Created', schemaRef('ExpectedDocument')),
          },
        },
        `Auth: write. At most ${EXPECTED_MAX_BYTES} bytes as compact JSON (413 EXPECTED_TOO_LARGE) and ${EXPECTED_MAX_PER_RUN} documents per run. The document named \`output\` is what the comparison uses.`,
      ),
      patch: op('runs_expected_rename_patch', 'Rename an expected document (same as POST …/rename)', {
        parameters: named,
        requestBody: body(clientSchema(renameExpectedBody)),
        responses: { '200': jsonResponse('The renamed document', schemaRef('ExpectedDocument')) },
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
          responses: { '200': jsonResponse('The renamed document', schemaRef('ExpectedDocument')) },
        },
        'Auth: write. 409 EXPECTED_NAME_TAKEN when `to` exists.',
      ),
    },
    '/api/v1/runs/{id}/comparison': {
      get: op(
        'runs_comparison_get',
        'The run’s output against its expected `output`, field by field',
        {
          parameters: [runIdParam],
          responses: {
            '200': jsonResponse('The comparison, field by field', schemaRef('RunComparison')),
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
          parameters: [runIdParam],
          responses: {
            '200': jsonResponse('The timeline', schemaRef('RunTrace')),
          },
        },
        'Auth: read.',
      ),
    },
  }
}
