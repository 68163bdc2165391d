// Export shapes: Chrome (the stored record plus hostOnly/session, as chrome.cookies returns it),
// Playwright (context.addCookies / storageState) and CDP (Network.setCookies' CookieParam).
import type { JsonObject } from '../../storage/storage.ts'
import type { CookieFormat, JarCookie, SameSite } from './jar-cookie.ts'

const WIRE_SAME_SITE: Record<SameSite, 'None' | 'Lax' | 'Strict' | undefined> = {
  no_restriction: 'None',
  lax: 'Lax',
  strict: 'Strict',
  // Neither Playwright nor CDP has "unspecified": leaving it out keeps the browser's default
  // rather than pinning Lax.
  unspecified: undefined,
}

export function toChrome(c: JarCookie): JsonObject {
  const out: JsonObject = {
    ...(c as JsonObject),
    hostOnly: !c.domain.startsWith('.'),
    session: c.expirationDate === undefined,
  }
  return out
}

export function toPlaywright(c: JarCookie): JsonObject {
  const out: JsonObject = {
    name: c.name,
    value: c.value,
    domain: c.domain,
    path: c.path,
    expires: c.expirationDate ?? -1,
    httpOnly: c.httpOnly,
    secure: c.secure,
  }
  const sameSite = WIRE_SAME_SITE[c.sameSite]
  if (sameSite) out['sameSite'] = sameSite
  return out
}

/** CDP's Network.CookieParam, as a jar cookie becomes one (export, and a browser's cookie load). */
export type CdpCookieParam = {
  name: string
  value: string
  domain: string
  path: string
  secure?: boolean
  httpOnly?: boolean
  sameSite?: 'Strict' | 'Lax' | 'None'
  expires?: number
}

export function toCdp(c: JarCookie): CdpCookieParam {
  const out: CdpCookieParam = {
    name: c.name,
    value: c.value,
    domain: c.domain,
    path: c.path,
    secure: c.secure,
    httpOnly: c.httpOnly,
  }
  const sameSite = WIRE_SAME_SITE[c.sameSite]
  if (sameSite) out.sameSite = sameSite
  if (c.expirationDate !== undefined) out.expires = c.expirationDate
  return out
}

export function formatCookies(cookies: JarCookie[], format: CookieFormat): JsonObject[] {
  const f = format === 'playwright' ? toPlaywright : format === 'cdp' ? toCdp : toChrome
  return cookies.map(f)
}

/** The metadata list shows: everything but the value. */
export function cookieSummary(c: JarCookie, nowSeconds: number): JsonObject {
  const out: JsonObject = {
    name: c.name,
    domain: c.domain,
    path: c.path,
    secure: c.secure,
    httpOnly: c.httpOnly,
    sameSite: c.sameSite,
    hostOnly: !c.domain.startsWith('.'),
    session: c.expirationDate === undefined,
    expired: c.expirationDate !== undefined && c.expirationDate < nowSeconds,
  }
  if (c.expirationDate !== undefined) out['expirationDate'] = c.expirationDate
  return out
}
