// Request and response schemas of the agents API (/api/v1/agents): they validate requests and
// feed the OpenAPI document (and from it the SDK's types).
import { Type } from '@sinclair/typebox'
import { agentToolSchema } from '../../elements/agent/spec.ts'
import { defineErrorCodes } from '../../errors.ts'

export const AGENTS_API = defineErrorCodes({
  AGENT_NOT_FOUND: {
    status: 404,
    class: 'not_found',
    retryable: false,
    description:
      'No agent with that id, path or slug in the key’s circle (an element of another type, or of another circle, is not found either)',
  },
  AGENT_FILE_NOT_FOUND: {
    status: 404,
    class: 'not_found',
    retryable: false,
    description: 'The agent’s Source tree has no file at that path at that ref.',
  },
  AGENT_REF_READ_ONLY: {
    status: 400,
    class: 'validation',
    retryable: false,
    description:
      'Agent files are written to the draft branch (`main` names it too); demo and live move only by promotion, tags and commits never.',
  },
  AGENT_PARENT_INVALID: {
    status: 400,
    class: 'validation',
    retryable: false,
    description:
      'Where to create the agent is unclear: a platform admin key must name the `circle`; a circle key may name only its own; `parent` must be a project of that circle.',
  },
})

const Limit = Type.Integer({ minimum: 1, maximum: 100, default: 50 })
const Offset = Type.Integer({ minimum: 0, maximum: 100_000, default: 0 })
const Ref = Type.String({
  minLength: 1,
  maxLength: 256,
  pattern: '^[A-Za-z0-9._/-]+$',
  description:
    'A branch (`draft`, `demo`, `live`; `main` is draft), a release tag (`v1`) or a commit. Default: draft.',
})
const FilePath = Type.String({ minLength: 1, maxLength: 1024 })

export const listAgentsQuery = Type.Object(
  {
    search: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description:
          'Case-insensitive substring of the slug, name, path, description, the instructions’ first line or the model.',
      }),
    ),
    slug: Type.Optional(Type.String({ minLength: 1, maxLength: 63, description: 'Exactly this slug.' })),
    include_archived: Type.Boolean({ default: false, description: 'Disabled agents too.' }),
    circle: Type.Optional(
      Type.String({ minLength: 1, maxLength: 64, description: 'Platform admin only: one circle by slug.' }),
    ),
    limit: Limit,
    offset: Offset,
  },
  { additionalProperties: false },
)

export const getAgentQuery = Type.Object(
  { include: Type.Optional(Type.Literal('files', { description: '`files`: the Source file list too.' })) },
  { additionalProperties: false },
)

export const listVersionsQuery = Type.Object(
  { limit: Limit, offset: Offset },
  { additionalProperties: false },
)

export const filesQuery = Type.Object(
  {
    path: Type.Optional(FilePath),
    prefix: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
    ref: Type.Optional(Ref),
  },
  { additionalProperties: false },
)

const ModelInput = (create: boolean) =>
  Type.Object(
    {
      base_url: create
        ? Type.String({ minLength: 1, maxLength: 2048, description: 'An OpenAI-compatible API root.' })
        : Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
      model: create
        ? Type.String({ minLength: 1, maxLength: 256 })
        : Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
      api_key: Type.Optional(
        Type.Union([Type.String({ maxLength: 4096 }), Type.Null()], {
          description: 'Write-only: sealed at rest, never shown (`api_key_set`). null removes it.',
        }),
      ),
      temperature: Type.Optional(Type.Union([Type.Number({ minimum: 0, maximum: 2 }), Type.Null()])),
      max_tokens: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 1_000_000 }), Type.Null()])),
    },
    { additionalProperties: false },
  )

const configuration = (create: boolean) => ({
  name: Type.Optional(Type.String({ maxLength: 200 })),
  description: Type.Optional(Type.String({ maxLength: 10_000, description: 'The element’s intention.' })),
  intention: Type.Optional(Type.String({ maxLength: 10_000, description: 'Same as `description`.' })),
  instructions: Type.Optional(
    Type.String({ maxLength: 256 * 1024, description: 'The system prompt (AGENT.md in Source).' }),
  ),
  model: create ? ModelInput(true) : Type.Optional(ModelInput(false)),
  tools: Type.Optional(Type.Array(agentToolSchema, { maxItems: 64 })),
  max_steps: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
  token_budget: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000_000 })),
  timeout_s: Type.Optional(Type.Integer({ minimum: 1, maximum: 86_400 })),
  output_schema: Type.Optional(
    Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()], {
      description: 'A JSON Schema the final answer must satisfy; null removes it.',
    }),
  ),
})

export const createAgentBody = Type.Object(
  {
    slug: Type.String({ minLength: 1, maxLength: 63 }),
    circle: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        description: 'The circle (required for a platform admin key).',
      }),
    ),
    parent: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 512,
        description: 'A project of the circle to create it in (`billing` or `acme/billing`).',
      }),
    ),
    readme: Type.Optional(
      Type.String({ maxLength: 256 * 1024, description: 'README.md (default: generated).' }),
    ),
    ...configuration(true),
  },
  { additionalProperties: false },
)

export const updateAgentBody = Type.Object(
  {
    ...configuration(false),
    enabled: Type.Optional(Type.Boolean({ description: 'Needs the admin scope (as enable/disable do).' })),
    expected_version: Type.Optional(
      Type.Integer({
        minimum: 1,
        description: 'Refuse (409 VERSION_CONFLICT) unless the agent is at this version.',
      }),
    ),
    message: Type.Optional(Type.String({ maxLength: 500, description: 'The version’s message.' })),
  },
  { additionalProperties: false },
)

export const putFileBody = Type.Object(
  {
    content: Type.String({ maxLength: 5 * 1024 * 1024 }),
    message: Type.Optional(Type.String({ maxLength: 500 })),
    expected_version: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
)

export const uploadFilesBody = Type.Object(
  {
    files: Type.Record(FilePath, Type.String({ maxLength: 5 * 1024 * 1024 }), {
      minProperties: 1,
      maxProperties: 16,
      description: 'Path → text content.',
    }),
    message: Type.Optional(Type.String({ maxLength: 500 })),
    expected_version: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
)
