// The runs API in the OpenAPI document (openapi.ts merges these paths).
import { clientSchema } from '../api-schemas/client-schema.ts'
import {
  errorResponse,
  jsonBody,
  jsonResponse,
  type Obj,
  queryParams,
  runIdParam,
  schemaRef,
} from '../api-schemas/openapi-parts.ts'
import {
  compareRunsBody,
  createRunBody,
  createRunQuery,
  getRunQuery,
  listRunsQuery,
  rerunBody,
  rerunQuery,
} from './runs-api-schemas.ts'

const json = (description: string, component: string) => jsonResponse(description, schemaRef(component))
const run = (description: string) => json(description, 'Run')

export function runsOpenApiPaths(): Record<string, Record<string, Obj>> {
  const tags = ['runs']
  return {
    '/api/v1/runs': {
      post: {
        operationId: 'runs_create',
        tags,
        summary: 'Start a run of an element operation (python invoke)',
        description:
          'Auth: execute on the target’s circle. 201 queued (no wait), 200 ended within wait_for_completion, 202 still running (Location, Retry-After); a wait never cancels the run. Idempotency-Key: same key + same body within 24 h returns the same run; another body → 422; while the first is being created → 409.',
        parameters: [
          ...queryParams(clientSchema(createRunQuery)),
          {
            name: 'Idempotency-Key',
            in: 'header',
            required: false,
            schema: { type: 'string', maxLength: 255 },
          },
        ],
        requestBody: jsonBody(clientSchema(createRunBody), true),
        responses: {
          '200': run('The run ended'),
          '201': run('The run was created (queued)'),
          '202': run('The run is still running'),
          default: errorResponse,
        },
      },
      get: {
        operationId: 'runs_list',
        tags,
        summary: 'Runs of every element in the key’s circle, newest first, with filters and a cursor',
        parameters: queryParams(clientSchema(listRunsQuery)),
        responses: { '200': json('A page of runs, newest first', 'RunsPage'), default: errorResponse },
      },
    },
    '/api/v1/runs/{id}': {
      get: {
        operationId: 'runs_get',
        tags,
        summary: 'One run; ?expand=input,usage,execution,debug; ?wait=N long-polls until it ends',
        parameters: [runIdParam, ...queryParams(clientSchema(getRunQuery))],
        responses: { '200': run('The run'), default: errorResponse },
      },
    },
    '/api/v1/runs/{id}/cancel': {
      post: {
        operationId: 'runs_cancel',
        tags,
        summary: 'Cancel a queued or running run (else 409 RUN_NOT_CANCELLABLE)',
        parameters: [runIdParam],
        responses: { '200': run('The cancelled run'), default: errorResponse },
      },
    },
    '/api/v1/runs/{id}/rerun': {
      post: {
        operationId: 'runs_rerun',
        tags,
        summary: 'Run the same input again, on the latest or the original element version',
        description:
          'Auth: execute on the run’s circle. Answers as POST /api/v1/runs does: 201 queued (no wait), 200 ended within wait_for_completion, 202 still running. The new run has trigger `rerun`, `trigger_info.rerun_of` and the source run’s `example_id`.',
        parameters: [runIdParam, ...queryParams(clientSchema(rerunQuery))],
        requestBody: jsonBody(clientSchema(rerunBody), false),
        responses: {
          '200': run('The new run ended'),
          '201': run('The new run (queued)'),
          '202': run('The new run is still running'),
          default: errorResponse,
        },
      },
    },
    '/api/v1/runs/compare': {
      post: {
        operationId: 'runs_compare',
        tags,
        summary: 'Compare the outputs (or inputs) of runs with the first one’s, field by field',
        description: 'Auth: read on every run’s circle (a run the key cannot see is 404 RUN_NOT_FOUND).',
        requestBody: jsonBody(clientSchema(compareRunsBody), true),
        responses: { '200': json('The comparisons', 'RunsComparison'), default: errorResponse },
      },
    },
    '/api/v1/runs/{id}/definition': {
      get: {
        operationId: 'runs_definition',
        tags,
        summary:
          'The definition the run executed (the type’s snapshot, else the spec at its commit or version)',
        parameters: [runIdParam],
        responses: { '200': json('The definition', 'RunDefinition'), default: errorResponse },
      },
    },
    '/api/v1/runs/{id}/steps': {
      get: {
        operationId: 'runs_steps',
        tags,
        summary:
          'The steps of a run (a workflow’s task executions: name, position, status, input, output, error, attempts, duration, child run); empty for other runs',
        parameters: [runIdParam],
        responses: { '200': json('The steps', 'JsonObject'), default: errorResponse },
      },
    },
    '/api/v1/runs/{id}/connect': {
      post: {
        operationId: 'runs_connect',
        tags,
        summary: 'Connect to a live run: the same Server-Sent Events as GET …/events',
        parameters: [
          runIdParam,
          { name: 'Last-Event-ID', in: 'header', required: false, schema: { type: 'string' } },
        ],
        responses: { '200': { description: 'text/event-stream' }, default: errorResponse },
      },
    },
    '/api/v1/runs/{id}/events': {
      get: {
        operationId: 'runs_events',
        tags,
        summary: 'Server-Sent Events: status snapshots and log lines; resumable with Last-Event-ID',
        parameters: [
          runIdParam,
          { name: 'Last-Event-ID', in: 'header', required: false, schema: { type: 'string' } },
        ],
        responses: { '200': { description: 'text/event-stream' }, default: errorResponse },
      },
    },
  }
}
