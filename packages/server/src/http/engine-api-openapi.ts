// The engine's HTTP listings in the OpenAPI document (openapi.ts merges these paths; the routes
// are in engine-api-route.ts).
import { errorResponse, jsonResponse, type Obj } from './api-schemas/openapi-parts.ts'

const circleParam = {
  name: 'circle',
  in: 'path',
  required: true,
  description: 'The circle’s slug.',
  schema: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}$' },
}
const rows = (description: string): Obj => ({ type: 'array', description, items: { type: 'object' } })

export function engineOpenApiPaths(): Record<string, Record<string, Obj>> {
  const tags = ['engine']
  return {
    '/api/v1/engine/{circle}': {
      get: {
        operationId: 'engine_overview',
        tags,
        summary: 'A circle’s engine: functions, workers, registered triggers, trigger types and named queues',
        description:
          'Auth: read on the circle. Rows as the discovery built-ins give them (engine::functions::list, engine::workers::list, engine::registered-triggers::list with pending ones, engine::triggers::list); queues are those a queue trigger configured plus each `queue` asked for (at most 20), with engine::queues::stats counts and up to 100 dead letters.',
        parameters: [
          circleParam,
          {
            name: 'queue',
            in: 'query',
            required: false,
            description: 'Also show this named queue (repeatable).',
            schema: { type: 'array', items: { type: 'string', pattern: '^[\\w.:-]{1,128}$' }, maxItems: 20 },
          },
        ],
        responses: {
          '200': jsonResponse('The engine of the circle', {
            type: 'object',
            required: ['circle', 'functions', 'workers', 'triggers', 'trigger_types', 'queues'],
            properties: {
              circle: { type: 'string' },
              functions: rows('engine::functions::list rows'),
              workers: rows('engine::workers::list rows'),
              triggers: rows('engine::registered-triggers::list rows'),
              trigger_types: rows('engine::triggers::list rows'),
              queues: rows('engine::queues::stats of each queue, with dead_letters and dead_letter_count'),
            },
          }),
          default: errorResponse,
        },
      },
    },
    '/api/v1/engine/{circle}/queues/{queue}/redrive': {
      post: {
        operationId: 'engine_queue_redrive',
        tags,
        summary: 'Put a named queue’s dead letters back with fresh attempts (engine::queues::redrive)',
        description: 'Auth: write on the circle.',
        parameters: [
          circleParam,
          {
            name: 'queue',
            in: 'path',
            required: true,
            schema: { type: 'string', pattern: '^[\\w.:-]{1,128}$' },
          },
        ],
        responses: {
          '200': jsonResponse('How many jobs went back', {
            type: 'object',
            required: ['redriven'],
            properties: { redriven: { type: 'integer', minimum: 0 } },
          }),
          default: errorResponse,
        },
      },
    },
  }
}
