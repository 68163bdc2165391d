// What the runs API answers about runs: the run itself (the JSON every surface shares, plus the
// runs API's path, type and `?expand=` sections), a page of runs, and a run's files. They feed
// the OpenAPI document, from which the SDK's types are generated.
import { type TSchema, Type } from '@sinclair/typebox'
import {
  AnyJson,
  AnyJsonObject,
  componentRef,
  NullableNumber,
  NullableString,
  NullableTimestamp,
  Timestamp,
} from './component-ref.ts'

export const RunStatus = Type.Union(
  [
    Type.Literal('queued'),
    Type.Literal('running'),
    Type.Literal('succeeded'),
    Type.Literal('failed'),
    Type.Literal('cancelled'),
  ],
  { description: 'queued → running → succeeded | failed | cancelled.' },
)

export const RunError = Type.Object(
  {
    code: Type.String({ description: 'A catalogue code (`PYTHON_TIMEOUT`, …) or the handler’s own.' }),
    message: Type.String(),
  },
  { additionalProperties: true, description: 'Why a run failed; codes may add fields.' },
)

export const RunTiming = Type.Object({
  created_at: Timestamp(),
  started_at: NullableTimestamp(),
  completed_at: NullableTimestamp(),
  duration_ms: NullableNumber('Started until completed, wall clock; null until it ends.'),
  queued_ms: NullableNumber('Created until started.'),
})

const withExpand = <T extends TSchema>(t: T) => Type.Optional(t)

export const RunExecution = Type.Object(
  {
    status: componentRef('RunStatus', RunStatus),
    finished: Type.Boolean(),
    element_id: withExpand(Type.String()),
    target: withExpand(NullableString()),
    element_type: withExpand(NullableString()),
    element_version: withExpand(Type.Integer()),
    operation: withExpand(Type.String()),
    trigger: withExpand(Type.String()),
    created_at: withExpand(Timestamp()),
    started_at: withExpand(NullableTimestamp()),
    completed_at: withExpand(NullableTimestamp()),
    queued_ms: withExpand(NullableNumber('Created until started.')),
    steps: withExpand(
      Type.Array(AnyJsonObject(), {
        description:
          'The run’s steps, for types that keep them: a workflow’s task executions, an agent’s model calls and tool calls (as GET /api/v1/runs/{id}/steps).',
      }),
    ),
  },
  {
    additionalProperties: true,
    description:
      'Always `status` and `finished`; with `?expand=execution` also element, version, operation, trigger, times, queue wait and (workflows, agents) the steps.',
  },
)

/** A run as every surface shows it (python operations, event streams, the runs API). */
export const RunRecord = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    invocation_id: Type.String({ description: 'The python operations’ name for `id`.' }),
    element_id: Type.String(),
    element_version: Type.Integer({ description: 'The element version the run executes.' }),
    operation: Type.String(),
    trigger: Type.String({ description: 'What started it: `api`, `rerun`, `cron`, …' }),
    status: componentRef('RunStatus', RunStatus),
    finished: Type.Boolean({ description: 'True once the run succeeded, failed or was cancelled.' }),
    input: Type.Optional(AnyJson('The payload; present with `?expand=input` (runs API) or `run(id)`.')),
    output: AnyJson('What the handler returned; null until it succeeds.'),
    error: Type.Union([componentRef('RunError', RunError), Type.Null()]),
    attempts: Type.Integer(),
    cold_start: Type.Boolean(),
    duration_ms: NullableNumber('Time in the handler as the executor measured it.'),
    memory_used_mb: NullableNumber(),
    logs_truncated: Type.Boolean(),
    created_at: Timestamp(),
    started_at: NullableTimestamp(),
    completed_at: NullableTimestamp(),
    trace_id: NullableString('W3C trace context of the run.'),
    span_id: NullableString(),
    parent_span_id: NullableString(),
    source_commit: NullableString(
      'The Source commit the run executed (null on runs from before runs recorded it).',
    ),
    source_ref: NullableString(
      'The branch, tag or commit the caller named, or the default branch (live once promoted, else draft).',
    ),
    source: NullableString(
      'How it was started: `api`, `cli`, `sdk` (HTTP callers), `engine`, …; null on runs from before.',
    ),
    triggered_by: NullableString('The API key id that started it.'),
    batch_id: NullableString('The `batch_id` its starter gave.'),
    example_id: NullableString('The `example_id` its starter gave (a rerun keeps it).'),
    timing: componentRef('RunTiming', RunTiming),
    location: Type.Optional(
      Type.String({ description: 'Where the run can be read again; set while it is still running.' }),
    ),
  },
  { additionalProperties: true },
)

const expansion = (description: string) => Type.Optional(AnyJsonObject(description))

/** A run as the runs API (/api/v1/runs) shows it. */
export const Run = Type.Object(
  {
    ...RunRecord.properties,
    target: NullableString('The element’s path (`acme/hello`); null once the element is deleted.'),
    element_type: NullableString(),
    location: Type.String({ description: 'Where the run can be read again.' }),
    usage: expansion('`?expand=usage`: duration, memory, attempts, cold start.'),
    execution: componentRef('RunExecution', RunExecution),
    debug: expansion('`?expand=debug`: logs_truncated, trigger_info.'),
  },
  { additionalProperties: true },
)

export const RunsPage = Type.Object({
  runs: Type.Array(componentRef('Run', Run)),
  next_cursor: NullableString('Pass as `cursor` for the next page; null on the last one.'),
  has_more: Type.Boolean(),
})

export const RunArtifact = Type.Object({
  path: Type.String({ description: 'Relative to the output directory, `/`-separated.' }),
  size: Type.Integer(),
  modified_at: Timestamp(),
})

export const RunArtifactList = Type.Object({
  artifacts: Type.Array(componentRef('RunArtifact', RunArtifact)),
  total_bytes: Type.Integer(),
  truncated: Type.Boolean({
    description: 'The run wrote more than the per-run cap; `dropped_files`/`dropped_bytes` say how much.',
  }),
  dropped_files: Type.Integer(),
  dropped_bytes: Type.Integer(),
  refused_files: Type.Integer({
    description: 'Symlinks, FIFOs, sockets and devices the handler left (not kept).',
  }),
  refused: Type.Array(Type.Object({ path: Type.String(), reason: Type.String() })),
})

export const RunInputFile = Type.Object({
  name: Type.String(),
  field: NullableString('The form field it came in, i.e. its key in the handler’s `input["files"]`.'),
  sandbox_path: Type.String({
    description: 'Where the handler finds it inside the sandbox (`/periodic/input/<name>`).',
  }),
  size: Type.Integer(),
  modified_at: Timestamp(),
})

export const RunInputFileList = Type.Object({ files: Type.Array(componentRef('RunInputFile', RunInputFile)) })

export const RunDefinition = Type.Object({
  run_id: Type.String(),
  element_id: Type.String(),
  target: NullableString(),
  element_type: Type.String(),
  element_version: Type.Integer(),
  operation: Type.String(),
  source_commit: NullableString(),
  source_ref: NullableString(),
  captured: Type.Union(
    [Type.Literal('runtime'), Type.Literal('source_commit'), Type.Literal('element_version')],
    {
      description:
        '`runtime`: the type’s own snapshot taken when the run started; else the spec at the run’s Source commit, or at its element version.',
    },
  ),
  definition: AnyJson('What the run executed, as the element type shows its spec (secrets hidden).'),
})
