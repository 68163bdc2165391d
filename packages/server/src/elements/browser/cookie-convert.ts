// Between CDP's cookie shapes and the jar's Chrome shape. Validation is the jar's normalizer;
// this file only maps fields and adds the rules Chromium enforces when a cookie is set.

import { type CdpCookieParam, toCdp } from '../cookie-jar/cookie-formats.ts'
import { type JarCookie, type NormalizeResult, normalizeCookies } from '../cookie-jar/jar-access.ts'
import type { CdpCookie } from './browser-session.ts'

/** CDP fields worth keeping; size, sourceScheme and sourcePort are recomputed by Chromium. */
const KEPT_CDP_FIELDS = [
  'name',
  'value',
  'domain',
  'path',
  'expires',
  'httpOnly',
  'secure',
  'session',
  'sameSite',
]

/** The live session's cookies in the jar's shape (what Chromium holds that a jar cannot is `dropped`). */
export function jarCookiesOf(live: CdpCookie[]): NormalizeResult {
  const picked = live.map((c) => {
    const o: Record<string, unknown> = {}
    for (const k of KEPT_CDP_FIELDS)
      if ((c as unknown as Record<string, unknown>)[k] !== undefined)
        o[k] = (c as unknown as Record<string, unknown>)[k]
    return o
  })
  return normalizeCookies(picked, 'cdp')
}

/** A jar cookie as CDP's Network.setCookies takes it (the jar's own CDP export shape). */
export const cdpParamOf: (c: JarCookie) => CdpCookieParam = toCdp

/**
 * Why Chromium would refuse (or immediately delete) this cookie, or null. Chromium refuses these
 * silently, so saying it up front is the only way the caller learns the reason.
 */
export function chromiumRefusal(c: JarCookie, nowSeconds: number): string | null {
  if (c.expirationDate !== undefined && c.expirationDate <= nowSeconds) return 'expired'
  if (c.sameSite === 'no_restriction' && !c.secure) return 'same_site_none_requires_secure'
  if (c.name.startsWith('__Secure-') && !c.secure) return 'secure_prefix_requires_secure'
  if (c.name.startsWith('__Host-') && (!c.secure || c.domain.startsWith('.') || c.path !== '/'))
    return 'host_prefix_requires_secure_host_only_root_path'
  return null
}
