// The automations API's shapes: its list query, and the named response schemas (Automation,
// AutomationsPage, AutomationSyncResponse) the OpenAPI document and the SDK's types carry.
import { Type } from '@sinclair/typebox'
import {
  AnyJson,
  AnyJsonObject,
  componentRef,
  NullableString,
  NullableTimestamp,
  Timestamp,
} from './api-schemas/component-ref.ts'

export const listAutomationsQuery = Type.Object(
  {
    circle: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        description: 'A circle slug (the platform admin key; a circle key sees only its own circle).',
      }),
    ),
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
    cursor: Type.Optional(Type.String({ maxLength: 200, description: 'next_cursor of the previous page.' })),
  },
  { additionalProperties: false },
)

export const Automation = Type.Object({
  id: Type.String({ description: 'The workflow element’s id (the automation’s id).' }),
  circle: Type.String(),
  path: Type.String({ description: 'The workflow’s path, `circle/slug` (usable as the id, URL-encoded).' }),
  workflow: NullableString('The document’s name.'),
  kind: Type.Union(
    [Type.Literal('every'), Type.Literal('cron'), Type.Literal('after'), Type.Literal('on'), Type.Null()],
    { description: 'Which `schedule` it is; null when the schedule is invalid.' },
  ),
  schedule: AnyJsonObject('The definition’s `schedule`, as last synced.'),
  state: Type.Union([
    Type.Literal('active'),
    Type.Literal('paused'),
    Type.Literal('disabled'),
    Type.Literal('invalid'),
  ]),
  paused: Type.Boolean(),
  next_fire_at: NullableTimestamp('The next tick of an `every` or `cron` schedule.'),
  last_error: NullableString(
    'Why it did not fire last time (a revoked writer key, a bad schedule), cleared by the next run.',
  ),
  last_fired_at: NullableTimestamp(),
  last_run_id: NullableString(),
  version: Type.Integer({ description: 'The workflow version the schedule was read from.' }),
  source_ref: NullableString('The branch that version was read from (`live` once promoted, else `draft`).'),
  source_commit: NullableString(),
  updated_at: Timestamp(),
})

export const AutomationsPage = Type.Object({
  automations: Type.Array(componentRef('Automation', Automation)),
  next_cursor: NullableString('Pass as `cursor` for the next page; null on the last one.'),
  has_more: Type.Boolean(),
})

export const AutomationSyncResponse = Type.Object({
  action: Type.Union(
    [
      Type.Literal('created'),
      Type.Literal('updated'),
      Type.Literal('unchanged'),
      Type.Literal('removed'),
      Type.Literal('none'),
    ],
    { description: '`none`: the workflow has no schedule and had no automation.' },
  ),
  automation: Type.Union([componentRef('Automation', Automation), Type.Null()]),
  changes: Type.Array(Type.Object({ field: Type.String(), before: AnyJson(), after: AnyJson() }), {
    description: 'The fields that changed (schedule, version, source_ref, source_commit).',
  }),
  runs_started: Type.Integer({ description: 'Always 0: a sync never enqueues a run.' }),
})

export const automationSchemas = { Automation, AutomationsPage, AutomationSyncResponse }
