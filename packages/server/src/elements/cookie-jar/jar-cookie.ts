// The jar's cookie record (Chrome-extension shape) and the one validator every way in uses:
// import, set, and the browser element's captured cookies all go through normalizeCookies.
import { isIP } from 'node:net'
import { getPublicSuffix } from 'tough-cookie'
import type { Json, JsonObject } from '../../storage/storage.ts'

export type SameSite = 'no_restriction' | 'lax' | 'strict' | 'unspecified'
export const SAME_SITE_VALUES: readonly SameSite[] = ['no_restriction', 'lax', 'strict', 'unspecified']

/** A stored cookie: Chrome's chrome.cookies shape; unknown fields are kept verbatim. */
export interface JarCookie {
  name: string
  value: string
  /** Leading dot: a domain cookie; no dot: host-only. Lower-cased. */
  domain: string
  path: string
  secure: boolean
  httpOnly: boolean
  sameSite: SameSite
  /** Unix seconds (fractions kept); absent means a session cookie. */
  expirationDate?: number
  storeId?: string
  [extra: string]: Json | undefined
}

export type CookieFormat = 'chrome' | 'playwright' | 'cdp'

/** Which cookie a finding is about: never the value. */
export interface CookieIdentity {
  name: string
  domain: string
  path: string
}

export interface DroppedCookie {
  cookie: CookieIdentity
  /** Zero-based position in the input. */
  index: number
  reason: string
}

export interface CookieWarning {
  cookie: CookieIdentity
  index: number
  message: string
}

export interface NormalizeResult {
  cookies: JarCookie[]
  warnings: CookieWarning[]
  dropped: DroppedCookie[]
  format: CookieFormat
}

export const MAX_NAME = 256
export const MAX_VALUE = 8192
export const MAX_DOMAIN = 253
export const MAX_PATH = 1024
/** Extra fields are kept, but a record may not smuggle large payloads through them. */
export const MAX_EXTRA_BYTES = 4096
/** 9999-12-31T23:59:59Z: anything later is milliseconds given where seconds were meant. */
export const MAX_EXPIRATION = 253402300799

// Fields each shape defines: consumed (mapped to the Chrome shape) rather than kept as extras.
const CHROME_FIELDS = new Set([
  'name',
  'value',
  'domain',
  'path',
  'secure',
  'httpOnly',
  'sameSite',
  'expirationDate',
  'storeId',
  'hostOnly',
  'session',
])
const WIRE_FIELDS = new Set([...CHROME_FIELDS, 'expires', 'size', 'url'])

// Control characters and the separators a Cookie header cannot carry inside a name or value.
// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to find them
const BAD_NAME = /[\u0000-\u001f\u007f;=]/
// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to find them
const BAD_VALUE = /[\u0000-\u001f\u007f;]/
const DOMAIN_CHARS = /^\.?[a-z0-9_-]+(\.[a-z0-9_-]+)*$/

export function identityOf(c: { name: string; domain: string; path: string }): string {
  // Names cannot contain control characters (checked above), so NUL never collides.
  return `${c.name}\u0000${c.domain}\u0000${c.path}`
}

function identityFor(raw: unknown): CookieIdentity {
  const o = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>
  const str = (v: unknown, max: number) => (typeof v === 'string' ? v.slice(0, max) : '')
  return {
    name: str(o['name'], MAX_NAME),
    domain: str(o['domain'], MAX_DOMAIN).toLowerCase(),
    path: typeof o['path'] === 'string' ? str(o['path'], MAX_PATH) : '/',
  }
}

/** Picks the input shape: Chrome fields win, then CDP-only fields, then Playwright's `expires`. */
export function detectFormat(records: unknown[]): CookieFormat {
  const has = (keys: string[]) =>
    records.some((r) => r !== null && typeof r === 'object' && keys.some((k) => k in (r as object)))
  if (has(['expirationDate', 'storeId', 'hostOnly'])) return 'chrome'
  if (has(['size', 'priority', 'sourceScheme', 'sourcePort', 'sameParty'])) return 'cdp'
  if (has(['expires'])) return 'playwright'
  return 'chrome'
}

