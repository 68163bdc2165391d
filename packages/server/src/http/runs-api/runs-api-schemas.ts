// Request schemas of the runs API (/api/v1/runs): they validate requests and feed the OpenAPI
// document.
import { Type } from '@sinclair/typebox'
import { sourceRef } from '../../elements/source/element-at-ref.ts'

const STATUS_LIST =
  '^(queued|running|succeeded|failed|cancelled)(,(queued|running|succeeded|failed|cancelled))*$'
/** Ids a starter gives its runs: printable, no control characters. */
const LABEL = { minLength: 1, maxLength: 200, pattern: '^[^\\u0000-\\u001f]+$' }
const label = (description: string) => Type.Optional(Type.String({ ...LABEL, description }))
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
    batch_id: Type.Optional(
      Type.String({
        ...LABEL,
        description:
          'Your id for a batch of runs started together (e.g. one eval pass); filter with `batch_id`.',
      }),
    ),
    example_id: Type.Optional(
      Type.String({
        ...LABEL,
        description:
          'Your id for the example (test case) this run is of; filter with `example_id` or `example_id_contains`. A rerun keeps it.',
      }),
    ),
  },
  { additionalProperties: false },
)

const waitForCompletion = Type.Number({
  minimum: 0,
  maximum: 600,
  default: 0,
  description: 'Seconds to hold the request for the result (0: answer 201 at once).',
})

export const createRunQuery = Type.Object(
  { wait_for_completion: waitForCompletion },
  { additionalProperties: false },
)

export const rerunQuery = Type.Object(
  {
    wait_for_completion: waitForCompletion,
    version: Type.Optional(
      sourceRef(
        '`original`, `latest` (as the body’s `version`; the query wins when both are given), or a branch, tag or commit id of the element’s Source to run.',
      ),
    ),
  },
  { additionalProperties: false },
)

export const listRunsQuery = Type.Object(
  {
    target: Type.Optional(Type.String({ minLength: 3, maxLength: 512, description: 'Element path.' })),
    element_type: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    type: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        description: 'Same as `element_type` (`python`, `workflow`, …).',
      }),
    ),
    source: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        description: 'How the run was started: `api`, `cli`, `sdk` (HTTP callers), `engine`, …',
      }),
    ),
    triggered_by: label('The API key id that started the run (`trigger_info.key_id`).'),
    source_ref: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 255,
        description: 'The branch, tag or commit the run was started at.',
      }),
    ),
    batch_id: label('The `batch_id` given when the run was started.'),
    example_id: label('The `example_id` given when the run was started.'),
    example_id_contains: label('A substring of `example_id` (case-sensitive).'),
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
    from: timestamp('Same as `created_after`'),
    to: timestamp('Same as `created_before`'),
    ids: Type.Optional(
      Type.String({ maxLength: 200 * 37, description: 'Run ids, comma-separated (≤ 200).' }),
    ),
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 20 }),
    offset: Type.Integer({
      minimum: 0,
      maximum: 10_000,
      default: 0,
      description: 'Runs to skip (after `cursor`, if given); `next_cursor` continues after the page.',
    }),
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

export const compareRunsBody = Type.Object(
  {
    run_ids: Type.Array(Type.String({ format: 'uuid' }), {
      minItems: 2,
      maxItems: 20,
      uniqueItems: true,
      description: 'The base run first, then the runs compared with it (2–20 ids).',
    }),
    field: Type.Union([Type.Literal('output'), Type.Literal('input')], {
      default: 'output',
      description: 'What is compared: the runs’ outputs (default) or their inputs.',
    }),
  },
  { additionalProperties: false },
)
