// Request schemas of the runs API (/api/v1/runs): they validate requests and feed the OpenAPI
// document.
import { Type } from '@sinclair/typebox'
import { sourceRef } from '../../elements/source/element-at-ref.ts'

const STATUS_LIST =
  '^(queued|running|succeeded|failed|cancelled)(,(queued|running|succeeded|failed|cancelled))*$'
const timestamp = (description: string) =>
  Type.Optional(Type.String({ maxLength: 40, description: `${description} (ISO 8601)` }))

export const createRunBody = Type.Object(
  {
    target: Type.String({
      minLength: 3,
      maxLength: 512,
      description: 'The element path, e.g. `acme/hello` or `acme/project/hello`.',
    }),
    operation: Type.String({ minLength: 1, maxLength: 64, default: 'invoke' }),
    input: Type.Optional(Type.Unknown({ description: 'The payload (default `{}`).' })),
    version: Type.Optional(
      sourceRef(
        'The branch, tag (`v1`) or commit id to run; default: `live` once the element has been promoted, else `draft`. The run records the commit as `source_commit`.',
      ),
    ),
    ref: Type.Optional(sourceRef('Same as `version` (when both are given, `version` wins).')),
  },
  { additionalProperties: false },
)

export const createRunQuery = Type.Object(
  {
    wait_for_completion: Type.Number({
      minimum: 0,
      maximum: 600,
      default: 0,
      description: 'Seconds to hold the request for the result (0: answer 201 at once).',
    }),
  },
  { additionalProperties: false },
)

export const listRunsQuery = Type.Object(
  {
    target: Type.Optional(Type.String({ minLength: 3, maxLength: 512, description: 'Element path.' })),
    element_type: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    status: Type.Optional(
      Type.String({
        pattern: STATUS_LIST,
        maxLength: 64,
        description: 'One status or several, comma-separated.',
      }),
    ),
    trigger: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    created_after: timestamp('Created at or after'),
    created_before: timestamp('Created before'),
    completed_after: timestamp('Completed at or after'),
    completed_before: timestamp('Completed before'),
    ids: Type.Optional(
      Type.String({ maxLength: 200 * 37, description: 'Run ids, comma-separated (≤ 200).' }),
    ),
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 20 }),
    cursor: Type.Optional(Type.String({ maxLength: 1000, description: 'next_cursor of the previous page.' })),
  },
  { additionalProperties: false },
)

export const EXPANSIONS = ['input', 'usage', 'execution', 'debug'] as const

export const getRunQuery = Type.Object(
  {
    expand: Type.Optional(
      Type.String({
        pattern: `^(${EXPANSIONS.join('|')})(,(${EXPANSIONS.join('|')}))*$`,
        maxLength: 100,
        description: 'Extra sections, comma-separated: input, usage, execution, debug.',
      }),
    ),
    wait: Type.Number({
      minimum: 0,
      maximum: 55,
      default: 0,
      description: 'Seconds to hold the request until the run ends (long poll).',
    }),
  },
  { additionalProperties: false },
)

export const rerunBody = Type.Object(
  {
    version: Type.Union([Type.Literal('original'), Type.Literal('latest')], {
      default: 'latest',
      description:
        "`original` runs what the source run ran (its Source commit, else its element version); `latest` the element's default branch (`live` once promoted, else `draft`).",
    }),
  },
  { additionalProperties: false },
)
