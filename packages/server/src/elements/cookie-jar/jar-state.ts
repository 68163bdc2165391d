// What a jar knows without decrypting: per-domain counts and the sorted expiration times, kept
// beside the sealed cookies, and the spec fields derived from them.
import type { JsonObject } from '../../storage/storage.ts'
import type { JarCookie } from './jar-cookie.ts'
import type { CookieJarRow, CookieJarWrite } from './jar-tables.ts'

export const MAX_COOKIES = 10_000
export const WARN_COOKIES = 9_000
export const COOKIES_PURPOSE = 'cookie-jar.cookies'

export interface JarMeta {
  domain_counts: Record<string, number>
  /** Expiration times (seconds), ascending; session cookies are not in it. */
  expirations: Float64Array
}

/** The jar before its first write. */
export function emptyJarRow(elementId: string, circleId: string): CookieJarRow {
  return {
    element_id: elementId,
    circle_id: circleId,
    revision: 0,
    cookies_version: 0,
    sealed: null,
    meta: { domain_counts: {}, expirations: '' },
    attached_browser_id: null,
    updated_at: '',
  }
}

export function computeMeta(cookies: JarCookie[]): JsonObject {
  const domainCounts: Record<string, number> = {}
  const exp: number[] = []
  for (const c of cookies) {
    domainCounts[c.domain] = (domainCounts[c.domain] ?? 0) + 1
    if (c.expirationDate !== undefined) exp.push(c.expirationDate)
  }
  const sorted = Float64Array.from(exp).sort()
  // Binary, so describe reads 10 000 expirations without parsing 10 000 JSON numbers.
  const expirations = Buffer.from(sorted.buffer, sorted.byteOffset, sorted.byteLength).toString('base64')
  const ordered = Object.fromEntries(
    Object.keys(domainCounts)
      .sort()
      .map((d) => [d, domainCounts[d]!]),
  )
  return { domain_counts: ordered, expirations }
}

export function parseMeta(meta: JsonObject): JarMeta {
  const raw = Buffer.from(typeof meta['expirations'] === 'string' ? meta['expirations'] : '', 'base64')
  // Copy into an aligned buffer: a Float64Array view needs an 8-byte aligned offset.
  const aligned = new Float64Array(raw.byteLength / 8)
  new Uint8Array(aligned.buffer).set(raw)
  return { domain_counts: (meta['domain_counts'] ?? {}) as Record<string, number>, expirations: aligned }
}

/** How many sorted values are below `t` (binary search). */
export function countBelow(sorted: Float64Array, t: number): number {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (sorted[mid]! < t) lo = mid + 1
    else hi = mid
  }
  return lo
}

export function cookieCountOf(row: CookieJarWrite): number {
  const counts = (row.meta['domain_counts'] ?? {}) as Record<string, number>
  let n = 0
  for (const v of Object.values(counts)) n += v
  return n
}

/** The spec fields a jar's state row determines (the spec mirrors them for `get` and lists). */
export function specOf(row: CookieJarWrite): JsonObject {
  const counts = (row.meta['domain_counts'] ?? {}) as Record<string, number>
  return {
    cookie_count: cookieCountOf(row),
    domains: Object.keys(counts).sort(),
    cookies_version: row.cookies_version,
    cookies_updated_at: row.updated_at && row.cookies_version > 0 ? row.updated_at : '',
    attached_browser_id: row.attached_browser_id ?? '',
  }
}

/** empty / populated / orphaned (an attached browser that is gone, cookies still held). */
export function stateOf(spec: JsonObject, browserMissing: boolean): string {
  const count = Number(spec['cookie_count'] ?? 0)
  if (count === 0) return 'empty'
  return browserMissing && spec['attached_browser_id'] ? 'orphaned' : 'populated'
}

/** Parsed metadata by (jar, cookies_version): describe on an unchanged jar reads nothing. */
const metaCache = new Map<string, JarMeta>()

export function cachedMeta(elementId: string, cookiesVersion: number): JarMeta | undefined {
  return metaCache.get(`${elementId}:${cookiesVersion}`)
}

export function rememberMeta(row: CookieJarWrite): JarMeta {
  if (metaCache.size > 1000) metaCache.clear()
  const meta = parseMeta(row.meta)
  metaCache.set(`${row.element_id}:${row.cookies_version}`, meta)
  return meta
}
