// Loads jar cookies into a live session: validate, set in batches (one by one when Chromium
// rejects a batch), read back, and account for every cookie as applied, dropped or evicted.
import { getPublicSuffix } from 'tough-cookie'
import { identityOf, type JarCookie, normalizeCookies } from '../cookie-jar/jar-access.ts'
import type { BrowserSession, CdpCookie } from './browser-session.ts'
import { cdpParamOf, chromiumRefusal } from './cookie-convert.ts'

export const BATCH_SIZE = 100
/** Chromium keeps at most 180 cookies per registrable domain and 3300 in all, purging the oldest. */
export const CHROMIUM_DOMAIN_LIMIT = 180
export const CHROMIUM_TOTAL_LIMIT = 3300
/** Lists in the report stop here; the counts are always complete. */
export const REPORT_LIST_LIMIT = 1000

export interface CookieRef {
  name: string
  domain: string
  path: string
}

export interface LoadReport {
  mode: 'replace' | 'merge'
  requested: number
  applied: number
  dropped: Array<CookieRef & { reason: string }>
  dropped_count: number
  evicted: CookieRef[]
  evicted_count: number
  warnings: number
  /** The cookies the session holds after the load (all sites). */
  live_count: number
}

const ref = (c: { name: string; domain: string; path: string }): CookieRef => ({
  name: c.name,
  domain: c.domain,
  path: c.path,
})

/** The registrable domain (eTLD+1) Chromium counts its per-domain limit against. */
function siteOf(domain: string): string {
  const bare = domain.replace(/^\./, '')
  return getPublicSuffix(bare, { allowSpecialUseDomain: true, ignoreError: true }) ?? bare
}

export async function loadCookies(
  session: BrowserSession,
  records: JarCookie[],
  mode: 'replace' | 'merge',
): Promise<{ report: LoadReport; live: CdpCookie[] }> {
  const now = Date.now() / 1000
  const { cookies, dropped: invalid, warnings } = normalizeCookies(records, 'chrome')
  const dropped: LoadReport['dropped'] = invalid.map((d) => ({ ...d.cookie, reason: d.reason }))
  const candidates: JarCookie[] = []
  for (const c of cookies) {
    const refusal = chromiumRefusal(c, now)
    if (refusal) dropped.push({ ...ref(c), reason: refusal })
    else candidates.push(c)
  }

  const before = mode === 'merge' ? await session.cookies() : []
  if (mode === 'replace') await session.clearCookies()

  const refused = new Set<string>()
  for (let i = 0; i < candidates.length; i += BATCH_SIZE) {
    const batch = candidates.slice(i, i + BATCH_SIZE)
    try {
      await session.setCookies(batch.map(cdpParamOf))
    } catch {
      // One malformed field rejects the whole batch; one at a time finds which and keeps the rest.
      for (const c of batch) {
        const reason = await session.setCookie(cdpParamOf(c))
        if (reason) {
          refused.add(identityOf(c))
          dropped.push({ ...ref(c), reason })
        }
      }
    }
  }

  const live = await session.cookies()
  const liveIds = new Set(live.map(identityOf))
  const loadedIds = new Set(candidates.map(identityOf))
  const perSite = new Map<string, number>()
  for (const c of candidates) perSite.set(siteOf(c.domain), (perSite.get(siteOf(c.domain)) ?? 0) + 1)
  const overTotal = candidates.length + before.length > CHROMIUM_TOTAL_LIMIT

  let applied = 0
  const evicted: CookieRef[] = []
  for (const c of candidates) {
    const id = identityOf(c)
    if (refused.has(id)) continue
    if (liveIds.has(id)) applied++
    // Set but gone: Chromium purged it for room (its per-site or total limit), or refused it silently.
    else if (overTotal || (perSite.get(siteOf(c.domain)) ?? 0) > CHROMIUM_DOMAIN_LIMIT) evicted.push(ref(c))
    else dropped.push({ ...ref(c), reason: 'refused_by_chromium' })
  }
  // In merge mode the session's own cookies may make room for the jar's.
  for (const c of before) {
    const id = identityOf(c)
    if (!liveIds.has(id) && !loadedIds.has(id)) evicted.push(ref(c))
  }

  return {
    live,
    report: {
      mode,
      requested: records.length,
      applied,
      dropped: dropped.slice(0, REPORT_LIST_LIMIT),
      dropped_count: dropped.length,
      evicted: evicted.slice(0, REPORT_LIST_LIMIT),
      evicted_count: evicted.length,
      warnings: warnings.length,
      live_count: live.length,
    },
  }
}
