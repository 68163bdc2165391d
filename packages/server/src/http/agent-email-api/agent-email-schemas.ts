// The agents' email triggers API shapes: request bodies and the named response schemas
// (AgentEmailAlias, AgentEmailTrigger, AgentEmailAliasList) the OpenAPI document and SDK carry.
import { Type } from '@sinclair/typebox'
import {
  DEFAULT_RATE_LIMIT_PER_MINUTE,
  MAX_RATE_LIMIT_PER_MINUTE,
} from '../../elements/agent/email/email-aliases.ts'
import { componentRef, NullableTimestamp, Timestamp } from '../api-schemas/component-ref.ts'

const AliasName = Type.String({
  minLength: 1,
  maxLength: 64,
  description:
    'The local part of the address (lower-cased): a-z, 0-9, `.`, `_`, `-`, starting and ending with a letter or digit.',
})
const RatePerMinute = Type.Integer({
  minimum: 1,
  maximum: MAX_RATE_LIMIT_PER_MINUTE,
  description: `Messages a minute the alias accepts; beyond, RCPT TO answers 451 4.7.1 (default ${DEFAULT_RATE_LIMIT_PER_MINUTE}).`,
})

export const listEmailAliasesQuery = Type.Object(
  {
    circle: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        description: 'A circle slug (the platform admin key; a circle key sees only its own circle).',
      }),
    ),
  },
  { additionalProperties: false },
)

export const createEmailAliasBody = Type.Object(
  {
    alias: Type.Optional(AliasName),
    rate_limit_per_minute: Type.Optional(RatePerMinute),
    enabled: Type.Optional(Type.Boolean({ default: true })),
  },
  { additionalProperties: false },
)

export const updateEmailAliasBody = Type.Object(
  {
    alias: Type.Optional(AliasName),
    rate_limit_per_minute: Type.Optional(RatePerMinute),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
)

export const updateEmailTriggerBody = Type.Object(
  { enabled: Type.Boolean({ description: 'Off: every alias of the agent refuses mail (550 5.1.1).' }) },
  { additionalProperties: false },
)

export const AgentEmailAlias = Type.Object({
  id: Type.String({ description: 'The alias id (`emailId` in the paths).' }),
  alias: Type.String({ description: 'The local part.' }),
  address: Type.String({ description: 'The full address, `alias@<mail domain>`.' }),
  agent_id: Type.String(),
  circle: Type.String(),
  enabled: Type.Boolean(),
  rate_limit_per_minute: Type.Integer(),
  key_id: Type.String({
    description:
      'The API key that created the alias: runs started by mail run with its scopes, and a revoked key stops the alias.',
  }),
  created_at: Timestamp(),
  updated_at: Timestamp(),
})

const aliasRef = componentRef('AgentEmailAlias', AgentEmailAlias)

export const AgentEmailTrigger = Type.Object({
  agent_id: Type.String(),
  enabled: Type.Boolean({ description: 'The agent’s email trigger (on unless switched off).' }),
  domain: Type.String({ description: 'The mail domain of this server (PERIODIC_MAIL_DOMAIN).' }),
  aliases: Type.Array(aliasRef),
  updated_at: NullableTimestamp('When the trigger was last switched; null: never.'),
})

export const AgentEmailAliasList = Type.Object({
  domain: Type.String(),
  aliases: Type.Array(aliasRef),
})

export const AgentEmailAliasDeleted = Type.Object({
  deleted: Type.Boolean(),
  alias: aliasRef,
})

export const agentEmailSchemas = {
  AgentEmailAlias,
  AgentEmailTrigger,
  AgentEmailAliasList,
  AgentEmailAliasDeleted,
}
