// Request schemas and limits of a run's annotations (feedback, expected output): they validate
// requests and feed the OpenAPI document.
import { Type } from '@sinclair/typebox'

/** The largest expected document, as compact JSON. */
export const EXPECTED_MAX_BYTES = 1024 * 1024
/** Expected documents one run may hold. */
export const EXPECTED_MAX_PER_RUN = 50
export const EXPECTED_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/
export const FEEDBACK_COMMENT_MAX = 4000

const label = Type.String({ minLength: 1, maxLength: 64, pattern: '^[^\\u0000-\\u001f]+$' })

export const feedbackBody = Type.Object(
  {
    rating: Type.Optional(
      Type.Union([Type.Literal(-1), Type.Literal(0), Type.Literal(1), Type.Null()], {
        description: '-1 (bad), 0 (neutral), 1 (good); null clears it.',
      }),
    ),
    comment: Type.Optional(
      Type.Union([Type.String({ maxLength: FEEDBACK_COMMENT_MAX }), Type.Null()], {
        description: `Free text, at most ${FEEDBACK_COMMENT_MAX} characters.`,
      }),
    ),
    labels: Type.Optional(
      Type.Array(label, {
        maxItems: 20,
        description: 'Up to 20 labels of 1–64 characters; duplicates are dropped, order kept.',
      }),
    ),
  },
  { additionalProperties: false },
)

export const resolveFeedbackBody = Type.Object(
  {
    resolved: Type.Boolean({
      default: true,
      description: '`true` marks the feedback resolved; `false` reopens it.',
    }),
    note: Type.Optional(
      Type.Union([Type.String({ maxLength: FEEDBACK_COMMENT_MAX }), Type.Null()], {
        description: 'How it was resolved (kept until the feedback is reopened or changed).',
      }),
    ),
  },
  { additionalProperties: false },
)

const expectedName = Type.String({
  minLength: 1,
  maxLength: 100,
  pattern: EXPECTED_NAME.source,
  description: 'Letters, digits, `.`, `_`, `-`; starts with a letter or digit; no `..`.',
})

export const renameExpectedBody = Type.Object({ to: expectedName }, { additionalProperties: false })

export const copyOutputBody = Type.Object(
  {
    name: Type.Optional({
      ...expectedName,
      default: 'output',
      description: 'Name to save under (default `output`).',
    }),
  },
  { additionalProperties: false },
)
