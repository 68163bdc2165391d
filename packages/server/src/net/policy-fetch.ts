// A WHATWG `fetch` whose every connection goes through the outbound address policy: for clients
// that take a `fetch` (the `openai` client, the MCP SDK's Streamable HTTP transport). The host is
// resolved, checked and pinned in one lookup (no rebinding between check and connect); the
// response body streams (server-sent events arrive as they are sent); aborting the signal ends
// the request and its body. Redirects are not followed (the caller sees the 3xx).
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http'
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https'
import { Readable } from 'node:stream'
import { hostPortOf, type OutboundPolicy } from './outbound-policy.ts'

const NULL_BODY = new Set([101, 204, 205, 304])

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error
    ? signal.reason
    : new DOMException('This operation was aborted', 'AbortError')
}

const fetches = new WeakMap<OutboundPolicy, typeof fetch>()

/** A fetch through `policy`; one per policy, so its callers share kept-alive connection pools. */
export function policyFetch(policy: OutboundPolicy): typeof fetch {
  const known = fetches.get(policy)
  if (known) return known
  const f = newPolicyFetch(policy)
  fetches.set(policy, f)
  return f
}

// Pools are per policy: a socket kept alive skips the lookup, so it must have passed this policy.
function newPolicyFetch(policy: OutboundPolicy): typeof fetch {
  const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) }
  return async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const req = input instanceof Request ? input : undefined
    const url = new URL(req ? req.url : input instanceof URL ? input.href : String(input))
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new TypeError(`fetch speaks http and https, not ${url.protocol}`)
    const method = (init.method ?? req?.method ?? 'GET').toUpperCase()
    const headers = new Headers(init.headers ?? req?.headers)
    if (!headers.has('accept-encoding')) headers.set('accept-encoding', 'identity')
    const rawBody = init.body ?? (req?.body ? await req.arrayBuffer() : undefined)
    const body = rawBody == null ? undefined : Buffer.from(await new Response(rawBody).arrayBuffer())
    const signal = init.signal ?? req?.signal ?? undefined
    const { host, port } = hostPortOf(url)
    policy.checkHostNow(host, port) // an IP literal never reaches the lookup below
    if (signal?.aborted) throw abortError(signal)
    return new Promise<Response>((resolve, reject) => {
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest
      const out: Record<string, string> = {}
      headers.forEach((v, k) => {
        out[k] = v
      })
      if (body) out['content-length'] = String(body.length)
      const onAbort = () => r.destroy(abortError(signal!))
      const r = send(
        url,
        {
          method,
          headers: out,
          agent: url.protocol === 'https:' ? agents.https : agents.http,
          lookup: policy.lookupFor(port),
        },
        (res: IncomingMessage) => {
          res.once('close', () => signal?.removeEventListener('abort', onAbort))
          const h = new Headers()
          for (let i = 0; i + 1 < res.rawHeaders.length; i += 2)
            h.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!)
          const status = res.statusCode ?? 502
          const stream =
            NULL_BODY.has(status) || method === 'HEAD'
              ? null
              : (Readable.toWeb(res) as ReadableStream<Uint8Array>)
          if (!stream) res.resume()
          resolve(new Response(stream, { status, statusText: res.statusMessage ?? '', headers: h }))
        },
      )
      r.on('error', (err) => {
        signal?.removeEventListener('abort', onAbort)
        reject(err)
      })
      signal?.addEventListener('abort', onAbort, { once: true })
      r.end(body)
    })
  }
}
