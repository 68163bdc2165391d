// import (merge or replace, Chrome/Playwright/CDP shapes) and export (write scope: it returns
// live session values) of a cookie jar.
import { type Static, Type } from '@sinclair/typebox'
import type { JsonObject } from '../../storage/storage.ts'
import { formatCookies } from './cookie-formats.ts'
import { cookieInDomain, parseDomainFilter } from './domain-filter.ts'
import { invalidCookies, versionConflict } from './jar-access.ts'
import {
  type CookieFormat,
  identityOf,
  isExpired,
  type JarCookie,
  normalizeCookies,
  nowSeconds,
} from './jar-cookie.ts'
import { jarOperation } from './jar-operation.ts'
import { WARN_COOKIES } from './jar-state.ts'
import { countMetric, loadJar, mutateJar } from './jar-store.ts'

const formatParam = Type.Union(
  [Type.Literal('auto'), Type.Literal('chrome'), Type.Literal('playwright'), Type.Literal('cdp')],
  { default: 'auto', description: 'Input shape; auto detects it from the records.' },
)

/** Bounds the work one request can ask for; a real set never comes near it (10 000 unique). */
const MAX_IMPORT_RECORDS = 50_000

/** The near-capacity advisory, in write results (the element's `warnings` carry it too). */
export function capacityWarnings(count: number): string[] {
  return count > WARN_COOKIES
    ? [`the jar holds ${count} cookies, near the 10000 limit: prune expired cookies or split it`]
    : []
}

const importBody = Type.Object(
  {
    cookies: Type.Array(Type.Unknown(), {
      maxItems: MAX_IMPORT_RECORDS,
      description: `Cookie records (at most ${MAX_IMPORT_RECORDS}; duplicates count once toward the 10 000 bound)`,
    }),
    mode: Type.Optional(Type.Union([Type.Literal('merge'), Type.Literal('replace')], { default: 'merge' })),
    format: Type.Optional(formatParam),
    on_invalid: Type.Optional(
      Type.Union([Type.Literal('reject'), Type.Literal('skip')], { default: 'reject' }),
    ),
    expected_version: Type.Optional(
      Type.Integer({
        minimum: 0,
        description: 'JAR_VERSION_CONFLICT unless cookies_version still equals it',
      }),
    ),
    origins: Type.Optional(Type.Array(Type.Unknown(), { description: 'Ignored (Playwright storageState)' })),
  },
  { additionalProperties: false },
)

export const importOperation = jarOperation({
  name: 'import',
  method: 'POST',
  auth: 'write',
  summary: 'Bulk-replace or merge the jar’s cookies (Chrome, Playwright or CDP shape)',
  description:
    'mode=merge (default) upserts by (name, domain, path); mode=replace overwrites the jar. An invalid cookie refuses the whole import (JAR_INVALID_COOKIES) unless on_invalid=skip. More than 10 000 cookies after the write: JAR_CAPACITY_EXCEEDED, nothing changed. A Playwright storageState file can be posted as is (origins are ignored).',
  input: Type.Union([importBody, Type.Array(Type.Unknown(), { maxItems: MAX_IMPORT_RECORDS })], {
    description: 'The options object, or a bare array of cookies (a browser-extension export) to merge.',
  }),
  async handler(ctx) {
    // Defaults by hand: Ajv does not apply them inside a union.
    const raw = ctx.input as Static<typeof importBody> | unknown[]
    const input = Array.isArray(raw)
      ? {
          cookies: raw,
          mode: 'merge' as const,
          format: 'auto' as const,
          on_invalid: 'reject' as const,
          expected_version: undefined,
        }
      : {
          ...raw,
          mode: raw.mode ?? 'merge',
          format: raw.format ?? 'auto',
          on_invalid: raw.on_invalid ?? 'reject',
        }
    const format = input.format === 'auto' ? undefined : (input.format as CookieFormat)
    const normalized = normalizeCookies(input.cookies, format)
    if (normalized.dropped.length > 0 && input.on_invalid === 'reject')
      throw invalidCookies(normalized.dropped)
    let added = 0
    let replaced = 0
    const result = await mutateJar(ctx, ctx.element, { withCookies: input.mode === 'merge' }, (cur) => {
      if (input.expected_version !== undefined && input.expected_version !== cur.row.cookies_version)
        throw versionConflict(input.expected_version, cur.row.cookies_version)
      let next: JarCookie[]
      if (input.mode === 'replace') {
        next = normalized.cookies
        added = next.length
        replaced = 0
      } else {
        const byId = new Map(cur.cookies.map((c) => [identityOf(c), c]))
        added = 0
        replaced = 0
        for (const c of normalized.cookies) {
          const id = identityOf(c)
          if (byId.has(id)) {
            replaced++
            // Delete first so a replaced cookie moves to the end, like a fresh Set-Cookie.
            byId.delete(id)
          } else added++
          byId.set(id, c)
        }
        next = [...byId.values()]
      }
      return {
        cookies: next,
        event: 'cookie-jar.imported',
        data: { mode: input.mode, format: normalized.format, added, replaced, cookie_count: next.length },
      }
    })
    countMetric(ctx, 'import', ctx.element.id)
    const count = Number(result.element.spec['cookie_count'])
    return {
      cookie_count: count,
      cookies_version: result.row.cookies_version,
      cookies_updated_at: result.row.updated_at,
      added,
      replaced,
      mode: input.mode,
      format: normalized.format,
      dropped: normalized.dropped,
      warnings: [...normalized.warnings, ...capacityWarnings(count).map((message) => ({ message }))],
    }
  },
})

export const exportOperation = jarOperation({
  name: 'export',
  method: 'POST',
  auth: 'write',
  summary:
    'Return the cookies (with values), optionally domain-filtered, as Chrome, Playwright or CDP records',
  description:
    'Needs write scope: values are live session credentials (a read key gets 403; use list for metadata). domain is an RFC 6265 suffix match (linkedin.com selects .linkedin.com and www.linkedin.com). include_expired=false drops cookies whose expirationDate is past.',
  input: Type.Object(
    {
      domain: Type.Optional(Type.String({ maxLength: 253 })),
      include_expired: Type.Boolean({ default: true }),
      format: Type.Union([Type.Literal('chrome'), Type.Literal('playwright'), Type.Literal('cdp')], {
        default: 'chrome',
      }),
    },
    { additionalProperties: false },
  ),
  async handler(ctx) {
    const filter = parseDomainFilter(ctx.input.domain)
    const { row, cookies } = await loadJar(ctx, ctx.element, true)
    const now = nowSeconds()
    const selected = cookies.filter(
      (c) => cookieInDomain(c, filter) && (ctx.input.include_expired || !isExpired(c, now)),
    )
    countMetric(ctx, 'export', ctx.element.id)
    const data: JsonObject = { cookie_count: selected.length, format: ctx.input.format }
    if (filter) data['domain'] = filter
    await ctx.elements.note(ctx.element, ctx.actor, 'cookie-jar.exported', data)
    return {
      cookies: formatCookies(selected, ctx.input.format),
      cookie_count: selected.length,
      cookies_version: row.cookies_version,
      format: ctx.input.format,
    }
  },
})
