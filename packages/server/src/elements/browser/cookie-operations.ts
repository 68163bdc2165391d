// capture-cookies and cookies: the live session's cookies into the sealed spec.cookies, and back out.
import { Type } from '@sinclair/typebox'
import type { Json } from '../../storage/storage.ts'
import { type BrowserContext, browserOperation } from './browser-operation.ts'
import { readBrowserCookies, storeCapturedCookies } from './captured-cookies.ts'
import { jarCookiesOf } from './cookie-convert.ts'

/** Reads the live cookies and stores them as the browser's capture; returns what a report needs. */
export async function captureLive(ctx: BrowserContext, message: string) {
  const session = await ctx.runtime.require(ctx.element, ctx.actor)
  const normalized = jarCookiesOf(await session.cookies())
  const row = await storeCapturedCookies(ctx, ctx.element, normalized.cookies, ctx.actor, message)
  return { row, normalized }
}

export const cookieOperations = [
  browserOperation({
    name: 'capture-cookies',
    method: 'POST',
    auth: 'write',
    summary: 'Read the live session’s cookies (CDP Storage.getCookies) into spec.cookies, sealed at rest',
    description:
      'Returns counts and domains, never values. Cookies Chromium holds that the jar format cannot (e.g. for a public suffix) are listed in `skipped` by (name, domain, path) and reason.',
    input: Type.Object({}, { additionalProperties: false }),
    async handler(ctx) {
      return ctx.runtime.withLock(ctx.element.id, async () => {
        const { row, normalized } = await captureLive(ctx, 'Cookies captured')
        return {
          cookie_count: row.spec['cookie_count'],
          cookie_domains: row.spec['cookie_domains'],
          cookies_version: row.spec['cookies_version'],
          cookies_captured_at: row.spec['cookies_captured_at'],
          skipped: normalized.dropped.map((d) => ({ ...d.cookie, reason: d.reason })),
          version: row.version,
        }
      })
    },
  }),
  browserOperation({
    name: 'cookies',
    method: 'GET',
    auth: 'write',
    summary: 'The last captured cookies with their values (Chrome shape); write scope, like a jar’s export',
    description:
      'Cookie values are session credentials, so a read-scoped key gets 403 here; `status` and `get` show counts and domains only.',
    allowWhenDisabled: true,
    async handler(ctx) {
      const cookies = await readBrowserCookies(ctx, ctx.element)
      return {
        cookies: cookies as unknown as Json,
        cookie_count: cookies.length,
        cookies_version: ctx.element.spec.cookies_version,
        cookies_captured_at: ctx.element.spec.cookies_captured_at,
      }
    },
  }),
]
