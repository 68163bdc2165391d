// What the agents API answers (/api/v1/agents): named schemas of the OpenAPI document, from which
// the SDK's types are generated.
import { Type } from '@sinclair/typebox'
import { AnyJsonObject, componentRef, NullableString, Timestamp } from '../api-schemas/component-ref.ts'

export const AgentModel = Type.Object({
  base_url: Type.String(),
  model: Type.String(),
  api_key_set: Type.Boolean({ description: 'Whether a key is stored (the key itself is never shown).' }),
  temperature: Type.Union([Type.Number(), Type.Null()]),
  max_tokens: Type.Union([Type.Integer(), Type.Null()]),
})

export const AgentFile = Type.Object({
  path: Type.String(),
  size: Type.Integer({ description: 'Bytes.' }),
})

export const AgentSummary = Type.Object({
  id: Type.String({ description: 'The element id.' }),
  slug: Type.String(),
  path: Type.String({ description: 'The element path, e.g. `acme/invoice-triage` (a run target).' }),
  circle: Type.String(),
  name: Type.String(),
  description: Type.String({ description: 'The element’s intention.' }),
  summary: Type.String({ description: 'The instructions’ first non-empty line.' }),
  folder_id: NullableString('The project holding it; null directly in the circle.'),
  model: componentRef('AgentModel', AgentModel),
  tools: Type.Array(Type.Union([Type.String(), AnyJsonObject()]), {
    description: 'As written (an MCP server’s header values shown as `{sealed: true}`).',
  }),
  max_steps: Type.Integer(),
  token_budget: Type.Integer(),
  timeout_s: Type.Integer(),
  output_schema: Type.Union([AnyJsonObject(), Type.Null()]),
  version: Type.Integer({ description: 'The element version (each write adds one).' }),
  state: Type.String(),
  enabled: Type.Boolean(),
  created_at: Timestamp(),
  updated_at: Timestamp(),
})

export const AgentDetail = Type.Object({
  ...AgentSummary.properties,
  instructions: Type.String({ description: 'The system prompt (AGENT.md).' }),
  source_commit: NullableString('The draft branch’s commit (null: no Source yet).'),
  files: Type.Optional(
    Type.Array(componentRef('AgentFile', AgentFile), {
      description: 'With `?include=files`: the draft tree.',
    }),
  ),
})

export const AgentList = Type.Object({
  agents: Type.Array(componentRef('AgentSummary', AgentSummary)),
  total: Type.Integer(),
  limit: Type.Integer(),
  offset: Type.Integer(),
  has_more: Type.Boolean(),
})

export const AgentFileList = Type.Object({
  agent_id: Type.String(),
  ref: Type.String(),
  commit: Type.String(),
  files: Type.Array(componentRef('AgentFile', AgentFile)),
})

export const AgentFileContent = Type.Object({
  agent_id: Type.String(),
  path: Type.String(),
  ref: Type.String(),
  commit: Type.String(),
  size: Type.Integer(),
  encoding: Type.Union([Type.Literal('utf8'), Type.Literal('base64')]),
  content: Type.String(),
})

export const AgentFilesWritten = Type.Object({
  agent: componentRef('AgentDetail', AgentDetail),
  commit: Type.String({ description: 'The draft commit holding the write.' }),
  paths: Type.Array(Type.String()),
})

export const AgentVersion = Type.Object({
  version: Type.Integer({ description: 'The element version.' }),
  tags: Type.Array(Type.String(), { description: 'Source release tags (`v1`, `v2` …) naming this version.' }),
  ref: NullableString('What names it in Source: a release tag when it has one, else its commit.'),
  commit: NullableString('The Source commit of the version (when known).'),
  model: Type.String({ description: '`model.model` at that version.' }),
  message: Type.String(),
  created_by: NullableString(),
  created_at: Timestamp(),
  current: Type.Boolean(),
})

export const AgentVersionList = Type.Object({
  agent_id: Type.String(),
  path: Type.String(),
  versions: Type.Array(componentRef('AgentVersion', AgentVersion)),
  total: Type.Integer(),
  limit: Type.Integer(),
  offset: Type.Integer(),
  has_more: Type.Boolean(),
})

export const agentSchemas = {
  AgentModel,
  AgentFile,
  AgentSummary,
  AgentDetail,
  AgentList,
  AgentFileList,
  AgentFileContent,
  AgentFilesWritten,
  AgentVersion,
  AgentVersionList,
}
