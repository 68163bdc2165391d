// What the runs API answers about a run's annotations: feedback, expected documents, the
// comparison of output with expected output, and the trace. They feed the OpenAPI document,
// from which the SDK's types are generated.
import { Type } from '@sinclair/typebox'
import {
  AnyJson,
  AnyJsonObject,
  componentRef,
  NullableNumber,
  NullableString,
  NullableTimestamp,
  Timestamp,
} from './component-ref.ts'
import { RunStatus } from './run-schemas.ts'

export const FeedbackRating = Type.Union([Type.Literal(-1), Type.Literal(0), Type.Literal(1)], {
  description: '-1 (bad), 0 (neutral), 1 (good).',
})

export const RunFeedback = Type.Object({
  run_id: Type.String(),
  rating: Type.Union([componentRef('FeedbackRating', FeedbackRating), Type.Null()]),
  comment: NullableString(),
  labels: Type.Array(Type.String()),
  updated_by: NullableString('The key that last changed it.'),
  created_at: NullableTimestamp('Null while no feedback was given.'),
  updated_at: NullableTimestamp(),
  resolved: Type.Boolean({ description: 'Someone resolved it (a later change reopens it).' }),
  resolved_at: NullableTimestamp(),
  resolved_by: NullableString('The key that resolved it.'),
  resolution_note: NullableString(),
})

export const ExpectedDocument = Type.Object({
  name: Type.String(),
  size_bytes: Type.Integer({ description: 'Size as compact JSON.' }),
  created_at: Timestamp(),
  updated_at: Timestamp(),
})

export const ExpectedDocumentList = Type.Object({
  run_id: Type.String(),
  expected: Type.Array(componentRef('ExpectedDocument', ExpectedDocument)),
})

export const FieldComparison = Type.Object({
  path: Type.String({ description: 'JSONPath-style: `$`, `$.total`, `$.items[0].name`.' }),
  expected: Type.Optional(AnyJson('Absent when the field is `extra`.')),
  actual: Type.Optional(AnyJson('Absent when the field is `missing`.')),
  equal: Type.Boolean(),
  status: Type.Union([
    Type.Literal('equal'),
    Type.Literal('different'),
    Type.Literal('missing'),
    Type.Literal('extra'),
  ]),
})

const count = Type.Integer()
const summary = Type.Object({ total: count, equal: count, different: count, missing: count, extra: count })

export const RunComparison = Type.Object({
  run_id: Type.String(),
  run_status: componentRef('RunStatus', RunStatus),
  expected_name: Type.String(),
  match: Type.Boolean(),
  fields: Type.Array(componentRef('FieldComparison', FieldComparison)),
  truncated: Type.Boolean({ description: '`fields` was cut at the limit; `summary` counts every field.' }),
  summary,
})

export const RunsComparison = Type.Object({
  base_run_id: Type.String(),
  field: Type.Union([Type.Literal('output'), Type.Literal('input')]),
  runs: Type.Array(
    Type.Object({
      run_id: Type.String(),
      status: componentRef('RunStatus', RunStatus),
      element_id: Type.String(),
    }),
  ),
  comparisons: Type.Array(
    Type.Object({
      run_id: Type.String({ description: 'Compared with the base run: `expected` is the base’s value.' }),
      status: componentRef('RunStatus', RunStatus),
      match: Type.Boolean(),
      fields: Type.Array(componentRef('FieldComparison', FieldComparison)),
      truncated: Type.Boolean(),
      summary,
    }),
  ),
})

export const TraceEvent = Type.Object(
  {
    type: Type.Union([Type.Literal('created'), Type.Literal('started'), Type.Literal('ended')]),
    at: Timestamp(),
    status: Type.Optional(componentRef('RunStatus', RunStatus)),
    attempts: Type.Optional(Type.Integer({ description: 'On `started`.' })),
    error_code: Type.Optional(NullableString('On `ended`: the error’s code, null when it succeeded.')),
  },
  { additionalProperties: true },
)

export const RunTrace = Type.Object({
  run_id: Type.String(),
  status: componentRef('RunStatus', RunStatus),
  trigger: Type.String(),
  trigger_info: Type.Union([AnyJsonObject(), Type.Null()], {
    description: 'What started the run (key id, request id, rerun_of, …).',
  }),
  events: Type.Array(componentRef('TraceEvent', TraceEvent)),
  attempts: Type.Integer(),
  durations_ms: Type.Object({
    queued: NullableNumber('Created until started (queue wait).'),
    running: NullableNumber('Started until ended, wall clock.'),
    execution: NullableNumber('Time in the handler as the executor measured it.'),
    total: NullableNumber(),
  }),
  logs: Type.Object(
    {
      records: count,
      lines: count,
      stdout: count,
      stderr: count,
      bytes: count,
      truncated: Type.Boolean(),
    },
    { description: 'Text lines in total and per stream; `records` is how many chunks were stored.' },
  ),
})
