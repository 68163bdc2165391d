// `call: http` (and the documents of `call: openapi`) on the wire: every request goes through
// the outbound address policy (resolved, checked and pinned in one lookup, so no rebinding
// between check and connect), bounded in size and time, redirects followed only when asked.
import { request as httpRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import YAML from 'yaml'
import { hostPortOf, type OutboundPolicy } from '../../net/outbound-policy.ts'
import type { Json, JsonObject } from '../../storage/storage.ts'
import { fault } from '../../workflows/dsl-faults.ts'
import type { HttpCall } from '../../workflows/workflow-host.ts'

export const HTTP_CALL_LIMITS = { maxResponseBytes: 32 * 1024 * 1024, timeoutMs: 60_000, maxRedirects: 5 }

interface RawResponse {
  status: number
  headers: Record<string, string>
  body: Buffer
}

export async function sendHttpCall(
  policy: OutboundPolicy,
  call: HttpCall,
  signal: AbortSignal,
  where: string,
): Promise<Json> {
  let url: URL
  try {
    url = new URL(call.url)
    for (const [k, v] of Object.entries(call.query)) url.searchParams.set(k, v)
  } catch {
    throw fault('validation', `call: http: "${call.url.slice(0, 200)}" is not a URL`, where)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw fault('validation', `call: http speaks http and https, not ${url.protocol}`, where)
  const body =
    call.body === undefined
      ? undefined
      : typeof call.body === 'string'
        ? call.body
        : JSON.stringify(call.body)
  const headers: Record<string, string> = { ...call.headers }
  if (
    body !== undefined &&
    typeof call.body !== 'string' &&
    !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')
  )
    headers['content-type'] = 'application/json'
  let res = await send(policy, call.method, url, headers, body, signal, where)
  for (
    let hops = 0;
    call.redirect && res.status >= 300 && res.status < 400 && res.headers['location'];
    hops++
  ) {
    if (hops >= HTTP_CALL_LIMITS.maxRedirects)
      throw fault('communication', `more than ${hops} redirects`, where)
    url = new URL(res.headers['location'], url)
    res = await send(policy, 'GET', url, headers, undefined, signal, where)
  }
  if (res.status >= 400)
    throw fault(
      'communication',
      `${call.method} ${url.origin}${url.pathname} answered ${res.status}`,
      where,
      {
        status: res.status,
        response: contentOf(res),
      },
    )
  if (call.output === 'raw') return res.body.toString('base64')
  if (call.output === 'response')
    return {
      request: { method: call.method, uri: url.toString(), headers: call.headers },
      statusCode: res.status,
      headers: res.headers,
      content: contentOf(res),
    }
  return contentOf(res)
}

/** An OpenAPI document (JSON or YAML) fetched through the policy. */
export async function fetchDocument(
  policy: OutboundPolicy,
  url: string,
  signal: AbortSignal,
  where: string,
): Promise<JsonObject> {
  const text = await sendHttpCall(
    policy,
    { method: 'GET', url, headers: {}, query: {}, output: 'raw', redirect: true },
    signal,
    where,
  )
  try {
    const doc = YAML.parse(Buffer.from(String(text), 'base64').toString('utf8')) as unknown
    if (doc && typeof doc === 'object' && !Array.isArray(doc)) return doc as JsonObject
  } catch {}
  throw fault('communication', `${url} is not an OpenAPI document (JSON or YAML)`, where)
}

function contentOf(res: RawResponse): Json {
  const text = res.body.toString('utf8')
  if (/json/i.test(res.headers['content-type'] ?? '') && text) {
    try {
      return JSON.parse(text) as Json
    } catch {}
  }
  return text
}

function send(
  policy: OutboundPolicy,
  method: string,
  url: URL,
  headers: Record<string, string>,
  body: string | undefined,
  signal: AbortSignal,
  where: string,
): Promise<RawResponse> {
  const target = `${method} ${url.origin}${url.pathname}`
  try {
    // An IP literal never reaches the lookup hook below: it is decided here.
    const { host, port } = hostPortOf(url)
    policy.checkHostNow(host, port)
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'OUTBOUND_ADDRESS_BLOCKED'
    return Promise.reject(fault('communication', `${target}: ${(err as Error).message}`, where, { code }))
  }
  return new Promise((resolve, reject) => {
    const fail = (e: Error) => {
      clearTimeout(timer)
      signal.removeEventListener('abort', onAbort)
      req.destroy()
      reject(e)
    }
    const onAbort = () => fail(signal.reason instanceof Error ? signal.reason : new Error('aborted'))
    const sendFn = url.protocol === 'https:' ? httpsRequest : httpRequest
    const req = sendFn(
      url,
      {
        method,
        headers: {
          ...headers,
          ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}),
        },
        lookup: policy.lookupFor(hostPortOf(url).port),
      },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = []
        let size = 0
        res.on('data', (c: Buffer) => {
          size += c.length
          if (size > HTTP_CALL_LIMITS.maxResponseBytes)
            fail(
              fault(
                'communication',
                `${target} answered more than ${HTTP_CALL_LIMITS.maxResponseBytes} bytes`,
                where,
              ),
            )
          else chunks.push(c)
        })
        res.on('error', () => fail(fault('communication', `${target}: the response broke off`, where)))
        res.on('end', () => {
          clearTimeout(timer)
          signal.removeEventListener('abort', onAbort)
          const h: Record<string, string> = {}
          for (const [k, v] of Object.entries(res.headers))
            if (v !== undefined) h[k] = Array.isArray(v) ? v.join(', ') : v
          resolve({ status: res.statusCode ?? 0, headers: h, body: Buffer.concat(chunks) })
        })
      },
    )
    const timer = setTimeout(
      () => fail(fault('timeout', `${target} did not answer within ${HTTP_CALL_LIMITS.timeoutMs} ms`, where)),
      HTTP_CALL_LIMITS.timeoutMs,
    )
    if (signal.aborted) return onAbort()
    signal.addEventListener('abort', onAbort, { once: true })
    req.on('error', (err: Error & { code?: string }) =>
      fail(
        err.name === 'PlatformError'
          ? fault('communication', `${target}: ${err.message}`, where, {
              code: err.code ?? 'OUTBOUND_ADDRESS_BLOCKED',
            })
          : fault('communication', `${target}: ${err.message}`, where),
      ),
    )
    req.end(body)
  })
}
