// Domain filters of export, list, clear and diff: RFC 6265 domain matching through tough-cookie,
// so `linkedin.com` selects `.linkedin.com` and `www.linkedin.com` but not `evillinkedin.com`.
import { isIP } from 'node:net'
import { domainMatch } from 'tough-cookie'
import { E, PlatformError } from '../../errors.ts'
import type { JarCookie } from './jar-cookie.ts'

const FILTER_CHARS = /^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/

/** The filter as a bare lower-case domain (a leading dot is ignored); 400 when malformed. */
export function parseDomainFilter(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined
  const d = raw.trim().toLowerCase().replace(/^\./, '')
  if (d.length > 253 || !(FILTER_CHARS.test(d) || isIP(d) || /^\[[0-9a-f:.]+\]$/.test(d)))
    throw new PlatformError(E.VALIDATION_FAILED, 'domain must be a host name such as "linkedin.com"', {
      field: 'domain',
    })
  return d
}

/** True when the cookie's domain is `filter` or lies under it. */
export function cookieInDomain(cookie: Pick<JarCookie, 'domain'>, filter: string | undefined): boolean {
  if (filter === undefined) return true
  const bare = cookie.domain.startsWith('.') ? cookie.domain.slice(1) : cookie.domain
  return domainMatch(bare, filter, false) === true
}
