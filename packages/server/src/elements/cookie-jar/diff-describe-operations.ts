// describe (metadata without decrypting: flat as the jar grows) and diff (what merging another
// jar's or a browser's captured cookies into this jar would change, by domain).
import { Type } from '@sinclair/typebox'
import { E, PlatformError } from '../../errors.ts'
import { elementOfCircle } from '../circle-element.ts'
import { cookieInDomain, parseDomainFilter } from './domain-filter.ts'
import { openBrowserCookies } from './jar-access.ts'
import { identityOf, type JarCookie, nowSeconds } from './jar-cookie.ts'
import { JAR } from './jar-errors.ts'
import { type JarOperationContext, jarOperation } from './jar-operation.ts'
import { cachedMeta, countBelow, MAX_COOKIES, rememberMeta, WARN_COOKIES } from './jar-state.ts'
import { browserMissing, JAR_TYPE, loadJar } from './jar-store.ts'
import { jarTables } from './jar-tables.ts'

const iso = (seconds: number | undefined) =>
  seconds === undefined ? null : new Date(seconds * 1000).toISOString()

export const describeOperation = jarOperation({
  name: 'describe',
  method: 'GET',
  auth: 'read',
  summary: 'Jar metadata without the cookie payload (counts per domain, expiry range); never decrypts',
  input: Type.Object({}, { additionalProperties: false }),
  async handler(ctx) {
    const spec = ctx.spec
    const version = spec.cookies_version
    let meta = cachedMeta(ctx.element.id, version)
    if (!meta) {
      const row = await ctx.elements.storeOf(jarTables).get(ctx.element.id, { withSealed: false })
      meta = row ? rememberMeta(row) : { domain_counts: {}, expirations: new Float64Array(0) }
    }
    const exp = meta.expirations
    const attached = spec.attached_browser_id
    // The stored state follows a browser's deletion asynchronously; describe checks it now.
    const state =
      ctx.element.state === 'populated' && attached && (await browserMissing(ctx.elements, attached))
        ? 'orphaned'
        : ctx.element.state
    const count = spec.cookie_count
    const oldest = exp.length ? exp[0] : undefined
    const newest = exp.length ? exp[exp.length - 1] : undefined
    return {
      cookie_count: count,
      cookies_version: version,
      cookies_updated_at: spec['cookies_updated_at'] ?? '',
      attached_browser_id: attached,
      state,
      domains: Object.entries(meta.domain_counts).map(([domain, n]) => ({ domain, count: n })),
      expired_count: countBelow(exp, nowSeconds()),
      session_count: count - exp.length,
      oldest_expiration: oldest ?? null,
      newest_expiration: newest ?? null,
      oldest_expiration_at: iso(oldest),
      newest_expiration_at: iso(newest),
      limit: MAX_COOKIES,
      near_capacity: count > WARN_COOKIES,
    }
  },
})

async function sourceCookies(
  ctx: JarOperationContext,
  input: { browser_id?: string; other_jar_id?: string },
): Promise<{ cookies: JarCookie[]; source: { type: string; id: string; slug: string } }> {
  if ((input.browser_id === undefined) === (input.other_jar_id === undefined))
    throw new PlatformError(E.VALIDATION_FAILED, 'pass exactly one of browser_id or other_jar_id', {
      field: 'browser_id',
    })
  const ref = (input.browser_id ?? input.other_jar_id)!
  const type = input.browser_id !== undefined ? 'browser' : JAR_TYPE
  const row = await elementOfCircle(ctx.elements, ctx.element.circle_id, ref, type)
  if (!row) {
    if (type === 'browser')
      throw new PlatformError(
        JAR.JAR_BROWSER_NOT_FOUND,
        `"${ref.slice(0, 80)}" is not a browser in this circle`,
        {
          browser_id: ref.slice(0, 80),
        },
      )
    throw new PlatformError(JAR.JAR_NOT_FOUND, `"${ref.slice(0, 80)}" is not a cookie jar in this circle`, {
      other_jar_id: ref.slice(0, 80),
    })
  }
  const cookies =
    type === 'browser' ? await openBrowserCookies(ctx, row) : (await loadJar(ctx, row, true)).cookies
  return { cookies, source: { type, id: row.id, slug: row.slug } }
}

/** Everything but the identity: what makes two cookies with one identity differ. */
const fingerprint = (c: JarCookie) => {
  const { name: _n, domain: _d, path: _p, ...rest } = c
  return JSON.stringify(rest, Object.keys(rest).sort())
}

export const diffOperation = jarOperation({
  name: 'diff',
  method: 'POST',
  auth: 'read',
  summary: 'What merging another jar’s or a browser’s cookies into this jar would change (counts by domain)',
  description:
    'Pass exactly one of browser_id (its captured cookies) or other_jar_id (id or slug). added: only in the source; removed: only in this jar (what a replace would drop); changed: same (name, domain, path), different value or attributes. No values are returned.',
  input: Type.Object(
    {
      browser_id: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
      other_jar_id: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
      domain: Type.Optional(Type.String({ maxLength: 253 })),
    },
    { additionalProperties: false },
  ),
  async handler(ctx) {
    const filter = parseDomainFilter(ctx.input.domain)
    const { cookies: theirs, source } = await sourceCookies(ctx, ctx.input)
    const { row, cookies: ours } = await loadJar(ctx, ctx.element, true)
    const mine = new Map<string, JarCookie>()
    for (const c of ours) if (cookieInDomain(c, filter)) mine.set(identityOf(c), c)
    const byDomain: Record<string, { added: number; removed: number; changed: number }> = {}
    const bump = (domain: string, k: 'added' | 'removed' | 'changed') => {
      const d = byDomain[domain] ?? { added: 0, removed: 0, changed: 0 }
      byDomain[domain] = d
      d[k]++
    }
    let added = 0
    let changed = 0
    let unchanged = 0
    const seen = new Set<string>()
    for (const c of theirs) {
      if (!cookieInDomain(c, filter)) continue
      const id = identityOf(c)
      seen.add(id)
      const m = mine.get(id)
      if (!m) {
        added++
        bump(c.domain, 'added')
      } else if (m.value !== c.value || fingerprint(m) !== fingerprint(c)) {
        changed++
        bump(c.domain, 'changed')
      } else unchanged++
    }
    let removed = 0
    for (const [id, c] of mine) {
      if (seen.has(id)) continue
      removed++
      bump(c.domain, 'removed')
    }
    const ordered = Object.fromEntries(
      Object.keys(byDomain)
        .sort()
        .map((d) => [d, byDomain[d]!]),
    )
    return {
      added,
      removed,
      changed,
      unchanged,
      by_domain: ordered,
      source,
      cookies_version: row.cookies_version,
    }
  },
})
