// Generates the OpenAPI 3.1 document from the registry. Operations that several types define
// on the same path and method become one entry whose body is a oneOf of the types' schemas.
// The generated file is committed (packages/server/openapi.json) and a test keeps it fresh.
// What the API answers is described by the named schemas of api-schemas/, checked against the
// live server by api-responses.test.ts; the SDK's types are generated from them.
import type { ElementType, OperationDef } from '../elements/element.ts'
import { operationPath } from '../elements/element.ts'
import { createInput } from '../elements/generic/lifecycle-operations.ts'
import { plainSchema } from '../elements/generic/operation-tools.ts'
import type { Registry } from '../elements/registry.ts'
import { errorCatalogue } from '../errors.ts'
import { apiComponents } from './api-schemas/api-components.ts'
import { clientSchema } from './api-schemas/client-schema.ts'
import { describeElementOperations } from './api-schemas/element-operation-schemas.ts'
import { errorResponse, jsonResponse, type Obj, queryParams, schemaRef } from './api-schemas/openapi-parts.ts'
import { automationsOpenApiPaths } from './automations-openapi.ts'
import { engineOpenApiPaths } from './engine-api-openapi.ts'
import { runAnnotationsOpenApiPaths } from './runs-api/run-annotations-openapi.ts'
import { addRunFilesOpenApi } from './runs-api/run-files-openapi.ts'
import { runsOpenApiPaths } from './runs-api/runs-openapi.ts'
import { whoamiOpenApiPaths } from './whoami-route.ts'
import { workflowsOpenApiPaths } from './workflows-api/workflows-openapi.ts'

const elementRef = schemaRef('Element')
const json = (schema: Obj, description = 'OK') => jsonResponse(description, schema)
/** A response that may also be binary (`op.binary`), e.g. a git bundle. */
const withBinary = (response: Obj, mediaType: string | undefined): Obj =>
  mediaType
    ? {
        ...response,
        content: {
          ...(response['content'] as Obj),
          [mediaType]: { schema: { type: 'string', contentMediaType: mediaType } },
        },
      }
    : response
const pathParam = (name: string, description: string) => ({
  name,
  in: 'path',
  required: true,
  schema: { type: 'string' },
  description,
})

function entry(group: Array<{ type: ElementType; op: OperationDef }>, generic: boolean, params: Obj[]): Obj {
  const first = group[0]!.op
  const types = group.map((g) => g.type.type)
  const schemas = group.map((g) => clientSchema(g.op.input))
  const distinct = [...new Map(schemas.map((s) => [JSON.stringify(s), s])).values()]
  const body = distinct.length === 1 ? distinct[0]! : { oneOf: distinct }
  const opParams = operationPath(first)
    .split('/')
    .filter((s) => s.startsWith(':'))
    .map((s) => pathParam(s.slice(1), 'Operation path parameter'))
  const isQuery = first.method === 'GET'
  return {
    operationId: generic
      ? `generic_${first.name}_${first.method.toLowerCase()}`
      : `${types.join('_')}_${first.name}_${first.method.toLowerCase()}`.replace(/-/g, '_'),
    summary: first.summary,
    description: [
      first.description,
      `Auth: ${first.auth}.`,
      generic ? 'Available on every element type.' : `Element types: ${types.join(', ')}.`,
    ]
      .filter(Boolean)
      .join(' '),
    tags: generic ? ['generic operations'] : types,
    'x-auth': first.auth,
    'x-element-types': generic ? ['*'] : types,
    parameters: [...params, ...opParams, ...(isQuery && first.input ? queryParams(body) : [])],
    ...(!isQuery && first.input
      ? { requestBody: { required: false, content: { 'application/json': { schema: body } } } }
      : {}),
    responses: {
      '200': withBinary(json(first.output ? plainSchema(first.output) : {}), first.binary),
      default: errorResponse,
    },
  }
}