function sameSiteOf(raw: unknown): SameSite | undefined {
  if (raw === undefined || raw === null) return 'unspecified'
  if (typeof raw !== 'string') return undefined
  const v = raw.toLowerCase()
  if (v === 'none' || v === 'no_restriction') return 'no_restriction'
  if (v === 'lax' || v === 'strict' || v === 'unspecified') return v
  return undefined
}

type DomainCheck = { ok: true } | { ok: false; reason: string }
/** Imports repeat a few domains thousands of times; the public-suffix lookup is the costly part. */
const domainChecks = new Map<string, DomainCheck>()

/** A cookie domain (lower-cased) or the reason it is refused. */
export function checkCookieDomain(domain: string): DomainCheck {
  let r = domainChecks.get(domain)
  if (!r) {
    r = checkDomainUncached(domain)
    if (domainChecks.size >= 50_000) domainChecks.clear()
    domainChecks.set(domain, r)
  }
  return r
}

function checkDomainUncached(domain: string): DomainCheck {
  if (domain.length === 0) return { ok: false, reason: 'domain_missing' }
  if (domain.length > MAX_DOMAIN) return { ok: false, reason: 'domain_too_long' }
  const bare = domain.startsWith('.') ? domain.slice(1) : domain
  if (/^\[[0-9a-f:.]+\]$/.test(bare) || isIP(bare)) {
    // IP literals only ever hold host-only cookies.
    return domain.startsWith('.') ? { ok: false, reason: 'domain_cookie_on_ip_address' } : { ok: true }
  }
  if (!DOMAIN_CHARS.test(domain)) return { ok: false, reason: 'domain_invalid' }
  // getPublicSuffix gives the registrable domain, undefined when `bare` is itself a public
  // suffix (`com`, `co.uk`, an unknown TLD). `localhost` is a special-use name browsers allow.
  const registrable = getPublicSuffix(bare, { allowSpecialUseDomain: true, ignoreError: true })
  if (!registrable) return { ok: false, reason: 'public_suffix' }
  return { ok: true }
}

/** Seconds since the epoch, a session (undefined), or the reason it is refused. */
function expirationOf(
  value: unknown,
  sessionMarker: number | undefined,
  warn: (m: string) => void,
): { ok: true; value: number | undefined } | { ok: false; reason: string } {
  if (value === undefined || value === null) return { ok: true, value: undefined }
  if (typeof value !== 'number' || !Number.isFinite(value))
    return { ok: false, reason: 'expiration_not_a_number' }
  if (sessionMarker !== undefined && value === sessionMarker) return { ok: true, value: undefined }
  if (value <= 0) {
    warn(`expirationDate ${value} is not a time: kept as a session cookie`)
    return { ok: true, value: undefined }
  }
  if (value > MAX_EXPIRATION) return { ok: false, reason: 'expiration_in_milliseconds' }
  return { ok: true, value }
}

