// Single-cookie and housekeeping operations of a cookie jar: set, delete, clear, prune, and the
// UI-safe list (values only on request, and only for callers allowed to export).
import { Type } from '@sinclair/typebox'
import { requireScope } from '../../auth/require-actor.ts'
import { cookieSummary } from './cookie-formats.ts'
import { cookieInDomain, parseDomainFilter } from './domain-filter.ts'
import { capacityWarnings } from './import-export-operations.ts'
import { invalidCookies } from './jar-access.ts'
import { identityOf, isExpired, type JarCookie, normalizeCookies, nowSeconds } from './jar-cookie.ts'
import { jarOperation } from './jar-operation.ts'
import { countMetric, type JarChange, loadJar, mutateJar } from './jar-store.ts'

const identityInput = {
  name: Type.String({ maxLength: 256 }),
  domain: Type.String({ minLength: 1, maxLength: 253 }),
  path: Type.String({ default: '/', maxLength: 1024 }),
}

function writeResult(r: { element: { spec: Record<string, unknown> }; row: { cookies_version: number } }) {
  return { cookie_count: Number(r.element.spec['cookie_count']), cookies_version: r.row.cookies_version }
}

export const cookieOperations = [
  jarOperation({
    name: 'set',
    method: 'POST',
    auth: 'write',
    summary: 'Insert or update one cookie (upsert by name, domain, path)',
    description:
      'Body: one Chrome-shape cookie (name, value, domain required; path defaults to /; extra fields kept). Returns the cookie without its value, whether it replaced one, and the new cookies_version.',
    input: Type.Object(
      {
        name: Type.String(),
        value: Type.String(),
        domain: Type.String(),
        path: Type.Optional(Type.String()),
      },
      { additionalProperties: true },
    ),
    async handler(ctx) {
      const normalized = normalizeCookies([ctx.input], 'chrome')
      if (normalized.dropped.length > 0) throw invalidCookies(normalized.dropped)
      const cookie = normalized.cookies[0]!
      let replaced = false
      const result = await mutateJar(ctx, ctx.element, { withCookies: true }, (cur) => {
        const id = identityOf(cookie)
        replaced = cur.cookies.some((c) => identityOf(c) === id)
        const next = [...cur.cookies.filter((c) => identityOf(c) !== id), cookie]
        return {
          cookies: next,
          event: 'cookie-jar.cookie_set',
          data: { name: cookie.name, domain: cookie.domain, path: cookie.path, replaced },
        }
      })
      countMetric(ctx, 'set', ctx.element.id)
      const { value: _value, ...shown } = cookie
      const counts = writeResult(result)
      return {
        cookie: shown,
        replaced,
        ...counts,
        warnings: [
          ...normalized.warnings,
          ...capacityWarnings(counts.cookie_count).map((message) => ({ message })),
        ],
      }
    },
  }),
  jarOperation({
    name: 'delete',
    method: 'POST',
    auth: 'write',
    summary: 'Remove exactly the cookie with this (name, domain, path)',
    description:
      'domain is compared as written (a leading dot matters). cookies_version moves only when a cookie was removed.',
    input: Type.Object(identityInput, { additionalProperties: false }),
    async handler(ctx) {
      const target = { name: ctx.input.name, domain: ctx.input.domain.toLowerCase(), path: ctx.input.path }
      const id = identityOf(target)
      let removed = false
      const result = await mutateJar(ctx, ctx.element, { withCookies: true }, (cur) => {
        const next = cur.cookies.filter((c) => identityOf(c) !== id)
        removed = next.length < cur.cookies.length
        if (!removed) return null
        return { cookies: next, event: 'cookie-jar.cookie_deleted', data: { ...target } }
      })
      countMetric(ctx, 'delete', ctx.element.id)
      return { removed, ...writeResult(result) }
    },
  }),
  jarOperation({
    name: 'clear',
    method: 'POST',
    auth: 'write',
    summary: 'Remove all cookies, or all cookies of a domain (suffix match); the attachment stays',
    input: Type.Object(
      { domain: Type.Optional(Type.String({ maxLength: 253 })) },
      { additionalProperties: false },
    ),
    async handler(ctx) {
      const filter = parseDomainFilter(ctx.input.domain)
      let removed = 0
      const result = await mutateJar(
        ctx,
        ctx.element,
        { withCookies: filter !== undefined },
        (cur): JarChange | null => {
          if (filter === undefined) {
            // Emptying needs no decryption: the count comes from the state row's metadata.
            removed = Object.values((cur.row.meta['domain_counts'] ?? {}) as Record<string, number>).reduce(
              (a, b) => a + b,
              0,
            )
            if (removed === 0) return null
            return { cookies: [], event: 'cookie-jar.cleared', data: { removed } }
          }
          const next = cur.cookies.filter((c) => !cookieInDomain(c, filter))
          removed = cur.cookies.length - next.length
          if (removed === 0) return null
          return { cookies: next, event: 'cookie-jar.cleared', data: { removed, domain: filter } }
        },
      )
      countMetric(ctx, 'clear', ctx.element.id)
      return { removed, ...writeResult(result) }
    },
  }),
  jarOperation({
    name: 'prune',
    method: 'POST',
    auth: 'write',
    summary: 'Drop cookies whose expirationDate is in the past (session cookies stay)',
    input: Type.Object({}, { additionalProperties: false }),
    async handler(ctx) {
      let pruned = 0
      const now = nowSeconds()
      const result = await mutateJar(ctx, ctx.element, { withCookies: true }, (cur) => {
        const next = cur.cookies.filter((c) => !isExpired(c, now))
        pruned = cur.cookies.length - next.length
        if (pruned === 0) return null
        return { cookies: next, event: 'cookie-jar.pruned', data: { pruned_count: pruned } }
      })
      countMetric(ctx, 'prune', ctx.element.id)
      return { pruned_count: pruned, ...writeResult(result) }
    },
  }),
  jarOperation({
    name: 'list',
    method: 'GET',
    auth: 'read',
    summary: 'Page through the cookies for UI tables (no values unless include_values=true)',
    description:
      'Sorted by domain, name, path. include_values=true needs the write scope, like export (a read key gets 403).',
    input: Type.Object(
      {
        domain: Type.Optional(Type.String({ maxLength: 253 })),
        include_values: Type.Boolean({ default: false }),
        limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
        offset: Type.Integer({ minimum: 0, default: 0 }),
      },
      { additionalProperties: false },
    ),
    async handler(ctx) {
      if (ctx.input.include_values) requireScope(ctx.actor, 'write', 'list include_values=true')
      const filter = parseDomainFilter(ctx.input.domain)
      const { row, cookies } = await loadJar(ctx, ctx.element, true)
      const selected = cookies.filter((c) => cookieInDomain(c, filter)).sort(byDomainNamePath)
      const page = selected.slice(ctx.input.offset, ctx.input.offset + ctx.input.limit)
      const now = nowSeconds()
      return {
        cookies: page.map((c) =>
          ctx.input.include_values ? { ...cookieSummary(c, now), value: c.value } : cookieSummary(c, now),
        ),
        total: selected.length,
        offset: ctx.input.offset,
        limit: ctx.input.limit,
        cookies_version: row.cookies_version,
      }
    },
  }),
]

function byDomainNamePath(a: JarCookie, b: JarCookie): number {
  return a.domain < b.domain
    ? -1
    : a.domain > b.domain
      ? 1
      : a.name < b.name
        ? -1
        : a.name > b.name
          ? 1
          : a.path < b.path
            ? -1
            : a.path > b.path
              ? 1
              : 0
}
