// `call: openapi`: reads the OpenAPI document (through the host, so through the outbound
// policy), finds the operation by id, and sends it as a `call: http` with the parameters placed
// where the document says (path, query, header; `body` as the request body).
import type { Json, JsonObject } from '../storage/storage.ts'
import { fault } from './dsl-faults.ts'
import type { Interpreter, TaskCall } from './task-types.ts'

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']

export async function openApiCall(
  x: Interpreter,
  t: TaskCall,
  args: JsonObject,
  authorization?: string,
): Promise<Json> {
  const where = `${t.step.position}/with`
  const document = (args['document'] ?? {}) as JsonObject
  const endpoint = document['endpoint']
  const url =
    typeof endpoint === 'string'
      ? endpoint
      : ((endpoint as JsonObject | undefined)?.['uri'] as string | undefined)
  const operationId = args['operationId']
  if (typeof url !== 'string' || typeof operationId !== 'string')
    throw fault('validation', 'call: openapi needs with.document.endpoint and with.operationId', where)
  const doc = await x.host.fetchDocument(t.step, url, t.frame.signal)
  const found = findOperation(doc, operationId)
  if (!found)
    throw fault('configuration', `the OpenAPI document at ${url} has no operation "${operationId}"`, where)
  const params = (args['parameters'] ?? {}) as JsonObject
  const declared = [
    ...((found.pathItem['parameters'] ?? []) as JsonObject[]),
    ...((found.op['parameters'] ?? []) as JsonObject[]),
  ]
  let path = found.path
  const query: Record<string, string> = {}
  const headers: Record<string, string> = authorization ? { authorization } : {}
  for (const p of declared) {
    const name = String(p['name'])
    const v = params[name]
    if (v === undefined) {
      if (p['required'] === true)
        throw fault('validation', `parameter "${name}" of ${operationId} is required`, where)
      continue
    }
    const text = typeof v === 'string' ? v : JSON.stringify(v)
    if (p['in'] === 'path') path = path.replace(`{${name}}`, encodeURIComponent(text))
    else if (p['in'] === 'query') query[name] = text
    else if (p['in'] === 'header') headers[name.toLowerCase()] = text
  }
  const servers = (doc['servers'] ?? []) as JsonObject[]
  const base = new URL(typeof servers[0]?.['url'] === 'string' ? (servers[0]['url'] as string) : '/', url)
  const target = new URL(base.pathname.replace(/\/$/, '') + path, base)
  return x.host.callHttp(
    t.step,
    {
      method: found.method.toUpperCase(),
      url: target.toString(),
      headers,
      query,
      ...(params['body'] !== undefined ? { body: params['body'] } : {}),
      output: typeof args['output'] === 'string' ? args['output'] : 'content',
      redirect: args['redirect'] === true,
    },
    t.frame.signal,
  )
}

function findOperation(doc: JsonObject, operationId: string) {
  for (const [path, item] of Object.entries((doc['paths'] ?? {}) as JsonObject)) {
    const pathItem = (item ?? {}) as JsonObject
    for (const method of METHODS) {
      const op = pathItem[method] as JsonObject | undefined
      if (op && op['operationId'] === operationId) return { path, method, op, pathItem }
    }
  }
  return undefined
}
