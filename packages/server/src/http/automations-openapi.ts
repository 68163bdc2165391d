// The automations API in the OpenAPI document (openapi.ts merges these paths).
import { clientSchema } from './api-schemas/client-schema.ts'
import { errorResponse, jsonResponse, type Obj, queryParams, schemaRef } from './api-schemas/openapi-parts.ts'
import { listAutomationsQuery } from './automations-schemas.ts'

const json = (description: string, component: string) => jsonResponse(description, schemaRef(component))

const automationParam = {
  name: 'automation',
  in: 'path',
  required: true,
  description: 'The workflow element’s id, or its path `circle/slug` URL-encoded (`acme%2Fnightly`).',
  schema: { type: 'string', minLength: 1, maxLength: 500 },
}

export function automationsOpenApiPaths(): Record<string, Record<string, Obj>> {
  const tags = ['automations']
  const change = (action: 'pause' | 'resume', summary: string) => ({
    post: {
      operationId: `automations_${action}`,
      tags,
      summary,
      description: 'Auth: write on the automation’s circle. Answers the automation.',
      parameters: [automationParam],
      responses: { '200': json('The automation', 'Automation'), default: errorResponse },
    },
  })
  return {
    '/api/v1/automations': {
      get: {
        operationId: 'automations_list',
        tags,
        summary: 'Automations (workflow schedules) of the key’s circle; the platform admin: all, or ?circle=',
        description:
          'Auth: read. A workflow whose definition has a `schedule` (`every`, `cron`, `after`, `on`) is an automation; ordered by id, with a cursor.',
        parameters: queryParams(clientSchema(listAutomationsQuery)),
        responses: { '200': json('A page of automations', 'AutomationsPage'), default: errorResponse },
      },
    },
    '/api/v1/automations/{automation}': {
      get: {
        operationId: 'automations_get',
        tags,
        summary: 'One automation: its schedule, state, next and last firing, last error',
        parameters: [automationParam],
        responses: { '200': json('The automation', 'Automation'), default: errorResponse },
      },
    },
    '/api/v1/automations/{automation}/pause': change(
      'pause',
      'Pause an automation: it fires no more until resumed',
    ),
    '/api/v1/automations/{automation}/resume': change(
      'resume',
      'Resume a paused automation (`after` waits again from now; ticks missed meanwhile are not made up)',
    ),
    '/api/v1/automations/{automation}/sync': {
      post: {
        operationId: 'automations_sync',
        tags,
        summary: 'Reconcile an automation from its workflow’s latest released definition; starts no run',
        description:
          'Auth: write. Reads the workflow’s default ref (live once promoted, else draft): creates, updates or removes its automation and answers what changed. This does not enqueue executions. `{automation}` may name a workflow that has no automation yet.',
        parameters: [automationParam],
        responses: { '200': json('What the sync changed', 'AutomationSyncResponse'), default: errorResponse },
      },
    },
  }
}