/** Maps one record of `format` to a JarCookie, or says why it cannot be stored. */
function normalizeOne(
  raw: unknown,
  format: CookieFormat,
  warn: (m: string) => void,
): { ok: true; cookie: JarCookie } | { ok: false; reason: string } {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    return { ok: false, reason: 'not_an_object' }
  const o = raw as Record<string, unknown>
  const { name, value } = o
  if (typeof name !== 'string') return { ok: false, reason: 'name_missing' }
  if (typeof value !== 'string') return { ok: false, reason: 'value_missing' }
  if (name.length > MAX_NAME) return { ok: false, reason: 'name_too_long' }
  if (value.length > MAX_VALUE) return { ok: false, reason: 'value_too_long' }
  if (name === '' && value === '') return { ok: false, reason: 'name_and_value_empty' }
  if (BAD_NAME.test(name)) return { ok: false, reason: 'name_invalid_characters' }
  if (BAD_VALUE.test(value)) return { ok: false, reason: 'value_invalid_characters' }
  if (typeof o['domain'] !== 'string') return { ok: false, reason: 'domain_missing' }
  let domain = o['domain'].toLowerCase()
  if (format === 'chrome' && o['hostOnly'] === false && domain !== '' && !domain.startsWith('.')) {
    warn('hostOnly is false but the domain has no leading dot: stored as a domain cookie')
    domain = `.${domain}`
  }
  const domainCheck = checkCookieDomain(domain)
  if (!domainCheck.ok) return domainCheck
  const path = o['path'] === undefined || o['path'] === null ? '/' : o['path']
  if (typeof path !== 'string' || !path.startsWith('/')) return { ok: false, reason: 'path_invalid' }
  if (path.length > MAX_PATH) return { ok: false, reason: 'path_too_long' }
  for (const flag of ['secure', 'httpOnly'] as const) {
    if (o[flag] !== undefined && o[flag] !== null && typeof o[flag] !== 'boolean')
      return { ok: false, reason: `${flag}_not_a_boolean` }
  }
  const sameSite = sameSiteOf(o['sameSite'])
  if (!sameSite) return { ok: false, reason: 'same_site_invalid' }
  const expiry =
    format === 'chrome'
      ? expirationOf(o['expirationDate'], undefined, warn)
      : o['session'] === true
        ? { ok: true as const, value: undefined }
        : expirationOf(o['expires'], -1, warn)
  if (!expiry.ok) return expiry
  if (o['storeId'] !== undefined && o['storeId'] !== null && typeof o['storeId'] !== 'string')
    return { ok: false, reason: 'store_id_not_a_string' }
  const cookie: JarCookie = {
    name,
    value,
    domain,
    path,
    secure: o['secure'] === true,
    httpOnly: o['httpOnly'] === true,
    sameSite,
  }
  if (expiry.value !== undefined) cookie.expirationDate = expiry.value
  if (typeof o['storeId'] === 'string') cookie.storeId = o['storeId']
  const known = format === 'chrome' ? CHROME_FIELDS : WIRE_FIELDS
  const extras: JsonObject = {}
  for (const [k, v] of Object.entries(o)) if (!known.has(k) && v !== undefined) extras[k] = v as Json
  if (Object.keys(extras).length > 0) {
    if (JSON.stringify(extras).length > MAX_EXTRA_BYTES)
      return { ok: false, reason: 'extra_fields_too_large' }
    Object.assign(cookie, extras)
  }
  if (sameSite === 'no_restriction' && !cookie.secure)
    warn('sameSite=no_restriction without secure: Chromium refuses to load such a cookie')
  return { ok: true, cookie }
}

/**
 * Validates and normalizes cookies in Chrome, Playwright or CDP shape (auto-detected unless
 * `format` is given). Invalid records are listed in `dropped` with a reason and never throw;
 * a later duplicate of the same (name, domain, path) replaces the earlier one, with a warning.
 */
export function normalizeCookies(records: unknown[], format?: CookieFormat): NormalizeResult {
  const fmt = format ?? detectFormat(records)
  const warnings: CookieWarning[] = []
  const dropped: DroppedCookie[] = []
  const byIdentity = new Map<string, JarCookie>()
  records.forEach((raw, index) => {
    const warn = (message: string) => warnings.push({ cookie: identityFor(raw), index, message })
    const r = normalizeOne(raw, fmt, warn)
    if (!r.ok) {
      dropped.push({ cookie: identityFor(raw), index, reason: r.reason })
      return
    }
    const id = identityOf(r.cookie)
    if (byIdentity.has(id)) {
      warn('the same (name, domain, path) appears earlier in the input: the later record wins')
      byIdentity.delete(id)
    }
    byIdentity.set(id, r.cookie)
  })
  return { cookies: [...byIdentity.values()], warnings, dropped, format: fmt }
}

export function isExpired(c: JarCookie, nowSeconds: number): boolean {
  return c.expirationDate !== undefined && c.expirationDate < nowSeconds
}

export const nowSeconds = (): number => Date.now() / 1000
