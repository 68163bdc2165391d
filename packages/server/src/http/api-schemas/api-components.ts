// The named schemas of the OpenAPI document (`components.schemas`): the error envelope, the
// element, and what the runs API answers. openapi.ts lists them; responses point at them by
// name (componentRef), and the SDK's types are generated from them.
import { Type } from '@sinclair/typebox'
import { errorCatalogue } from '../../errors.ts'
import { agentEmailSchemas } from '../agent-email-api/agent-email-schemas.ts'
import { agentSchemas } from '../agents-api/agents-response-schemas.ts'
import { automationSchemas } from '../automations-schemas.ts'
import { workflowSchemas } from '../workflows-api/workflows-schemas.ts'
import { AnyJsonObject, componentRef, JsonSchemas, NullableString, Timestamp } from './component-ref.ts'
import { elementOperationSchemas } from './element-operation-schemas.ts'
import {
  ExpectedDocument,
  ExpectedDocumentList,
  FeedbackRating,
  FieldComparison,
  RunComparison,
  RunFeedback,
  RunsComparison,
  RunTrace,
  TraceEvent,
} from './run-annotation-schemas.ts'
import {
  Run,
  RunArtifact,
  RunArtifactList,
  RunDefinition,
  RunError,
  RunExecution,
  RunInputFile,
  RunInputFileList,
  RunRecord,
  RunStatus,
  RunsPage,
  RunTiming,
} from './run-schemas.ts'

export const ErrorEnvelope = () =>
  Type.Object({
    error: Type.Object({
      code: Type.Unsafe<string>({
        type: 'string',
        enum: errorCatalogue()
          .map((c) => c.code)
          .sort(),
      }),
      message: Type.String(),
      class: Type.String(),
      retryable: Type.Boolean(),
      details: AnyJsonObject(),
    }),
    request_id: Type.String(),
  })

export const Warning = Type.Object({
  field: Type.String({ description: 'The spec field, e.g. `spec.timeout_s`.' }),
  message: Type.String(),
})

export const Element = Type.Object(
  {
    id: Type.String(),
    circle: Type.String(),
    slug: Type.String(),
    name: Type.String(),
    element_type: Type.String(),
    category: Type.String(),
    form: Type.String(),
    symbol: Type.String(),
    state: Type.String(),
    state_reason: NullableString(),
    enabled: Type.Boolean(),
    intention: Type.String(),
    spec: AnyJsonObject('The element type’s spec (secrets redacted).'),
    meta: AnyJsonObject(),
    version: Type.Integer(),
    parent: NullableString('The parent element’s id; null for a circle.'),
    path: Type.String({ description: '`circle/project/slug`.' }),
    created_at: Timestamp(),
    updated_at: Timestamp(),
    warnings: Type.Array(componentRef('Warning', Warning)),
  },
  { additionalProperties: true },
)

/** Every named schema, as plain JSON Schema, in the order the document lists them. */
export function apiComponents(): Record<string, unknown> {
  const schemas = {
    ...JsonSchemas,
    ErrorEnvelope: ErrorEnvelope(),
    Element,
    Warning,
    RunStatus,
    RunError,
    RunTiming,
    RunExecution,
    RunRecord,
    Run,
    RunsPage,
    RunArtifact,
    RunArtifactList,
    RunInputFile,
    RunInputFileList,
    FeedbackRating,
    RunFeedback,
    ExpectedDocument,
    ExpectedDocumentList,
    FieldComparison,
    RunComparison,
    RunsComparison,
    RunDefinition,
    TraceEvent,
    RunTrace,
    ...elementOperationSchemas,
    ...workflowSchemas,
    ...agentSchemas,
    ...automationSchemas,
    ...agentEmailSchemas,
  }
  return JSON.parse(JSON.stringify(schemas)) as Record<string, unknown>
}
