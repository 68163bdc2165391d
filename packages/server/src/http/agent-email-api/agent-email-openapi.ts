// The agents' email triggers API in the OpenAPI document (openapi.ts merges these paths).
import { clientSchema } from '../api-schemas/client-schema.ts'
import {
  errorResponse,
  jsonBody,
  jsonResponse,
  type Obj,
  queryParams,
  schemaRef,
} from '../api-schemas/openapi-parts.ts'
import {
  createEmailAliasBody,
  listEmailAliasesQuery,
  updateEmailAliasBody,
  updateEmailTriggerBody,
} from './agent-email-schemas.ts'

const json = (description: string, component: string) => jsonResponse(description, schemaRef(component))

const agentParam = {
  name: 'agentId',
  in: 'path',
  required: true,
  description: 'The agent’s id, its path `circle/slug` URL-encoded, or (circle key) its slug.',
  schema: { type: 'string', minLength: 1, maxLength: 500 },
}
const emailParam = {
  name: 'emailId',
  in: 'path',
  required: true,
  description: 'The email alias id.',
  schema: { type: 'string', minLength: 1, maxLength: 100 },
}

export function agentEmailOpenApiPaths(): Record<string, Record<string, Obj>> {
  const tags = ['agents']
  const trigger = json('The agent’s email trigger and aliases', 'AgentEmailTrigger')
  const alias = json('The alias', 'AgentEmailAlias')
  return {
    '/api/v1/agents/triggers/email': {
      get: {
        operationId: 'agents_email_triggers_list',
        tags,
        summary: 'Email aliases of the key’s circle (the platform admin: all, or ?circle=)',
        description: 'Auth: read. Each alias with its full address `alias@<mail domain>`.',
        parameters: queryParams(clientSchema(listEmailAliasesQuery)),
        responses: { '200': json('The aliases', 'AgentEmailAliasList'), default: errorResponse },
      },
    },
    '/api/v1/agents/{agentId}/triggers/email': {
      get: {
        operationId: 'agents_email_triggers_get',
        tags,
        summary: 'An agent’s email trigger: on or off, the mail domain, its aliases',
        description: 'Auth: read.',
        parameters: [agentParam],
        responses: { '200': trigger, default: errorResponse },
      },
      patch: {
        operationId: 'agents_email_triggers_update',
        tags,
        summary: 'Switch an agent’s email trigger on or off',
        description: 'Auth: write. Off: mail to any of its aliases is refused at RCPT TO (550 5.1.1).',
        parameters: [agentParam],
        requestBody: jsonBody(clientSchema(updateEmailTriggerBody), true),
        responses: { '200': trigger, default: errorResponse },
      },
      post: {
        operationId: 'agents_email_triggers_create_alias',
        tags,
        summary: 'Create an email alias: each message to alias@<mail domain> starts a run of the agent',
        description:
          'Auth: write and execute (runs started by mail run with the scopes of the key that created the alias, re-checked at every message; a revoked key stops the alias). Without `alias` one is generated from the agent’s slug. 409 AGENT_EMAIL_ALIAS_TAKEN when the alias receives mail already.',
        parameters: [agentParam],
        requestBody: jsonBody(clientSchema(createEmailAliasBody), false),
        responses: { '201': alias, default: errorResponse },
      },
    },
    '/api/v1/agents/{agentId}/triggers/email/{emailId}': {
      patch: {
        operationId: 'agents_email_triggers_update_alias',
        tags,
        summary: 'Rename, enable, disable or re-rate an email alias',
        description: 'Auth: write. The alias keeps the key that created it.',
        parameters: [agentParam, emailParam],
        requestBody: jsonBody(clientSchema(updateEmailAliasBody), true),
        responses: { '200': alias, default: errorResponse },
      },
      delete: {
        operationId: 'agents_email_triggers_delete_alias',
        tags,
        summary: 'Delete an email alias: its address refuses mail from now on',
        description: 'Auth: write.',
        parameters: [agentParam, emailParam],
        responses: { '200': json('The deleted alias', 'AgentEmailAliasDeleted'), default: errorResponse },
      },
    },
  }
}
