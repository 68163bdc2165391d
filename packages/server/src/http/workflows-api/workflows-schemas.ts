// Request and response schemas of the workflows API (/api/v1/workflows): they validate requests
// and feed the OpenAPI document (and from it the SDK's types).
import { Type } from '@sinclair/typebox'
import { defineErrorCodes } from '../../errors.ts'
import { AnyJsonObject, componentRef, NullableString, Timestamp } from '../api-schemas/component-ref.ts'

export const WORKFLOWS_API = defineErrorCodes({
  WORKFLOW_NOT_FOUND: {
    status: 404,
    class: 'not_found',
    retryable: false,
    description:
      'No workflow with that id or path in the key’s circle (an element of another type, or of another circle, is not found either)',
  },
})

export const listWorkflowsQuery = Type.Object(
  {
    search: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: 'Case-insensitive substring of the name, slug or description.',
      }),
    ),
    name: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: 'Exact match on the slug or on the document name (`document.name`).',
      }),
    ),
    kind: Type.Optional(Type.Union([Type.Literal('workflow'), Type.Literal('block')])),
    folder_id: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        description:
          'The id of the project (folder) holding the workflow; `null` for workflows directly in the circle.',
      }),
    ),
    circle: Type.Optional(
      Type.String({ minLength: 1, maxLength: 64, description: 'Platform admin only: one circle by slug.' }),
    ),
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 50 }),
    offset: Type.Integer({ minimum: 0, maximum: 100_000, default: 0 }),
  },
  { additionalProperties: false },
)

export const listVersionsQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 50 }),
    offset: Type.Integer({ minimum: 0, maximum: 100_000, default: 0 }),
    include: Type.Optional(
      Type.Literal('definition', { description: '`definition`: each version with its definition text.' }),
    ),
  },
  { additionalProperties: false },
)

export const WorkflowSummary = Type.Object({
  id: Type.String({ description: 'The element id.' }),
  slug: Type.String(),
  path: Type.String({ description: 'The element path, e.g. `acme/extract-invoice` (a run target).' }),
  circle: Type.String(),
  name: Type.String({ description: '`document.name` of the definition.' }),
  namespace: NullableString('`document.namespace`.'),
  version: NullableString('`document.version` (the DSL document’s own version).'),
  title: NullableString('`document.title`.'),
  description: Type.String({ description: '`document.summary`, else the element’s intention.' }),
  kind: Type.Union([Type.Literal('workflow'), Type.Literal('block')]),
  folder_id: NullableString('The project holding it; null directly in the circle.'),
  element_version: Type.Integer({ description: 'The element version (each write adds one).' }),
  state: Type.String(),
  enabled: Type.Boolean(),
  input_schema: Type.Union([AnyJsonObject(), Type.Null()], {
    description: '`input.schema.document` of the definition, when it has one.',
  }),
  created_at: Timestamp(),
  updated_at: Timestamp(),
})

export const WorkflowDetail = Type.Object({
  ...WorkflowSummary.properties,
  definition: Type.String({ description: 'The current definition, YAML or JSON text as written.' }),
  document: Type.Union([AnyJsonObject(), Type.Null()], {
    description: 'The parsed `document` header (dsl, namespace, name, version, title, summary, tags).',
  }),
  secrets: Type.Array(Type.String(), { description: 'Names of the stored secrets (values never shown).' }),
})

export const WorkflowList = Type.Object({
  workflows: Type.Array(componentRef('WorkflowSummary', WorkflowSummary)),
  total: Type.Integer(),
  limit: Type.Integer(),
  offset: Type.Integer(),
  has_more: Type.Boolean(),
})

export const WorkflowVersion = Type.Object({
  version: Type.Integer({ description: 'The element version.' }),
  tags: Type.Array(Type.String(), {
    description: 'Source release tags (`v1`, `v2` …, one per promotion to live) naming this version.',
  }),
  ref: NullableString(
    'What to pass as `version` to POST /api/v1/runs to run it: a release tag when it has one, else its commit (null: not in Source).',
  ),
  commit: NullableString('The Source commit of the version (when known).'),
  name: Type.String({ description: '`document.name` at that version.' }),
  document_version: NullableString('`document.version` at that version.'),
  message: Type.String(),
  created_by: NullableString(),
  created_at: Timestamp(),
  current: Type.Boolean({ description: 'Whether this is the element’s current version.' }),
  definition: Type.Optional(Type.String({ description: 'With `?include=definition`.' })),
})

export const WorkflowVersionList = Type.Object({
  workflow_id: Type.String(),
  path: Type.String(),
  versions: Type.Array(componentRef('WorkflowVersion', WorkflowVersion)),
  total: Type.Integer(),
  limit: Type.Integer(),
  offset: Type.Integer(),
  has_more: Type.Boolean(),
})

export const workflowSchemas = {
  WorkflowSummary,
  WorkflowDetail,
  WorkflowList,
  WorkflowVersion,
  WorkflowVersionList,
}