export function buildOpenApi(registry: Registry): Obj {
  const circle = pathParam('circle', 'Circle slug')
  const element = pathParam('element', 'Element slug (or project/slug)')
  const paths: Record<string, Record<string, Obj>> = {
    '/healthz': {
      get: {
        operationId: 'healthz',
        security: [],
        summary: 'Liveness',
        responses: { '200': json({ type: 'object' }) },
      },
    },
    '/metrics': {
      get: {
        operationId: 'metrics',
        summary: 'Prometheus metrics (the admin key; public with PERIODIC_METRICS_PUBLIC=true)',
        responses: { '200': { description: 'text/plain' } },
      },
    },
    '/api': {
      get: {
        operationId: 'list_circles',
        summary: 'Circles the key can see',
        responses: { '200': json({ type: 'object' }), default: errorResponse },
      },
      post: {
        operationId: 'create_circle',
        summary: 'Create a circle (platform admin key)',
        requestBody: {
          required: true,
          content: { 'application/json': { schema: clientSchema(createInput) } },
        },
        responses: { '201': json(elementRef, 'Created'), default: errorResponse },
      },
    },
    '/api/{circle}/{element}': {
      get: {
        operationId: 'get_element',
        summary: 'Get an element (= ops/get)',
        parameters: [circle, element],
        responses: { '200': json(elementRef), default: errorResponse },
      },
      post: {
        operationId: 'create_child',
        summary: 'Create a child element under a project (= ops/create)',
        parameters: [circle, element],
        requestBody: {
          required: true,
          content: { 'application/json': { schema: clientSchema(createInput) } },
        },
        responses: { '201': json(elementRef, 'Created'), default: errorResponse },
      },
    },
  }
  // Group by (URL, method): circles are addressed at /api/{circle}, everything else below it.
  const groups = new Map<
    string,
    {
      url: string
      method: string
      generic: boolean
      params: Obj[]
      items: Array<{ type: ElementType; op: OperationDef }>
    }
  >()
  for (const type of registry.list()) {
    for (const op of registry.operationsOf(type)) {
      const generic = registry.isGeneric(op)
      const isCircle = type.type === 'circle' && !generic
      const base = isCircle ? '/api/{circle}/ops/' : '/api/{circle}/{element}/ops/'
      const url = base + operationPath(op).replace(/:(\w+)/g, '{$1}')
      const key = `${op.method} ${url}`
      const g = groups.get(key) ?? {
        url,
        method: op.method.toLowerCase(),
        generic,
        params: isCircle ? [circle] : [circle, element],
        items: [] as Array<{ type: ElementType; op: OperationDef }>,
      }
      if (!g.items.some((i) => i.op === op)) g.items.push({ type, op })
      groups.set(key, g)
    }
  }
  for (const g of groups.values()) {
    paths[g.url] ??= {}
    paths[g.url]![g.method] = entry(g.items, g.generic, g.params)
  }
  describeElementOperations(paths)
  Object.assign(paths, runsOpenApiPaths())
  addRunFilesOpenApi(paths)
  Object.assign(paths, runAnnotationsOpenApiPaths())
  Object.assign(paths, workflowsOpenApiPaths())
  Object.assign(paths, automationsOpenApiPaths())
  Object.assign(paths, engineOpenApiPaths())
  Object.assign(paths, whoamiOpenApiPaths())
  return {
    openapi: '3.1.0',
    info: {
      title: 'Periodic',
      version: '0.1.0',
      description:
        'Every element is reached at /api/{circle}/{element_path}/ops/{operation}. Errors use one envelope; codes are listed in x-error-codes.',
    },
    servers: [{ url: 'http://127.0.0.1:8420' }],
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'A circle API key or the platform admin key' },
      },
      schemas: apiComponents(),
    },
    'x-error-codes': errorCatalogue().map(({ code, status, class: cls, retryable, description }) => ({
      code,
      status,
      class: cls,
      retryable,
      description,
    })),
  }
}
