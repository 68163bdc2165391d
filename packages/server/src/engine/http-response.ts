// What an http trigger's function (or a middleware that answers) returns, as the HTTP response:
// iii's HttpResponse `{status_code, headers, body}`, headers as an object or "Name: value" lines.
import type { Readable } from 'node:stream'
import type { Json, JsonObject } from '../storage/storage.ts'

export interface HttpResponseOut {
  status: number
  headers: Record<string, string>
  body: Json | undefined
  /** A body the function streams through its `response` channel (then `body` is unused). */
  stream?: Readable
}

const TOKEN = /^[\w!#$%&'*+.^`|~-]+$/
/** What Node lets through as a header value (no control characters but tab). */
const VALUE = /^[\t\x20-\x7e\x80-\xff]*$/

export function headersOf(h: Json | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  const put = (k: string, v: string) => {
    if (TOKEN.test(k) && VALUE.test(v)) out[k.toLowerCase()] = v
  }
  if (Array.isArray(h)) {
    for (const line of h) {
      if (typeof line !== 'string') continue
      const at = line.indexOf(':')
      if (at > 0) put(line.slice(0, at).trim(), line.slice(at + 1).trim())
    }
  } else if (h && typeof h === 'object')
    for (const [k, v] of Object.entries(h)) if (typeof v === 'string') put(k, v)
  return out
}

/** A status outside 100–599 is the function's bug: 502. */
function statusOf(v: Json | undefined, fallback: number): number {
  if (typeof v !== 'number') return fallback
  return Number.isInteger(v) && v >= 100 && v <= 599 ? v : 502
}

/** iii's HttpResponse; any other result is a 200 with that result as the JSON body. */
export function toResponse(result: Json): HttpResponseOut {
  const r = result as JsonObject
  if (r && typeof r === 'object' && !Array.isArray(r) && typeof r['status_code'] === 'number')
    return {
      status: statusOf(r['status_code'], 200),
      headers: headersOf(r['headers']),
      body: r['body'] ?? undefined,
    }
  return { status: 200, headers: {}, body: result }
}

/** A middleware's `response` (status_code defaults to 200, as on iii). */
export function middlewareResponse(response: Json | undefined): HttpResponseOut {
  const r = (
    response && typeof response === 'object' && !Array.isArray(response) ? response : {}
  ) as JsonObject
  return {
    status: statusOf(r['status_code'], 200),
    headers: headersOf(r['headers']),
    body: r['body'] ?? undefined,
  }
}
